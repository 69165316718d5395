package org.quorum.workflow;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of review Task (CodeSystem {@code quorum-review-task-type}): the case task and the
 * stages that are part of it.
 */
public enum Stage {
    /** The composite task of one case; the stages below are partOf it. */
    CASE("case", "Case"),
    /** An annotator labels the project's calibration set. */
    CALIBRATE("calibrate", "Calibrate"),
    /** An annotator labels a case. */
    ANNOTATE("annotate", "Annotate"),
    /** A reviewer decides on agreeing labels or an AI label, or labels blind. */
    REVIEW("review", "Review"),
    /** An adjudicator resolves a disagreement. */
    ADJUDICATE("adjudicate", "Adjudicate"),
    /** A reviewer re-evaluates a final label under a new schema version. */
    RE_EVALUATE("re-evaluate", "Re-evaluate"),
    /** Not a task: agreeing labels became final without review (a Provenance activity). */
    CONSENSUS("consensus", "Consensus");

    private final String code;
    private final String display;

    Stage(String code, String display) {
        this.code = code;
        this.display = display;
    }

    public String code() {
        return code;
    }

    public String display() {
        return display;
    }

    public static Optional<Stage> fromCode(String code) {
        return Arrays.stream(values()).filter(s -> s.code.equals(code)).findFirst();
    }
}
