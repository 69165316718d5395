package org.quorum.workflow;

import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Task;
import org.quorum.labels.Label;
import org.quorum.quality.QualityService;
import org.quorum.quality.automation.AutomationBias;
import org.quorum.workflow.store.Tasks;
import org.quorum.workflow.store.WorkflowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The review workflow: calibrated, credential-routed annotate → review → adjudicate, with AI
 * pre-annotation routing and an automation-bias guard (docs/workflow.md). The FHIR Tasks are the
 * one source of truth; every decision is a FHIR resource (Task, Observation, Provenance,
 * DetectedIssue, MeasureReport). Every transport calls this service; it checks who may do what (the
 * caller's Task, qualification, calibration) and writes as the system.
 */
public final class WorkflowService {

    private static final Logger LOG = LoggerFactory.getLogger(WorkflowService.class);

    private final Env env;
    private final CalibrationGate calibration;
    private final Claims claims;
    private final Stages stages;
    private final CaseRouting routing;
    private final Reports reports;

    public WorkflowService(
            WorkflowStore store, QualityService quality, Clock clock, WorkflowMetrics metrics) {
        this.env = new Env(store, quality, clock, metrics);
        this.calibration = new CalibrationGate(env);
        this.claims = new Claims(env, calibration);
        this.stages = new Stages(env, calibration, claims);
        this.routing = new CaseRouting(env, calibration);
        this.reports = new Reports(env, calibration);
    }

    /** Opens the project's cases, gold items and first calibration rounds ({@code $open-cases}). */
    public CaseRouting.Opened openCases(String projectId) {
        return routing.open(projectId);
    }

    /** Claims the next task for the caller ({@code $next-case}); empty when none is left. */
    public Optional<Task> nextCase(String projectId, Caller caller, Optional<String> stage) {
        return claims.next(projectId, caller, stage);
    }

    /** Labels for an annotate, calibrate or blind review task ({@code $submit}). */
    public Stages.Outcome submit(String taskId, Caller caller, List<IBaseResource> labels) {
        Stages.Outcome outcome = stages.submit(taskId, caller, labels);
        after(outcome);
        return outcome;
    }

    /** A review or re-evaluation decision ({@code $review}). */
    public Stages.Outcome review(
            String taskId,
            Caller caller,
            String decision,
            Optional<String> comment,
            List<IBaseResource> labels) {
        Stages.Outcome outcome = stages.review(taskId, caller, decision, comment, labels);
        after(outcome);
        return outcome;
    }

    /** An adjudication ({@code $adjudicate}). */
    public Stages.Outcome adjudicate(
            String taskId,
            Caller caller,
            List<String> chosen,
            List<IBaseResource> labels,
            Optional<String> rationale) {
        Stages.Outcome outcome = stages.adjudicate(taskId, caller, chosen, labels, rationale);
        after(outcome);
        return outcome;
    }

    /** AI pre-labels for a project ({@code $submit} on the ResearchStudy). */
    public List<CaseRouting.Routed> submitAiLabels(String projectId, List<IBaseResource> labels) {
        return routing.submitAi(projectId, labels);
    }

    /** AI labels stored through the plain FHIR API: their unstarted cases are routed again. */
    public void aiLabelsStored(List<String> labelIds) {
        routing.aiLabelsStored(labelIds);
    }

    /**
     * Re-evaluate tasks for the final labels a new schema version affects ({@code $re-evaluate}).
     */
    public CaseRouting.ReEvaluation reEvaluate(
            String projectId, String toVersion, Optional<String> fromVersion) {
        return routing.reEvaluate(projectId, toVersion, fromVersion);
    }

    /** Who may do what ({@code $skills-matrix}). */
    public Reports.Matrix skillsMatrix(String projectId, Optional<LocalDate> day) {
        return reports.skillsMatrix(projectId, day);
    }

    /** The automation-bias figures ({@code $automation-bias}); raises or withdraws the issues. */
    public AutomationBias.Report automationBias(String projectId) {
        ProjectContext project = env.projects.load(projectId);
        AutomationBias.Report report = reports.automationBias(project);
        reports.raiseBiasIssues(project, report);
        return report;
    }

    /** The project's work figures ({@code $work-report}). */
    public Reports.Work workReport(String projectId) {
        return reports.work(projectId);
    }

    public Clock clock() {
        return env.clock;
    }

    /**
     * After a committed submission or decision: the automation-bias check after AI decisions and
     * blind reads, and the metrics of a case that became final. Failures here are logged: the work
     * itself is stored, and {@code $automation-bias} repeats the check.
     */
    private void after(Stages.Outcome outcome) {
        Optional<String> project = outcome.project();
        if (project.isEmpty()) {
            return;
        }
        String id = project.get().substring(project.get().indexOf('/') + 1);
        try {
            if (outcome.events().contains("ai-review") || outcome.events().contains("blind-read")) {
                ProjectContext context = env.projects.load(id);
                reports.raiseBiasIssues(context, reports.automationBias(context));
            }
            if (!outcome.finalLabels().isEmpty() || outcome.outcome().equals("re-annotate")) {
                ProjectContext context = env.projects.load(id);
                Tasks.caseTask(outcome.task()).ifPresent(c -> caseMetrics(context, c));
                routing.updateBacklog(context);
            }
        } catch (RuntimeException e) {
            LOG.error(
                    "Workflow follow-up after {} failed; the work is stored ({})",
                    Tasks.ref(outcome.task()),
                    e.getClass().getSimpleName(),
                    e);
        }
    }

    private void caseMetrics(ProjectContext project, String caseRef) {
        Task caseTask = env.store.read(Task.class, caseRef).orElse(null);
        if (caseTask == null || caseTask.getStatus() != Task.TaskStatus.COMPLETED) {
            return;
        }
        Set<String> finals = codes(env.labels(Tasks.outputRefs(caseTask, Tasks.LABEL)));
        for (Task slot : claims.slots(caseTask, Tasks.round(caseTask))) {
            if (slot.getStatus() == Task.TaskStatus.COMPLETED) {
                Set<String> mine = codes(env.labels(Tasks.outputRefs(slot, Tasks.LABEL)));
                Tasks.owner(slot)
                        .ifPresent(
                                o -> env.metrics.agreement(project.id(), o, mine.equals(finals)));
            }
        }
    }

    private static Set<String> codes(List<Label> labels) {
        Set<String> codes = new TreeSet<>();
        labels.forEach(l -> codes.add(l.code().key()));
        return codes;
    }
}
