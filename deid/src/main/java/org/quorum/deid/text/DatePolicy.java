package org.quorum.deid.text;

import java.util.Optional;

/** What happens to dates and ages. */
public enum DatePolicy {
    /**
     * 45 CFR 164.514(b)(2)(i)(C): keep the year only; ages over 89, and years that reveal them, are
     * aggregated into "90 or older".
     */
    SAFE_HARBOR("safe-harbor"),
    /**
     * Every date of a patient is moved by the same keyed offset ({@code
     * DeidKeyService.dateOffsetDays}) so intervals survive for research. Without a patient key,
     * dates fall back to {@link #SAFE_HARBOR}.
     */
    DATE_SHIFT("date-shift");

    private final String wireName;

    DatePolicy(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on the command line and in the FHIR operation: {@code safe-harbor}, ... */
    public String wireName() {
        return wireName;
    }

    /** The policy with this wire name (exact), if any. */
    public static Optional<DatePolicy> fromWireName(String name) {
        for (DatePolicy policy : values()) {
            if (policy.wireName.equals(name)) {
                return Optional.of(policy);
            }
        }
        return Optional.empty();
    }
}
