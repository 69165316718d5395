package org.quorum.workflow;

import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.quorum.labels.Label;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.automation.AutomationBias;
import org.quorum.quality.stats.Medians;
import org.quorum.quality.stats.MultipleComparisons;
import org.quorum.workflow.policy.QualificationRequirement;
import org.quorum.workflow.skills.Member;
import org.quorum.workflow.store.Tasks;
import org.quorum.workflow.store.WorkflowStore;

/**
 * What the workflow reports: the skills matrix, the automation-bias figures (and the DetectedIssues
 * they raise), and the work report. Everything is computed from the stored Tasks, labels and
 * roster; nothing is kept elsewhere.
 */
public final class Reports {

    static final String AUTOMATION_BIAS = "automation-bias";

    private final Env env;
    private final CalibrationGate calibration;

    Reports(Env env, CalibrationGate calibration) {
        this.env = env;
        this.calibration = calibration;
    }

    // ---- skills matrix ----

    /** One cell: may this member work this stage on this case type today? */
    public record Cell(
            Member member,
            Stage stage,
            Optional<String> caseType,
            Member.Eligibility eligibility,
            String calibration) {}

    public record Matrix(
            ProjectContext project, LocalDate day, List<Member> members, List<Cell> cells) {}

    Matrix skillsMatrix(String projectId, Optional<LocalDate> day) {
        ProjectContext project = env.projects.load(projectId);
        LocalDate date = day.orElse(env.today());
        Set<String> caseTypes = new TreeSet<>();
        project.policy().requirements().stream()
                .map(QualificationRequirement::caseType)
                .flatMap(Optional::stream)
                .forEach(caseTypes::add);
        List<Member> members = env.store.members(project.reference());
        List<Cell> cells = new ArrayList<>();
        for (Member member : members) {
            String state = calibration.state(project, member.role()).describe();
            for (Stage stage : List.of(Stage.ANNOTATE, Stage.REVIEW, Stage.ADJUDICATE)) {
                List<Optional<String>> types = new ArrayList<>();
                types.add(Optional.empty());
                caseTypes.forEach(t -> types.add(Optional.of(t)));
                for (Optional<String> type : types) {
                    Set<String> required =
                            project.policy()
                                    .requiredCodes(stage, type.map(Set::of).orElse(Set.of()));
                    cells.add(
                            new Cell(
                                    member,
                                    stage,
                                    type,
                                    member.eligibility(stage, required, date),
                                    stage == Stage.ANNOTATE ? state : ""));
                }
            }
        }
        return new Matrix(project, date, members, cells);
    }

    // ---- automation bias ----

    AutomationBias.Report automationBias(ProjectContext project) {
        SearchParameterMap query = WorkflowStore.tasksOf(project.reference(), Stage.REVIEW);
        WorkflowStore.withStatus(query, Task.TaskStatus.COMPLETED);
        Map<String, int[]> decisions = new LinkedHashMap<>();
        Map<String, List<Double>> acceptSeconds = new LinkedHashMap<>();
        int blindReads = 0;
        int blindAgreements = 0;
        for (Task task : env.store.search(Task.class, query)) {
            String decision = Tasks.outputCode(task, Tasks.DECISION).orElse("");
            if (Tasks.inputFlag(task, Tasks.BLIND)) {
                blindReads++;
                blindAgreements += decision.equals("blind-agree") ? 1 : 0;
                continue;
            }
            if (Tasks.inputRefs(task, Tasks.SUGGESTION).isEmpty()) {
                continue;
            }
            String reviewer = Tasks.owner(task).orElse("unknown");
            int[] counts = decisions.computeIfAbsent(reviewer, r -> new int[3]);
            acceptSeconds.computeIfAbsent(reviewer, r -> new ArrayList<>());
            switch (decision) {
                case "accept" -> {
                    counts[0]++;
                    acceptSeconds.get(reviewer).add(seconds(task));
                }
                case "modify" -> counts[1]++;
                case "reject" -> counts[2]++;
                default -> {}
            }
        }
        List<AutomationBias.ReviewerTally> tallies = new ArrayList<>();
        decisions.forEach(
                (reviewer, counts) ->
                        tallies.add(
                                new AutomationBias.ReviewerTally(
                                        reviewer,
                                        counts[0],
                                        counts[1],
                                        counts[2],
                                        acceptSeconds.get(reviewer))));
        return AutomationBias.analyse(
                tallies,
                blindReads,
                blindAgreements,
                new AutomationBias.Options(
                        project.policy().biasAlpha(),
                        project.policy().biasMinimumReviews(),
                        project.policy().minimumAcceptSeconds(),
                        MultipleComparisons.HOLM));
    }

    /**
     * Raises (or updates) one DetectedIssue per flagged reviewer, and withdraws (status cancelled)
     * the issue of a reviewer no longer flagged. The issue id is derived from project and reviewer,
     * so every check addresses the same resource.
     */
    List<DetectedIssue> raiseBiasIssues(ProjectContext project, AutomationBias.Report report) {
        List<DetectedIssue> raised = new ArrayList<>();
        for (AutomationBias.ReviewerResult result : report.reviewers()) {
            String reviewer = result.tally().reviewer();
            String id = "automation-bias-" + digest(project.reference() + "\n" + reviewer);
            Optional<DetectedIssue> existing =
                    env.store.read(DetectedIssue.class, "DetectedIssue/" + id);
            if (!result.flagged()) {
                existing.filter(i -> i.getStatus() != DetectedIssue.DetectedIssueStatus.CANCELLED)
                        .ifPresent(
                                i -> {
                                    i.setStatus(DetectedIssue.DetectedIssueStatus.CANCELLED);
                                    i.setDetail(
                                            i.getDetail()
                                                    + " Withdrawn: the latest figures no longer"
                                                    + " flag this reviewer.");
                                    env.store.update(i);
                                });
                continue;
            }
            DetectedIssue issue = new DetectedIssue();
            issue.setId("DetectedIssue/" + id);
            issue.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(project.reference()));
            issue.setStatus(DetectedIssue.DetectedIssueStatus.FINAL);
            issue.setCode(
                    new CodeableConcept(
                            new Coding(
                                    QuorumProfiles.CS_DETECTED_ISSUE_TYPE,
                                    AUTOMATION_BIAS,
                                    "Automation bias")));
            issue.setSeverity(DetectedIssue.DetectedIssueSeverity.MODERATE);
            issue.setIdentified(
                    existing.map(DetectedIssue::getIdentified)
                            .orElse(new DateTimeType(Date.from(env.now()))));
            issue.addImplicated(new Reference(reviewer));
            issue.setDetail(detail(reviewer, result, report));
            boolean changed =
                    existing.isEmpty()
                            || existing.get().getStatus() != issue.getStatus()
                            || !existing.get().getDetail().equals(issue.getDetail());
            if (changed) {
                env.store.update(issue);
            }
            raised.add(issue);
        }
        return raised;
    }

    private static String detail(
            String reviewer, AutomationBias.ReviewerResult result, AutomationBias.Report report) {
        List<String> parts = new ArrayList<>();
        AutomationBias.ReviewerTally tally = result.tally();
        if (result.overAccepting()) {
            parts.add(
                    reviewer
                            + " accepted "
                            + tally.accepted()
                            + " of "
                            + tally.shown()
                            + " AI suggestions ("
                            + CalibrationGate.percent(result.acceptRate())
                            + ") while blind reads agreed with the AI in "
                            + report.blindAgreements()
                            + " of "
                            + report.blindReads()
                            + " ("
                            + CalibrationGate.percent(report.blindAgreement())
                            + "); one-sided two-proportion z = "
                            + String.format(java.util.Locale.ROOT, "%.3f", result.test().z())
                            + ", Holm-adjusted p = "
                            + String.format(java.util.Locale.ROOT, "%.4g", result.adjustedPValue())
                            + " < "
                            + report.options().alpha()
                            + ".");
        }
        if (result.fastAccepting()) {
            parts.add(
                    reviewer
                            + " took a median of "
                            + String.format(
                                    java.util.Locale.ROOT, "%.1f", result.medianAcceptSeconds())
                            + " s to accept an AI suggestion, below the project's floor of "
                            + report.options().minimumAcceptSeconds()
                            + " s.");
        }
        return String.join(" ", parts);
    }

    private static String digest(String text) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static double seconds(Task task) {
        Date start = task.getExecutionPeriod().getStart();
        Date end = task.getExecutionPeriod().getEnd();
        if (start == null || end == null) {
            return Double.NaN;
        }
        return Duration.between(start.toInstant(), end.toInstant()).toMillis() / 1000.0;
    }

    // ---- work report ----

    /** One annotator's figures. */
    public record AnnotatorWork(
            String annotator,
            int casesDone,
            int open,
            double medianSeconds,
            int compared,
            int agreedWithFinal,
            int accepted,
            int modified,
            int rejected) {

        public int decisions() {
            return accepted + modified + rejected;
        }
    }

    public record Work(
            ProjectContext project,
            int cases,
            int finalCases,
            int openCases,
            List<AnnotatorWork> annotators) {}

    Work work(String projectId) {
        ProjectContext project = env.projects.load(projectId);
        List<Task> cases =
                env
                        .store
                        .search(Task.class, WorkflowStore.tasksOf(project.reference(), Stage.CASE))
                        .stream()
                        .filter(t -> !CaseTasks.isGold(t))
                        .toList();
        Map<String, Task> caseByRef = new LinkedHashMap<>();
        cases.forEach(c -> caseByRef.put(Tasks.ref(c), c));
        int finals =
                (int)
                        cases.stream()
                                .filter(c -> c.getStatus() == Task.TaskStatus.COMPLETED)
                                .count();
        int open = (int) cases.stream().filter(c -> Env.open(c)).count();
        List<Task> annotate =
                env.store.search(
                        Task.class, WorkflowStore.tasksOf(project.reference(), Stage.ANNOTATE));
        List<Task> reviews =
                env.store.search(
                        Task.class,
                        WorkflowStore.withStatus(
                                WorkflowStore.tasksOf(project.reference(), Stage.REVIEW),
                                Task.TaskStatus.COMPLETED));
        // Labels needed: the annotators' and the final ones.
        Set<String> needed = new LinkedHashSet<>();
        annotate.forEach(t -> needed.addAll(Tasks.outputRefs(t, Tasks.LABEL)));
        cases.forEach(c -> needed.addAll(Tasks.outputRefs(c, Tasks.LABEL)));
        Map<String, Label> labels = new LinkedHashMap<>();
        env.store.labels().labelsById(needed).forEach(l -> labels.put(l.id(), l));
        Map<String, String> ownerOfTask = new LinkedHashMap<>();
        annotate.forEach(t -> Tasks.owner(t).ifPresent(o -> ownerOfTask.put(Tasks.ref(t), o)));
        Map<String, int[]> decisions = new LinkedHashMap<>();
        for (Task review : reviews) {
            String decision = Tasks.outputCode(review, Tasks.DECISION).orElse("");
            int index =
                    switch (decision) {
                        case "accept" -> 0;
                        case "modify" -> 1;
                        case "reject" -> 2;
                        default -> -1;
                    };
            if (index < 0) {
                continue;
            }
            for (Reference based : review.getBasedOn()) {
                String owner = ownerOfTask.get(Stages.ref(based));
                if (owner != null) {
                    decisions.computeIfAbsent(owner, o -> new int[3])[index]++;
                }
            }
        }
        Map<String, List<Task>> byAnnotator = new LinkedHashMap<>();
        annotate.forEach(
                t ->
                        Tasks.owner(t)
                                .ifPresent(
                                        o ->
                                                byAnnotator
                                                        .computeIfAbsent(o, k -> new ArrayList<>())
                                                        .add(t)));
        List<AnnotatorWork> result = new ArrayList<>();
        for (Map.Entry<String, List<Task>> entry : byAnnotator.entrySet()) {
            List<Task> tasks = entry.getValue();
            List<Double> durations = new ArrayList<>();
            int done = 0;
            int openTasks = 0;
            int compared = 0;
            int agreed = 0;
            for (Task task : tasks) {
                Optional<Task> caseTask = Tasks.caseTask(task).map(caseByRef::get);
                if (caseTask.isEmpty()) {
                    continue; // a gold item: its figures are the calibration's
                }
                if (task.getStatus() == Task.TaskStatus.COMPLETED) {
                    done++;
                    double seconds = seconds(task);
                    if (!Double.isNaN(seconds)) {
                        durations.add(seconds);
                    }
                    Task c = caseTask.get();
                    if (c.getStatus() == Task.TaskStatus.COMPLETED
                            && Tasks.round(c) == Tasks.round(task)) {
                        Set<String> mine = codes(Tasks.outputRefs(task, Tasks.LABEL), labels);
                        Set<String> finalCodes = codes(Tasks.outputRefs(c, Tasks.LABEL), labels);
                        if (!finalCodes.isEmpty()) {
                            compared++;
                            agreed += mine.equals(finalCodes) ? 1 : 0;
                        }
                    }
                } else if (Env.open(task)) {
                    openTasks++;
                }
            }
            int[] d = decisions.getOrDefault(entry.getKey(), new int[3]);
            result.add(
                    new AnnotatorWork(
                            entry.getKey(),
                            done,
                            openTasks,
                            Medians.of(durations),
                            compared,
                            agreed,
                            d[0],
                            d[1],
                            d[2]));
        }
        return new Work(project, cases.size(), finals, open, result);
    }

    private static Set<String> codes(List<String> refs, Map<String, Label> labels) {
        Set<String> codes = new TreeSet<>();
        refs.stream()
                .map(labels::get)
                .filter(l -> l != null)
                .forEach(l -> codes.add(l.code().key()));
        return codes;
    }
}
