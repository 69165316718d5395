package org.quorum.workflow;

import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.workflow.store.Tasks;

/**
 * Builds the review Tasks of a case (docs/workflow.md, "Tasks"). The case task is the composite:
 * focus = the source, for = the patient; the stage tasks are {@code partOf} it, and review and
 * adjudication tasks are {@code basedOn} the annotation tasks whose labels they decide on.
 */
final class CaseTasks {

    private CaseTasks() {}

    /** The case task of a source. */
    static Task caseTask(
            String project,
            String source,
            String patient,
            int annotators,
            Route route,
            List<String> suggestions,
            Collection<String> annotateRequirements,
            Instant now) {
        Task task = Tasks.newTask(Stage.CASE, project, Task.TaskStatus.READY);
        task.setFocus(new Reference(source));
        task.setFor(new Reference(patient));
        task.setAuthoredOn(Date.from(now));
        task.setLastModified(Date.from(now));
        Tasks.addInput(task, Tasks.ROUND, new IntegerType(1));
        Tasks.addInput(task, Tasks.ANNOTATORS_NEEDED, new IntegerType(annotators));
        Tasks.addInput(task, Tasks.ROUTE, new CodeType(route.code()));
        suggestions.forEach(s -> Tasks.addInput(task, Tasks.SUGGESTION, new Reference(s)));
        performerTypes(task, annotateRequirements);
        return task;
    }

    /** A hidden gold item: a case task that is never finalised. */
    static Task goldTask(String project, String source, String patient, Instant now) {
        Task task = Tasks.newTask(Stage.CASE, project, Task.TaskStatus.INPROGRESS);
        task.setFocus(new Reference(source));
        task.setFor(new Reference(patient));
        task.setAuthoredOn(Date.from(now));
        task.setLastModified(Date.from(now));
        Tasks.addInput(task, Tasks.ROUND, new IntegerType(1));
        Tasks.addInput(task, Tasks.ANNOTATORS_NEEDED, new IntegerType(1));
        businessStatus(task, "gold", "Gold item: 0 reads");
        return task;
    }

    /** Sets the case status (businessStatus: code and a line of text). */
    static void businessStatus(Task task, String code, String text) {
        task.setBusinessStatus(
                new CodeableConcept(new Coding(QuorumProfiles.CS_CASE_STATUS, code, null))
                        .setText(text));
    }

    static String businessStatusCode(Task task) {
        return task.getBusinessStatus().getCoding().stream()
                .filter(c -> QuorumProfiles.CS_CASE_STATUS.equals(c.getSystem()))
                .map(Coding::getCode)
                .findFirst()
                .orElse("");
    }

    static boolean isGold(Task caseTask) {
        return "gold".equals(businessStatusCode(caseTask));
    }

    /** Requirements as Task.performerType ({@code system|code} → CodeableConcept). */
    static void performerTypes(Task task, Collection<String> requirements) {
        task.getPerformerType().clear();
        for (String requirement : requirements) {
            int bar = requirement.lastIndexOf('|');
            task.addPerformerType(
                    new CodeableConcept(
                            new Coding(
                                    requirement.substring(0, bar),
                                    requirement.substring(bar + 1),
                                    null)));
        }
    }

    /** The requirement codes a task carries. */
    static List<String> performerTypes(Task task) {
        return task.getPerformerType().stream()
                .flatMap(c -> c.getCoding().stream())
                .filter(c -> c.hasSystem() && c.hasCode())
                .map(c -> c.getSystem() + "|" + c.getCode())
                .toList();
    }

    /** A stage task of the case, copying its focus, patient and round. */
    static Task stageTask(
            Stage stage,
            Task caseTask,
            Task.TaskStatus status,
            Collection<String> requirements,
            Instant now) {
        Task task = Tasks.newTask(stage, Tasks.project(caseTask).orElseThrow(), status);
        task.addPartOf(new Reference(Tasks.ref(caseTask)));
        task.setFocus(caseTask.getFocus().copy());
        task.setFor(caseTask.getFor().copy());
        task.setAuthoredOn(Date.from(now));
        task.setLastModified(Date.from(now));
        Tasks.addInput(task, Tasks.ROUND, new IntegerType(Tasks.round(caseTask)));
        performerTypes(task, requirements);
        return task;
    }

    /** Claims a task for {@code owner}: owner, in progress, execution started now. */
    static void claim(Task task, String owner, Instant now) {
        task.setOwner(new Reference(owner));
        task.setStatus(Task.TaskStatus.INPROGRESS);
        task.setExecutionPeriod(new Period().setStart(Date.from(now)));
        task.setLastModified(Date.from(now));
    }

    /** Completes a task now. */
    static void complete(Task task, Instant now) {
        task.setStatus(Task.TaskStatus.COMPLETED);
        task.getExecutionPeriod().setEnd(Date.from(now));
        task.setLastModified(Date.from(now));
    }

    /** The blind-read flag input. */
    static void blind(Task task) {
        Tasks.addInput(task, Tasks.BLIND, new BooleanType(true));
    }
}
