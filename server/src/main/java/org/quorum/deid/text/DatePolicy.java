package org.quorum.deid.text;

/** What happens to dates and ages. */
public enum DatePolicy {
    /**
     * 45 CFR 164.514(b)(2)(i)(C): keep the year only; ages over 89, and years that reveal them, are
     * aggregated into "90 or older".
     */
    SAFE_HARBOR,
    /**
     * Every date of a patient is moved by the same keyed offset ({@code
     * DeidKeyService.dateOffsetDays}) so intervals survive for research. Without a patient key,
     * dates fall back to {@link #SAFE_HARBOR}.
     */
    DATE_SHIFT
}
