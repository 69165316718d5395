package org.quorum.workflow;

import java.util.Arrays;
import java.util.Optional;

/** A reviewer's decision ({@code $review} parameter {@code decision}). */
public enum Decision {
    ACCEPT("accept"),
    MODIFY("modify"),
    REJECT("reject");

    private final String code;

    Decision(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static Optional<Decision> fromCode(String code) {
        return Arrays.stream(values()).filter(d -> d.code.equals(code)).findFirst();
    }
}
