package org.quorum.workflow;

import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.quorum.labels.Label;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.agreement.Estimate;
import org.quorum.quality.calibration.Calibration;
import org.quorum.workflow.WorkflowException.Problem;
import org.quorum.workflow.skills.Member;
import org.quorum.workflow.store.Tasks;
import org.quorum.workflow.store.WorkflowStore;

/**
 * The calibration gate. Before the first production case an annotator labels the project's
 * calibration set (a {@code calibrate} Task owned by them, one {@code case} input per source); on
 * completion the labels are compared with the reference labels (the final labels of those sources
 * in the project) and the round passes at the project's threshold, or a new round is created.
 * Afterwards a share of production work is hidden gold items: when an annotator's agreement with
 * the references over the gold items since the last passed round drops below the threshold, the
 * annotator is paused (a DetectedIssue, and a new calibrate Task) until a round passes again.
 *
 * <p>The state lives in FHIR: passed rounds are completed calibrate Tasks with output {@code
 * passed} = true; pauses are DetectedIssues of type {@code annotator-paused}. An annotator is
 * calibrated when the latest passed round is later than the latest pause.
 */
final class CalibrationGate {

    static final String PAUSED = "annotator-paused";
    private static final int REPLICATES = 1000;

    private final Env env;

    CalibrationGate(Env env) {
        this.env = env;
    }

    /**
     * Where an annotator stands.
     *
     * @param required the project has a calibration set
     * @param passedAt when the latest round passed
     * @param pausedAt when the latest pause was raised
     * @param open the open calibrate Task, if any
     * @param lastFailed the latest round failed (and a new one is open)
     */
    record State(
            boolean required,
            Optional<Instant> passedAt,
            Optional<Instant> pausedAt,
            Optional<Task> open,
            boolean lastFailed) {

        boolean calibrated() {
            return !required
                    || (passedAt.isPresent()
                            && (pausedAt.isEmpty() || pausedAt.get().isBefore(passedAt.get())));
        }

        boolean paused() {
            return required
                    && pausedAt.isPresent()
                    && (passedAt.isEmpty() || !pausedAt.get().isBefore(passedAt.get()));
        }

        String describe() {
            if (!required) {
                return "no calibration set";
            }
            if (calibrated()) {
                return "calibrated";
            }
            if (paused()) {
                return "paused";
            }
            return lastFailed ? "failed" : "pending";
        }
    }

    State state(ProjectContext project, String member) {
        if (project.policy().calibrationSet().isEmpty()) {
            return new State(false, Optional.empty(), Optional.empty(), Optional.empty(), false);
        }
        List<Task> rounds = calibrateTasks(project, member);
        Optional<Instant> passed =
                rounds.stream()
                        .filter(t -> t.getStatus() == Task.TaskStatus.COMPLETED)
                        .filter(t -> Tasks.outputFlag(t, Tasks.PASSED).orElse(false))
                        .map(t -> Env.instant(t.getExecutionPeriod().getEnd()))
                        .flatMap(Optional::stream)
                        .max(Comparator.naturalOrder());
        boolean lastFailed =
                rounds.stream()
                        .filter(t -> t.getStatus() == Task.TaskStatus.COMPLETED)
                        .max(Comparator.comparing(t -> t.getExecutionPeriod().getEnd()))
                        .map(t -> !Tasks.outputFlag(t, Tasks.PASSED).orElse(false))
                        .orElse(false);
        Optional<Instant> paused =
                pauses(project, member).stream()
                        .map(i -> Env.instant(i.getIdentifiedDateTimeType().getValue()))
                        .flatMap(Optional::stream)
                        .max(Comparator.naturalOrder());
        Optional<Task> open = rounds.stream().filter(Env::open).findFirst();
        return new State(true, passed, paused, open, lastFailed);
    }

    /** Throws the 403 that tells an annotator why they may not have production cases. */
    void require(ProjectContext project, Member member) {
        State state = state(project, member.role());
        if (state.calibrated()) {
            return;
        }
        String next =
                state.open()
                        .map(t -> "; label the calibration set of " + Tasks.ref(t) + " ($submit)")
                        .orElse(
                                "; ask the project admin to run $open-cases, which creates your"
                                        + " calibrate Task");
        if (state.paused()) {
            throw new WorkflowException(
                    Problem.PAUSED,
                    member.role()
                            + " is paused: agreement with the project's gold items fell below"
                            + " the threshold"
                            + next);
        }
        throw new WorkflowException(
                Problem.NOT_CALIBRATED,
                member.role()
                        + (state.lastFailed()
                                ? " did not pass the last calibration round"
                                : " has not passed the project's calibration yet")
                        + next);
    }

    private List<Task> calibrateTasks(ProjectContext project, String member) {
        SearchParameterMap query = WorkflowStore.tasksOf(project.reference(), Stage.CALIBRATE);
        WorkflowStore.withOwner(query, member);
        return env.store.search(Task.class, query);
    }

    private List<DetectedIssue> pauses(ProjectContext project, String member) {
        return env.store.issues(project.reference(), PAUSED).stream()
                .filter(i -> i.getStatus() != DetectedIssue.DetectedIssueStatus.CANCELLED)
                .filter(
                        i ->
                                i.getImplicated().stream()
                                        .anyMatch(r -> member.equals(r.getReference())))
                .toList();
    }

    /** The calibration sources with their reference codes, or a policy error. */
    Map<String, String> references(ProjectContext project, List<String> sources) {
        Map<String, String> references = new LinkedHashMap<>();
        List<Label> finals =
                env
                        .store
                        .labels()
                        .labelsOfSources(project.reference(), sources, Label.FINAL_STATUSES)
                        .stream()
                        .sorted(Comparator.comparing(Label::id))
                        .toList();
        for (String source : sources) {
            finals.stream()
                    .filter(l -> l.sources().contains(source))
                    .findFirst()
                    .ifPresent(l -> references.put(source, l.code().code()));
        }
        List<String> missing = sources.stream().filter(s -> !references.containsKey(s)).toList();
        if (!missing.isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_POLICY,
                    missing.size()
                            + " calibration or gold source(s) have no reference label (a final"
                            + " label of the project), e.g. "
                            + missing.get(0));
        }
        return references;
    }

    /** Creates a round for {@code member} when none is open and they are not calibrated. */
    Optional<Task> ensureRound(ProjectContext project, Member member) {
        if (project.policy().calibrationSet().isEmpty() || !member.works(Stage.ANNOTATE)) {
            return Optional.empty();
        }
        State state = state(project, member.role());
        if (state.calibrated() || state.open().isPresent()) {
            return Optional.empty();
        }
        int round = calibrateTasks(project, member.role()).size() + 1;
        return Optional.of(createRound(project, member.role(), round));
    }

    Task createRound(ProjectContext project, String member, int round) {
        String group = project.policy().calibrationSet().orElseThrow();
        Task task = Tasks.newTask(Stage.CALIBRATE, project.reference(), Task.TaskStatus.READY);
        Instant now = env.now();
        task.setOwner(new Reference(member));
        task.setFocus(new Reference(group));
        task.setAuthoredOn(Date.from(now));
        task.setLastModified(Date.from(now));
        task.setDescription("Calibration round " + round);
        Tasks.addInput(task, Tasks.ROUND, new IntegerType(round));
        for (String source : env.store.listMembers(group)) {
            Tasks.addInput(task, Tasks.CASE, new Reference(source));
        }
        env.store.create(task);
        return task;
    }

    /**
     * Assesses a completed round: outputs on the task, and the next round when it failed. The task
     * holds one label per case (outputs {@code label}).
     */
    Calibration.Result assess(ProjectContext project, Task task, List<Label> labels) {
        List<String> sources = Tasks.inputRefs(task, Tasks.CASE);
        Map<String, String> reference = references(project, sources);
        List<Calibration.Item> items = new ArrayList<>();
        for (Label label : labels) {
            String source = label.source();
            items.add(new Calibration.Item(source, reference.get(source), label.code().code()));
        }
        Calibration.Result result =
                Calibration.assess(
                        items,
                        project.policy().calibrationThresholdFor(project.classes()),
                        REPLICATES,
                        task.getIdElement().getIdPart().hashCode());
        estimate(
                task,
                Tasks.PERCENT_AGREEMENT,
                Tasks.AGREEMENT_LOWER,
                Tasks.AGREEMENT_UPPER,
                result.percentAgreement());
        estimate(task, Tasks.COHEN_KAPPA, Tasks.KAPPA_LOWER, Tasks.KAPPA_UPPER, result.kappa());
        Tasks.addOutput(task, Tasks.THRESHOLD, new DecimalType(result.threshold()));
        Tasks.addOutput(task, Tasks.PASSED, new BooleanType(result.passed()));
        return result;
    }

    private static void estimate(
            Task task, String value, String lower, String upper, Estimate estimate) {
        if (!estimate.defined()) {
            return;
        }
        Tasks.addOutput(task, value, new DecimalType(round(estimate.value())));
        estimate.interval()
                .filter(i -> !Double.isNaN(i.lower()))
                .ifPresent(
                        i -> {
                            Tasks.addOutput(task, lower, new DecimalType(round(i.lower())));
                            Tasks.addOutput(task, upper, new DecimalType(round(i.upper())));
                        });
    }

    static java.math.BigDecimal round(double value) {
        return new java.math.BigDecimal(value)
                .round(new java.math.MathContext(6))
                .stripTrailingZeros();
    }

    /** After a passed round: the open pauses of the member get a mitigation. */
    void lift(ProjectContext project, String member, Task passedRound) {
        for (DetectedIssue pause : pauses(project, member)) {
            boolean mitigated =
                    pause.getMitigation().stream()
                            .anyMatch(
                                    m ->
                                            m.getAction().getText() != null
                                                    && m.getAction()
                                                            .getText()
                                                            .contains(Tasks.ref(passedRound)));
            if (!mitigated) {
                pause.addMitigation()
                        .setAction(
                                new CodeableConcept()
                                        .setText(
                                                "Re-calibrated: "
                                                        + Tasks.ref(passedRound)
                                                        + " passed"))
                        .setDateElement(new DateTimeType(Date.from(env.now())));
                env.store.update(pause);
            }
        }
    }

    /**
     * After a gold item is labelled: the member's agreement with the references over the gold items
     * since their last passed round; below the threshold (with at least goldMinimum items) they are
     * paused.
     *
     * @param goldTasks the member's completed annotate tasks on gold items, newest last, including
     *     the one just completed
     * @return the pause raised, if any
     */
    Optional<DetectedIssue> checkGold(
            ProjectContext project, Member member, List<GoldRead> goldReads) {
        State state = state(project, member.role());
        if (!state.required() || state.paused()) {
            return Optional.empty();
        }
        List<GoldRead> window =
                goldReads.stream()
                        .filter(r -> state.passedAt().map(p -> r.at().isAfter(p)).orElse(true))
                        .sorted(Comparator.comparing(GoldRead::at))
                        .toList();
        int size = project.policy().goldWindow();
        if (window.size() > size) {
            window = window.subList(window.size() - size, window.size());
        }
        if (window.size() < project.policy().goldMinimum()) {
            return Optional.empty();
        }
        Calibration.Result result =
                Calibration.assess(
                        window.stream()
                                .map(r -> new Calibration.Item(r.source(), r.reference(), r.code()))
                                .toList(),
                        project.policy().calibrationThresholdFor(project.classes()),
                        0,
                        0);
        if (result.passed()) {
            return Optional.empty();
        }
        int round = calibrateTasks(project, member.role()).size() + 1;
        Task next = state.open().orElseGet(() -> createRound(project, member.role(), round));
        DetectedIssue issue = new DetectedIssue();
        issue.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(project.reference()));
        issue.setStatus(DetectedIssue.DetectedIssueStatus.FINAL);
        issue.setCode(
                new CodeableConcept(
                        new Coding(
                                QuorumProfiles.CS_DETECTED_ISSUE_TYPE,
                                PAUSED,
                                "Annotator paused")));
        issue.setSeverity(DetectedIssue.DetectedIssueSeverity.MODERATE);
        issue.setIdentified(new DateTimeType(Date.from(env.now())));
        issue.addImplicated(new Reference(member.role()));
        issue.setDetail(
                member.role()
                        + " agreed with the reference on "
                        + Math.round(result.percentAgreement().value() * window.size())
                        + " of the last "
                        + window.size()
                        + " gold items ("
                        + percent(result.percentAgreement().value())
                        + "), below the project's threshold of "
                        + percent(result.threshold())
                        + ". No production cases until "
                        + Tasks.ref(next)
                        + " (a new calibration round) passes.");
        env.store.create(issue);
        return Optional.of(issue);
    }

    /** One gold item read: when, the source, the reference code and the annotator's code. */
    record GoldRead(Instant at, String source, String reference, String code) {}

    static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%.1f %%", share * 100);
    }
}
