package org.quorum.security;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each clinical role may do to labels and review Tasks. Annotator, reviewer and adjudicator
 * are distinct grants (docs/security.md, "Clinical roles"):
 *
 * <ul>
 *   <li>every clinician creates labels only as drafts ({@code registered}, {@code preliminary}) and
 *       changes their own drafts;
 *   <li>a label becomes {@code final}, or a decided label {@code amended} / {@code corrected} /
 *       {@code entered-in-error}, only by a clinician who owns an open Task of a deciding stage
 *       that covers the label (its focus or input): reviewers through {@code review} and {@code
 *       re-evaluate} Tasks, adjudicators through {@code adjudicate} and {@code re-evaluate} Tasks;
 *       annotators never;
 *   <li>each role moves only the Tasks of its own stages, along the FHIR Task state machine (FHIR
 *       R4 §12.1.2.5), and never reopens a finished one.
 * </ul>
 *
 * Pure rules: the FHIR interceptors gather the facts (statuses, ownership, covering Tasks) and ask.
 */
public final class ClinicalRoles {

    /** The stages of the review workflow (CodeSystem quorum-review-task-type). */
    public enum Stage {
        CALIBRATE("calibrate"),
        ANNOTATE("annotate"),
        REVIEW("review"),
        ADJUDICATE("adjudicate"),
        RE_EVALUATE("re-evaluate");

        private final String code;

        Stage(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public static Optional<Stage> of(String code) {
            for (Stage stage : values()) {
                if (stage.code.equals(code)) {
                    return Optional.of(stage);
                }
            }
            return Optional.empty();
        }
    }

    /** The code system of review Task codes. */
    public static final String TASK_TYPE_SYSTEM =
            "https://quorum.dev/fhir/CodeSystem/quorum-review-task-type";

    /** Label statuses of work in progress. */
    public static final Set<String> DRAFT = Set.of("registered", "preliminary");

    /** Label statuses only a review decision gives. */
    public static final Set<String> DECIDED = Set.of("final", "amended", "corrected");

    private static final Set<String> WITHDRAWN = Set.of("cancelled", "entered-in-error");

    private static final Map<Role, Set<Stage>> STAGES =
            Map.of(
                    Role.ANNOTATOR, EnumSet.of(Stage.CALIBRATE, Stage.ANNOTATE),
                    Role.REVIEWER, EnumSet.of(Stage.REVIEW, Stage.RE_EVALUATE),
                    Role.ADJUDICATOR, EnumSet.of(Stage.ADJUDICATE, Stage.RE_EVALUATE));

    private static final Set<Stage> DECIDING =
            EnumSet.of(Stage.REVIEW, Stage.ADJUDICATE, Stage.RE_EVALUATE);

    /** Task statuses from which each status may be reached by the Task's owner. */
    private static final Map<String, Set<String>> TASK_TRANSITIONS =
            Map.of(
                    "draft", Set.of("requested", "ready", "accepted", "in-progress", "rejected"),
                    "requested", Set.of("received", "accepted", "in-progress", "rejected"),
                    "received", Set.of("accepted", "in-progress", "rejected"),
                    "ready", Set.of("accepted", "in-progress", "rejected"),
                    "accepted", Set.of("in-progress", "rejected"),
                    "in-progress", Set.of("on-hold", "completed", "failed"),
                    "on-hold", Set.of("in-progress", "failed"));

    /** Task statuses of open work (a Task that can still cover a decision). */
    public static final Set<String> OPEN_TASK =
            Set.of("draft", "requested", "received", "ready", "accepted", "in-progress", "on-hold");

    private ClinicalRoles() {}

    /** The stages the roles work on. */
    public static Set<Stage> stagesOf(Set<Role> roles) {
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        roles.forEach(role -> stages.addAll(STAGES.getOrDefault(role, Set.of())));
        return stages;
    }

    /** Why a clinician may not create a label with this status, or empty when they may. */
    public static Optional<String> refuseLabelCreate(String status) {
        if (DRAFT.contains(status)) {
            return Optional.empty();
        }
        return Optional.of(
                "a clinician creates labels as drafts (status registered or preliminary); '"
                        + status
                        + "' is given by a review decision");
    }

    /**
     * Why a clinician may not change a label from {@code from} to {@code to}, or empty when they
     * may.
     *
     * @param own the clinician is the label's performer
     * @param covering the deciding stages of the clinician's open Tasks that cover this label
     */
    public static Optional<String> refuseLabelUpdate(
            Set<Role> roles, boolean own, Set<Stage> covering, String from, String to) {
        Set<Stage> deciding = EnumSet.noneOf(Stage.class);
        deciding.addAll(covering);
        deciding.retainAll(stagesOf(roles));
        deciding.retainAll(DECIDING);
        boolean decides = !deciding.isEmpty();
        boolean decidedBefore = DECIDED.contains(from);
        if (DECIDED.contains(to) || decidedBefore) {
            if (!decides) {
                return Optional.of(
                        "only a reviewer or adjudicator deciding on this label in an open review,"
                                + " adjudicate or re-evaluate Task of theirs may set it to '"
                                + to
                                + "' or change a decided label");
            }
            if (decidedBefore && to.equals("final") && !from.equals("final")) {
                return Optional.of("a decided label is amended or corrected, not made final again");
            }
            if (!decidedBefore && !to.equals("final") && DECIDED.contains(to)) {
                return Optional.of("a draft label is accepted as 'final' before it is amended");
            }
            return Optional.empty();
        }
        if (WITHDRAWN.contains(from)) {
            return Optional.of("a withdrawn label ('" + from + "') cannot be changed");
        }
        if (!own && !decides) {
            return Optional.of("a clinician changes only their own labels");
        }
        if (DRAFT.contains(to) || WITHDRAWN.contains(to)) {
            return Optional.empty();
        }
        return Optional.of("the label status '" + to + "' is not one a clinician sets");
    }

    /**
     * Why a clinician may not move their Task of {@code stage} from {@code from} to {@code to}, or
     * empty when they may.
     */
    public static Optional<String> refuseTaskUpdate(
            Set<Role> roles, Optional<Stage> stage, String from, String to) {
        if (stage.isEmpty() || !stagesOf(roles).contains(stage.get())) {
            return Optional.of(
                    "the roles "
                            + roles
                            + " do not work on "
                            + stage.map(s -> "'" + s.code() + "'").orElse("these")
                            + " Tasks");
        }
        if (from.equals(to)) {
            return OPEN_TASK.contains(from)
                    ? Optional.empty()
                    : Optional.of("a finished Task ('" + from + "') cannot be changed");
        }
        if (TASK_TRANSITIONS.getOrDefault(from, Set.of()).contains(to)) {
            return Optional.empty();
        }
        return Optional.of(
                "a clinician cannot move a Task from '"
                        + from
                        + "' to '"
                        + to
                        + "'"
                        + (OPEN_TASK.contains(from)
                                ? " (allowed: "
                                        + String.join(
                                                ", ",
                                                new java.util.TreeSet<>(
                                                        TASK_TRANSITIONS.getOrDefault(
                                                                from, Set.of())))
                                        + ")"
                                : ""));
    }
}
