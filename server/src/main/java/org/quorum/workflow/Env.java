package org.quorum.workflow;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Task;
import org.quorum.labels.Label;
import org.quorum.labels.LabelReadModel;
import org.quorum.quality.QualityService;
import org.quorum.workflow.WorkflowException.Problem;
import org.quorum.workflow.skills.Member;
import org.quorum.workflow.store.Tasks;
import org.quorum.workflow.store.WorkflowStore;

/** What the parts of the workflow service share: the store, projects, clock and metrics. */
final class Env {

    /** Attempts of a unit of work that conflicts with concurrent changes of the same case. */
    static final int ATTEMPTS = 8;

    final WorkflowStore store;
    final Projects projects;
    final QualityService quality;
    final Clock clock;
    final WorkflowMetrics metrics;

    Env(WorkflowStore store, QualityService quality, Clock clock, WorkflowMetrics metrics) {
        this.store = store;
        this.projects = new Projects(store, quality);
        this.quality = quality;
        this.clock = clock;
        this.metrics = metrics;
    }

    Instant now() {
        return clock.instant();
    }

    LocalDate today() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC));
    }

    /** The caller as a member of the project's roster, or 403. */
    Member member(ProjectContext project, Caller caller) {
        String role = caller.practitionerRole();
        return store.member(project.reference(), role)
                .orElseThrow(
                        () ->
                                new WorkflowException(
                                        Problem.NOT_ON_ROSTER,
                                        role
                                                + " is not on the roster of "
                                                + project.reference()
                                                + " (a PractitionerRole with the quorum-project"
                                                + " extension naming it); ask the project"
                                                + " admin"));
    }

    /** The project a review Task belongs to. */
    ProjectContext projectOf(Task task) {
        String project =
                Tasks.project(task)
                        .orElseThrow(
                                () ->
                                        new WorkflowException(
                                                Problem.UNKNOWN_TASK,
                                                Tasks.ref(task)
                                                        + " belongs to no project; it is not a"
                                                        + " review task"));
        return projects.load(project.substring(project.indexOf('/') + 1));
    }

    /** Labels by reference, as records, in the order asked (missing ones left out). */
    List<Label> labels(List<String> references) {
        Map<String, Label> byId =
                store.labels().labelsById(references).stream()
                        .collect(Collectors.toMap(Label::id, Function.identity(), (a, b) -> a));
        return references.stream().map(byId::get).filter(l -> l != null).toList();
    }

    /** Stored label Observations by reference, in the order asked. */
    List<Observation> observations(List<String> references) {
        return references.stream()
                .map(r -> store.read(Observation.class, r))
                .flatMap(Optional::stream)
                .toList();
    }

    static Label record(Observation stored) {
        return LabelReadModel.toLabel(stored);
    }

    static Optional<Instant> instant(Date date) {
        return Optional.ofNullable(date).map(Date::toInstant);
    }

    /** Whether a task is still open for work (not completed, cancelled, failed, rejected). */
    static boolean open(Task task) {
        return Set.of(
                        Task.TaskStatus.READY,
                        Task.TaskStatus.REQUESTED,
                        Task.TaskStatus.RECEIVED,
                        Task.TaskStatus.ACCEPTED,
                        Task.TaskStatus.INPROGRESS)
                .contains(task.getStatus());
    }
}
