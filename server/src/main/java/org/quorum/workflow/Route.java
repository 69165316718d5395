package org.quorum.workflow;

import java.util.Arrays;
import java.util.Optional;

/** How a case was routed when it was opened (case task input {@code route}). */
public enum Route {
    /** No AI label: N annotators. */
    STANDARD("standard"),
    /** AI confidence at or above the high threshold: one reviewer confirms the AI label. */
    AI_HIGH("ai-high"),
    /** A sampled high-confidence case: a reviewer labels it without seeing the AI label. */
    AI_BLIND("ai-blind"),
    /** AI confidence between the thresholds: N annotators who see the AI label as a suggestion. */
    AI_MEDIUM("ai-medium"),
    /** AI confidence below the low threshold: N annotators who do not see the AI label. */
    AI_LOW("ai-low");

    private final String code;

    Route(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static Optional<Route> fromCode(String code) {
        return Arrays.stream(values()).filter(r -> r.code.equals(code)).findFirst();
    }

    /** Whether annotators of this route see the AI label. */
    public boolean showsSuggestion() {
        return this == AI_MEDIUM;
    }
}
