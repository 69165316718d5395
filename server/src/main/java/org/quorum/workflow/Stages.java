package org.quorum.workflow;

import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.quorum.labels.Label;
import org.quorum.quality.calibration.Calibration;
import org.quorum.quality.data.SchemaVersion;
import org.quorum.workflow.WorkflowException.Problem;
import org.quorum.workflow.routing.Consensus;
import org.quorum.workflow.routing.Sampling;
import org.quorum.workflow.skills.Member;
import org.quorum.workflow.store.Tasks;
import org.quorum.workflow.store.WorkflowStore;

/**
 * The work on claimed tasks: {@code $submit} (annotation, calibration, blind read), {@code $review}
 * (review and re-evaluation) and {@code $adjudicate}, and what follows each on the case: consensus
 * of the round's labels, then a review, an adjudication, or (review sampled out) the final label.
 * Each request is one transaction that also updates the case task, so concurrent submissions to the
 * same case are serialised by the database (see {@link WorkflowStore}).
 */
public final class Stages {

    private final Env env;
    private final CalibrationGate calibration;
    private final Claims claims;

    Stages(Env env, CalibrationGate calibration, Claims claims) {
        this.env = env;
        this.calibration = calibration;
        this.claims = claims;
    }

    /** What a submission or decision did. */
    public record Outcome(
            Task task,
            List<Observation> labels,
            List<Observation> finalLabels,
            String outcome,
            Optional<Calibration.Result> calibration,
            Optional<String> project,
            List<String> events) {}

    // ---- checks shared by the operations ----

    private record Claimed(Task task, Stage stage, ProjectContext project, Member member) {}

    private Claimed claimed(String taskId, Caller caller, Set<Stage> stages, String operation) {
        Task task = env.store.task(taskId);
        Stage stage =
                Tasks.stage(task)
                        .orElseThrow(
                                () ->
                                        new WorkflowException(
                                                Problem.UNKNOWN_TASK,
                                                "Task/" + taskId + " is not a review task"));
        ProjectContext project = env.projectOf(task);
        Member member = env.member(project, caller);
        if (!Tasks.owner(task).filter(member.role()::equals).isPresent()) {
            throw new WorkflowException(
                    Problem.NOT_YOUR_TASK,
                    "Task/"
                            + taskId
                            + " is not assigned to "
                            + member.role()
                            + "; claim work with $next-case");
        }
        if (!stages.contains(stage)) {
            throw new WorkflowException(
                    Problem.WRONG_STAGE,
                    "Task/"
                            + taskId
                            + " is a "
                            + stage.code()
                            + " task; "
                            + operation
                            + " applies to "
                            + stages.stream().map(Stage::code).toList()
                            + (stage == Stage.REVIEW || stage == Stage.RE_EVALUATE
                                    ? " (decide it with $review)"
                                    : stage == Stage.ADJUDICATE
                                            ? " (decide it with $adjudicate)"
                                            : " (label it with $submit)"));
        }
        requireOpen(task);
        return new Claimed(task, stage, project, member);
    }

    private static void requireOpen(Task task) {
        if (!Env.open(task)) {
            throw new WorkflowException(
                    Problem.TASK_CLOSED,
                    Tasks.ref(task)
                            + " is "
                            + task.getStatus().toCode()
                            + "; nothing can be submitted to it any more");
        }
    }

    // ---- $submit ----

    Outcome submit(String taskId, Caller caller, List<IBaseResource> labels) {
        Claimed claimed =
                claimed(
                        taskId,
                        caller,
                        Set.of(Stage.ANNOTATE, Stage.CALIBRATE, Stage.REVIEW),
                        "$submit");
        if (labels.isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER,
                    "parameter 'label' is required: one Observation per finding (use the"
                            + " schema's code for 'no finding' when there is none)");
        }
        return switch (claimed.stage()) {
            case CALIBRATE -> submitCalibration(claimed, labels);
            case REVIEW -> {
                if (!Tasks.inputFlag(claimed.task(), Tasks.BLIND)) {
                    throw new WorkflowException(
                            Problem.WRONG_STAGE,
                            Tasks.ref(claimed.task())
                                    + " is a review of labels; decide it with $review ($submit is"
                                    + " for blind reads)");
                }
                yield submitBlindRead(claimed, labels);
            }
            default -> submitAnnotation(claimed, labels);
        };
    }

    private Outcome submitAnnotation(Claimed claimed, List<IBaseResource> submitted) {
        ProjectContext project = claimed.project();
        Member member = claimed.member();
        List<String> events = new ArrayList<>();
        Outcome outcome =
                env.store.retrying(
                        Env.ATTEMPTS,
                        () -> {
                            events.clear();
                            Task task = env.store.task(claimed.task().getIdElement().getIdPart());
                            requireOpen(task);
                            Task caseTask = caseOf(task);
                            List<String> suggestions = Tasks.inputRefs(task, Tasks.SUGGESTION);
                            Optional<String> device = deviceOf(suggestions);
                            Instant now = env.now();
                            List<Observation> stored =
                                    storeLabels(
                                            project,
                                            submitted,
                                            new LabelIntake.Expected(
                                                    project.reference(),
                                                    ref(task.getFocus()),
                                                    ref(task.getFor()),
                                                    member.role(),
                                                    device,
                                                    Observation.ObservationStatus.PRELIMINARY),
                                            Optional.empty());
                            Provenance provenance =
                                    Trail.step(
                                            Stage.ANNOTATE,
                                            Trail.versioned(stored),
                                            List.of(
                                                    agent(
                                                            project,
                                                            member,
                                                            Stage.ANNOTATE,
                                                            caseTask,
                                                            "author")),
                                            suggestions.stream().map(Reference::new).toList(),
                                            Optional.empty(),
                                            now);
                            IIdType provenanceId = env.store.create(provenance);
                            stored.forEach(
                                    o ->
                                            Tasks.addOutput(
                                                    task,
                                                    Tasks.LABEL,
                                                    new Reference(
                                                            o.getIdElement()
                                                                    .toUnqualifiedVersionless()
                                                                    .getValue())));
                            task.addRelevantHistory(
                                    new Reference(
                                            provenanceId.toUnqualifiedVersionless().getValue()));
                            CaseTasks.complete(task, now);
                            env.store.update(task);
                            String result;
                            if (CaseTasks.isGold(caseTask)) {
                                result = "submitted";
                                goldRead(project, member, caseTask, task, stored, events);
                            } else {
                                afterAnnotation(project, caseTask, task, stored, events);
                                // The last label of a case says where the case went.
                                result =
                                        events.contains("adjudicate")
                                                ? "adjudicate"
                                                : events.contains("final") ? "final" : "submitted";
                            }
                            return new Outcome(
                                    task,
                                    stored,
                                    List.of(),
                                    result,
                                    Optional.empty(),
                                    Optional.of(project.reference()),
                                    List.copyOf(events));
                        });
        Task task = outcome.task();
        env.metrics.caseDone(
                project.id(),
                member.role(),
                Duration.between(
                        task.getExecutionPeriod().getStart().toInstant(),
                        task.getExecutionPeriod().getEnd().toInstant()));
        return outcome;
    }

    /** Case progress after an annotation: when the round is complete, the next stage. */
    private void afterAnnotation(
            ProjectContext project,
            Task caseTask,
            Task justDone,
            List<Observation> justStored,
            List<String> events) {
        int round = Tasks.round(caseTask);
        int needed = Tasks.inputInteger(caseTask, Tasks.ANNOTATORS_NEEDED).orElse(1);
        List<Task> slots = new ArrayList<>(claims.slots(caseTask, round));
        slots.removeIf(
                t -> t.getIdElement().getIdPart().equals(justDone.getIdElement().getIdPart()));
        slots.add(justDone);
        slots.sort(Comparator.comparing(t -> Long.parseLong(t.getIdElement().getIdPart())));
        long labelled =
                slots.stream().filter(t -> t.getStatus() == Task.TaskStatus.COMPLETED).count();
        Instant now = env.now();
        caseTask.setLastModified(Date.from(now));
        if (labelled < needed) {
            CaseTasks.businessStatus(
                    caseTask,
                    "annotating",
                    "Round "
                            + round
                            + ": "
                            + slots.size()
                            + " of "
                            + needed
                            + " annotators claimed, "
                            + labelled
                            + " labelled");
            env.store.update(caseTask);
            return;
        }
        Map<String, List<Label>> byTask = new LinkedHashMap<>();
        for (Task slot : slots) {
            if (slot == justDone) {
                byTask.put(Tasks.ref(slot), justStored.stream().map(Env::record).toList());
            } else {
                byTask.put(Tasks.ref(slot), env.labels(Tasks.outputRefs(slot, Tasks.LABEL)));
            }
        }
        List<List<Label>> perAnnotator = List.copyOf(byTask.values());
        List<String> allLabels =
                perAnnotator.stream().flatMap(List::stream).map(Label::id).toList();
        boolean agree = Consensus.agree(perAnnotator, project.policy().overlapThreshold());
        String source = ref(caseTask.getFocus());
        Set<String> caseTypes = caseTypes(source);
        if (agree) {
            boolean review =
                    project.policy().reviewAlways()
                            || Sampling.selected(
                                    "review",
                                    project.reference() + " " + Tasks.ref(caseTask) + " " + round,
                                    project.policy().reviewFraction());
            if (review) {
                Task reviewTask =
                        CaseTasks.stageTask(
                                Stage.REVIEW,
                                caseTask,
                                Task.TaskStatus.READY,
                                project.policy().requiredCodes(Stage.REVIEW, caseTypes),
                                now);
                reviewTask.setFocus(new Reference(perAnnotator.get(0).get(0).id()));
                slots.forEach(s -> reviewTask.addBasedOn(new Reference(Tasks.ref(s))));
                allLabels.forEach(l -> Tasks.addInput(reviewTask, Tasks.LABEL, new Reference(l)));
                env.store.create(reviewTask);
                caseTask.setStatus(Task.TaskStatus.INPROGRESS);
                CaseTasks.businessStatus(
                        caseTask,
                        "review",
                        "Round "
                                + round
                                + ": the labels agree; "
                                + Tasks.ref(reviewTask)
                                + " reviews them");
                events.add("review");
                env.store.update(caseTask);
            } else {
                finalByConsensus(project, caseTask, slots, perAnnotator, now);
                events.add("final");
            }
        } else {
            Task adjudicate =
                    CaseTasks.stageTask(
                            Stage.ADJUDICATE,
                            caseTask,
                            Task.TaskStatus.READY,
                            project.policy().requiredCodes(Stage.ADJUDICATE, caseTypes),
                            now);
            slots.forEach(s -> adjudicate.addBasedOn(new Reference(Tasks.ref(s))));
            int annotator = 0;
            for (List<Label> labels : perAnnotator) {
                annotator++;
                for (Label label : labels) {
                    // Annotators appear to the adjudicator by number, not by name.
                    Tasks.addInput(
                            adjudicate,
                            Tasks.LABEL,
                            new Reference(label.id()).setDisplay("annotator " + annotator));
                }
            }
            env.store.create(adjudicate);
            caseTask.setStatus(Task.TaskStatus.INPROGRESS);
            CaseTasks.businessStatus(
                    caseTask,
                    "adjudication",
                    "Round "
                            + round
                            + ": the labels disagree; "
                            + Tasks.ref(adjudicate)
                            + " resolves them");
            events.add("adjudicate");
            env.store.update(caseTask);
        }
        // Agreement of each annotator with the case's outcome feeds /metrics when it is final.
    }

    private void finalByConsensus(
            ProjectContext project,
            Task caseTask,
            List<Task> slots,
            List<List<Label>> perAnnotator,
            Instant now) {
        Task first = slots.get(0);
        String performer = Tasks.owner(first).orElseThrow();
        List<Observation> templates = env.observations(Tasks.outputRefs(first, Tasks.LABEL));
        List<Observation> finals = new ArrayList<>();
        for (Observation template : templates) {
            Observation label =
                    Trail.finalLabel(
                            template,
                            performer,
                            Optional.ofNullable(LabelRefs.device(template)),
                            Optional.empty(),
                            now);
            env.store.create(label);
            finals.add(label);
        }
        List<Trail.Agent> agents = new ArrayList<>();
        for (Task slot : slots) {
            String owner = Tasks.owner(slot).orElseThrow();
            Member member = env.store.member(project.reference(), owner).orElse(null);
            agents.add(
                    member == null
                            ? new Trail.Agent(owner, "author", List.of())
                            : agent(project, member, Stage.ANNOTATE, caseTask, "author"));
        }
        Provenance provenance =
                Trail.step(
                        Stage.CONSENSUS,
                        Trail.versioned(finals),
                        agents,
                        perAnnotator.stream()
                                .flatMap(List::stream)
                                .map(l -> new Reference(l.id()))
                                .toList(),
                        Optional.empty(),
                        now);
        env.store.create(provenance);
        completeCase(project, caseTask, finals, "Final by consensus (review sampled out)", now);
    }

    private void completeCase(
            ProjectContext project,
            Task caseTask,
            List<Observation> finals,
            String text,
            Instant now) {
        caseTask.getOutput().removeIf(o -> true);
        finals.forEach(
                f ->
                        Tasks.addOutput(
                                caseTask,
                                Tasks.LABEL,
                                new Reference(
                                        f.getIdElement().toUnqualifiedVersionless().getValue())));
        caseTask.setStatus(Task.TaskStatus.COMPLETED);
        caseTask.setExecutionPeriod(caseTask.getExecutionPeriod().setEnd(Date.from(now)));
        caseTask.setLastModified(Date.from(now));
        CaseTasks.businessStatus(caseTask, "final", text);
        env.store.update(caseTask);
    }

    /** A gold item read: compared with the reference; may pause the annotator. */
    private void goldRead(
            ProjectContext project,
            Member member,
            Task goldCase,
            Task justDone,
            List<Observation> stored,
            List<String> events) {
        SearchParameterMap goldQuery = WorkflowStore.tasksOf(project.reference(), Stage.CASE);
        WorkflowStore.withBusinessStatus(goldQuery, "gold");
        List<Task> goldCases = env.store.search(Task.class, goldQuery);
        SearchParameterMap mine = SearchParameterMap.newSynchronous();
        WorkflowStore.withOwner(mine, member.role());
        WorkflowStore.partOf(mine, goldCases.stream().map(Tasks::ref).toList());
        WorkflowStore.withStatus(mine, Task.TaskStatus.COMPLETED);
        List<Task> reads = new ArrayList<>(env.store.search(Task.class, mine));
        reads.removeIf(
                t -> t.getIdElement().getIdPart().equals(justDone.getIdElement().getIdPart()));
        Map<String, String> sourceOfCase = new LinkedHashMap<>();
        goldCases.forEach(c -> sourceOfCase.put(Tasks.ref(c), ref(c.getFocus())));
        Map<String, String> references =
                calibration.references(
                        project, List.copyOf(new LinkedHashSet<>(sourceOfCase.values())));
        List<CalibrationGate.GoldRead> goldReads = new ArrayList<>();
        for (Task read : reads) {
            List<Label> labels = env.labels(Tasks.outputRefs(read, Tasks.LABEL));
            String source = sourceOfCase.get(Tasks.caseTask(read).orElse(""));
            if (labels.isEmpty() || source == null) {
                continue;
            }
            goldReads.add(
                    new CalibrationGate.GoldRead(
                            read.getExecutionPeriod().getEnd().toInstant(),
                            source,
                            references.get(source),
                            labels.get(0).code().code()));
        }
        String source = ref(goldCase.getFocus());
        goldReads.add(
                new CalibrationGate.GoldRead(
                        justDone.getExecutionPeriod().getEnd().toInstant(),
                        source,
                        references.get(source),
                        Env.record(stored.get(0)).code().code()));
        calibration.checkGold(project, member, goldReads).ifPresent(i -> events.add("paused"));
    }

    private Outcome submitCalibration(Claimed claimed, List<IBaseResource> submitted) {
        ProjectContext project = claimed.project();
        Member member = claimed.member();
        return env.store.retrying(
                Env.ATTEMPTS,
                () -> {
                    Task task = env.store.task(claimed.task().getIdElement().getIdPart());
                    requireOpen(task);
                    List<String> cases = Tasks.inputRefs(task, Tasks.CASE);
                    List<Label> previous = env.labels(Tasks.outputRefs(task, Tasks.LABEL));
                    Set<String> done = new LinkedHashSet<>();
                    previous.forEach(l -> done.add(l.source()));
                    Instant now = env.now();
                    List<Observation> stored = new ArrayList<>();
                    for (int i = 0; i < submitted.size(); i++) {
                        IBaseResource resource = submitted.get(i);
                        String source =
                                resource instanceof Observation o && o.getDerivedFrom().size() == 1
                                        ? ref(o.getDerivedFromFirstRep())
                                        : null;
                        if (source == null || !cases.contains(source)) {
                            throw new WorkflowException(
                                    Problem.INVALID_LABEL,
                                    "label "
                                            + (i + 1)
                                            + " must name one calibration case of "
                                            + Tasks.ref(task)
                                            + " in derivedFrom (its inputs 'case')");
                        }
                        if (!done.add(source)) {
                            throw new WorkflowException(
                                    Problem.TASK_CLOSED,
                                    source
                                            + " is already labelled in this calibration round;"
                                            + " each case is labelled once");
                        }
                        String patient =
                                env.store
                                        .read(source)
                                        .map(Stages::subjectOf)
                                        .orElseThrow(
                                                () ->
                                                        new WorkflowException(
                                                                Problem.BAD_POLICY,
                                                                "calibration case "
                                                                        + source
                                                                        + " no longer exists"));
                        Observation label =
                                LabelIntake.accept(
                                        resource,
                                        new LabelIntake.Expected(
                                                project.reference(),
                                                source,
                                                patient,
                                                member.role(),
                                                Optional.empty(),
                                                Observation.ObservationStatus.PRELIMINARY),
                                        project.schema(),
                                        project.allowedCodes(),
                                        i);
                        env.store.create(label);
                        stored.add(label);
                    }
                    Provenance provenance =
                            Trail.step(
                                    Stage.CALIBRATE,
                                    Trail.versioned(stored),
                                    List.of(
                                            new Trail.Agent(
                                                    member.role(),
                                                    "author",
                                                    member.qualifications().stream()
                                                            .filter(q -> q.validOn(env.today()))
                                                            .toList())),
                                    List.of(),
                                    Optional.empty(),
                                    now);
                    IIdType provenanceId = env.store.create(provenance);
                    task.addRelevantHistory(
                            new Reference(provenanceId.toUnqualifiedVersionless().getValue()));
                    stored.forEach(
                            o ->
                                    Tasks.addOutput(
                                            task,
                                            Tasks.LABEL,
                                            new Reference(
                                                    o.getIdElement()
                                                            .toUnqualifiedVersionless()
                                                            .getValue())));
                    if (!task.getExecutionPeriod().hasStart()) {
                        task.getExecutionPeriod().setStart(Date.from(now));
                    }
                    task.setStatus(Task.TaskStatus.INPROGRESS);
                    task.setLastModified(Date.from(now));
                    Optional<Calibration.Result> result = Optional.empty();
                    String outcome = "submitted";
                    if (done.containsAll(cases)) {
                        List<Label> all = new ArrayList<>(previous);
                        stored.forEach(o -> all.add(Env.record(o)));
                        Calibration.Result assessed = calibration.assess(project, task, all);
                        CaseTasks.complete(task, now);
                        result = Optional.of(assessed);
                        env.store.update(task);
                        if (assessed.passed()) {
                            outcome = "calibration-passed";
                            calibration.lift(project, member.role(), task);
                        } else {
                            outcome = "calibration-failed";
                            calibration.createRound(project, member.role(), Tasks.round(task) + 1);
                        }
                    } else {
                        env.store.update(task);
                    }
                    return new Outcome(
                            task,
                            stored,
                            List.of(),
                            outcome,
                            result,
                            Optional.of(project.reference()),
                            List.of());
                });
    }

    private Outcome submitBlindRead(Claimed claimed, List<IBaseResource> submitted) {
        ProjectContext project = claimed.project();
        Member member = claimed.member();
        return env.store.retrying(
                Env.ATTEMPTS,
                () -> {
                    Task task = env.store.task(claimed.task().getIdElement().getIdPart());
                    requireOpen(task);
                    Task caseTask = caseOf(task);
                    Instant now = env.now();
                    List<Observation> stored =
                            storeLabels(
                                    project,
                                    submitted,
                                    new LabelIntake.Expected(
                                            project.reference(),
                                            ref(caseTask.getFocus()),
                                            ref(caseTask.getFor()),
                                            member.role(),
                                            Optional.empty(),
                                            Observation.ObservationStatus.PRELIMINARY),
                                    Optional.empty());
                    List<String> aiRefs = Tasks.inputRefs(caseTask, Tasks.SUGGESTION);
                    List<Label> ai = env.labels(aiRefs);
                    List<Label> blind = stored.stream().map(Env::record).toList();
                    boolean agree =
                            Consensus.sameFindings(blind, ai, project.policy().overlapThreshold());
                    stored.forEach(
                            o ->
                                    Tasks.addOutput(
                                            task,
                                            Tasks.LABEL,
                                            new Reference(
                                                    o.getIdElement()
                                                            .toUnqualifiedVersionless()
                                                            .getValue())));
                    Tasks.addOutput(
                            task,
                            Tasks.DECISION,
                            new CodeType(agree ? "blind-agree" : "blind-disagree"));
                    CaseTasks.complete(task, now);
                    List<Reference> sources = new ArrayList<>(Trail.versioned(stored));
                    aiRefs.forEach(r -> sources.add(new Reference(r)));
                    List<Observation> finals = new ArrayList<>();
                    String result;
                    if (agree) {
                        for (Observation template : stored) {
                            Observation label =
                                    Trail.finalLabel(
                                            template,
                                            member.role(),
                                            Optional.empty(),
                                            Optional.empty(),
                                            now);
                            env.store.create(label);
                            finals.add(label);
                        }
                        Provenance provenance =
                                Trail.step(
                                        Stage.REVIEW,
                                        Trail.versioned(finals),
                                        List.of(
                                                agent(
                                                        project,
                                                        member,
                                                        Stage.REVIEW,
                                                        caseTask,
                                                        "verifier")),
                                        sources,
                                        Optional.empty(),
                                        now);
                        task.addRelevantHistory(
                                new Reference(
                                        env.store
                                                .create(provenance)
                                                .toUnqualifiedVersionless()
                                                .getValue()));
                        env.store.update(task);
                        completeCase(
                                project,
                                caseTask,
                                finals,
                                "Final: the blind read agrees with the AI label",
                                now);
                        result = "final";
                    } else {
                        Provenance provenance =
                                Trail.step(
                                        Stage.REVIEW,
                                        Trail.versioned(stored),
                                        List.of(
                                                agent(
                                                        project,
                                                        member,
                                                        Stage.REVIEW,
                                                        caseTask,
                                                        "author")),
                                        List.of(),
                                        Optional.empty(),
                                        now);
                        task.addRelevantHistory(
                                new Reference(
                                        env.store
                                                .create(provenance)
                                                .toUnqualifiedVersionless()
                                                .getValue()));
                        env.store.update(task);
                        Task adjudicate =
                                CaseTasks.stageTask(
                                        Stage.ADJUDICATE,
                                        caseTask,
                                        Task.TaskStatus.READY,
                                        project.policy()
                                                .requiredCodes(
                                                        Stage.ADJUDICATE,
                                                        caseTypes(ref(caseTask.getFocus()))),
                                        now);
                        adjudicate.addBasedOn(new Reference(Tasks.ref(task)));
                        aiRefs.forEach(
                                r ->
                                        Tasks.addInput(
                                                adjudicate,
                                                Tasks.LABEL,
                                                new Reference(r).setDisplay("AI")));
                        stored.forEach(
                                o ->
                                        Tasks.addInput(
                                                adjudicate,
                                                Tasks.LABEL,
                                                new Reference(
                                                                o.getIdElement()
                                                                        .toUnqualifiedVersionless()
                                                                        .getValue())
                                                        .setDisplay("blind reader")));
                        env.store.create(adjudicate);
                        caseTask.setStatus(Task.TaskStatus.INPROGRESS);
                        caseTask.setLastModified(Date.from(now));
                        CaseTasks.businessStatus(
                                caseTask,
                                "adjudication",
                                "The blind read disagrees with the AI label; "
                                        + Tasks.ref(adjudicate)
                                        + " resolves them");
                        env.store.update(caseTask);
                        result = "adjudicate";
                    }
                    return new Outcome(
                            task,
                            stored,
                            finals,
                            result,
                            Optional.empty(),
                            Optional.of(project.reference()),
                            List.of("blind-read"));
                });
    }

    // ---- $review ----

    Outcome review(
            String taskId,
            Caller caller,
            String decisionCode,
            Optional<String> comment,
            List<IBaseResource> labels) {
        Claimed claimed =
                claimed(taskId, caller, Set.of(Stage.REVIEW, Stage.RE_EVALUATE), "$review");
        Decision decision =
                Decision.fromCode(decisionCode == null ? "" : decisionCode)
                        .orElseThrow(
                                () ->
                                        new WorkflowException(
                                                Problem.BAD_PARAMETER,
                                                "parameter 'decision' is "
                                                        + (decisionCode == null
                                                                ? "missing"
                                                                : "'" + decisionCode + "'")
                                                        + "; use accept, modify or reject"));
        if (decision != Decision.ACCEPT && comment.filter(c -> !c.isBlank()).isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER,
                    "parameter 'comment' is required when you "
                            + decision.code()
                            + "; say what was wrong");
        }
        if (decision == Decision.MODIFY && labels.isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER,
                    "decision modify needs the corrected label(s) in parameter 'label'");
        }
        if (decision != Decision.MODIFY && !labels.isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER, "parameter 'label' goes with decision modify only");
        }
        if (claimed.stage() == Stage.RE_EVALUATE) {
            return reEvaluate(claimed, decision, comment, labels);
        }
        if (Tasks.inputFlag(claimed.task(), Tasks.BLIND)) {
            throw new WorkflowException(
                    Problem.WRONG_STAGE,
                    Tasks.ref(claimed.task()) + " is a blind read: label the case with $submit");
        }
        ProjectContext project = claimed.project();
        Member member = claimed.member();
        Outcome outcome =
                env.store.retrying(
                        Env.ATTEMPTS,
                        () -> {
                            Task task = env.store.task(claimed.task().getIdElement().getIdPart());
                            requireOpen(task);
                            Task caseTask = caseOf(task);
                            Instant now = env.now();
                            List<String> suggestions = Tasks.inputRefs(task, Tasks.SUGGESTION);
                            boolean ai = !suggestions.isEmpty();
                            List<String> reviewed =
                                    ai ? suggestions : Tasks.inputRefs(task, Tasks.LABEL);
                            List<Observation> templates = env.observations(reviewed);
                            List<Observation> finals = new ArrayList<>();
                            Optional<String> aiDevice =
                                    ai ? deviceOf(suggestions) : Optional.empty();
                            if (decision == Decision.ACCEPT) {
                                for (Observation template : templates) {
                                    Observation label =
                                            Trail.finalLabel(
                                                    template,
                                                    member.role(),
                                                    Optional.ofNullable(LabelRefs.device(template)),
                                                    comment.filter(c -> !c.isBlank()),
                                                    now);
                                    env.store.create(label);
                                    finals.add(label);
                                }
                            } else if (decision == Decision.MODIFY) {
                                finals.addAll(
                                        storeLabels(
                                                project,
                                                labels,
                                                new LabelIntake.Expected(
                                                        project.reference(),
                                                        ref(caseTask.getFocus()),
                                                        ref(caseTask.getFor()),
                                                        member.role(),
                                                        aiDevice,
                                                        Observation.ObservationStatus.FINAL),
                                                comment.filter(c -> !c.isBlank())));
                            }
                            List<Reference> targets =
                                    decision == Decision.REJECT
                                            ? List.of(new Reference(Tasks.ref(task)))
                                            : Trail.versioned(finals);
                            Provenance provenance =
                                    Trail.step(
                                            Stage.REVIEW,
                                            targets,
                                            List.of(
                                                    agent(
                                                            project,
                                                            member,
                                                            Stage.REVIEW,
                                                            caseTask,
                                                            "verifier")),
                                            Trail.versioned(templates),
                                            Optional.empty(),
                                            now);
                            IIdType provenanceId = env.store.create(provenance);
                            task.addRelevantHistory(
                                    new Reference(
                                            provenanceId.toUnqualifiedVersionless().getValue()));
                            Tasks.addOutput(task, Tasks.DECISION, new CodeType(decision.code()));
                            comment.filter(c -> !c.isBlank())
                                    .ifPresent(
                                            c ->
                                                    Tasks.addOutput(
                                                            task,
                                                            Tasks.COMMENT,
                                                            new StringType(c)));
                            finals.forEach(
                                    f ->
                                            Tasks.addOutput(
                                                    task,
                                                    Tasks.LABEL,
                                                    new Reference(
                                                            f.getIdElement()
                                                                    .toUnqualifiedVersionless()
                                                                    .getValue())));
                            CaseTasks.complete(task, now);
                            env.store.update(task);
                            String result;
                            if (decision == Decision.REJECT) {
                                reopen(
                                        caseTask,
                                        ai,
                                        "Round " + Tasks.round(caseTask) + " rejected by review",
                                        now);
                                result = "re-annotate";
                            } else {
                                completeCase(
                                        project,
                                        caseTask,
                                        finals,
                                        "Final: review " + decision.code() + "ed",
                                        now);
                                result = "final";
                            }
                            return new Outcome(
                                    task,
                                    List.of(),
                                    finals,
                                    result,
                                    Optional.empty(),
                                    Optional.of(project.reference()),
                                    ai ? List.of("ai-review") : List.of());
                        });
        recordDecisionMetrics(project, outcome.task(), decision);
        return outcome;
    }

    private void recordDecisionMetrics(ProjectContext project, Task reviewTask, Decision decision) {
        for (Reference based : reviewTask.getBasedOn()) {
            env.store
                    .read(Task.class, ref(based))
                    .flatMap(Tasks::owner)
                    .ifPresent(owner -> env.metrics.decision(project.id(), owner, decision));
        }
    }

    /** Sends a case back for a new annotation round (after a rejection). */
    private void reopen(Task caseTask, boolean wasAi, String why, Instant now) {
        int round = Tasks.round(caseTask) + 1;
        Tasks.setInput(caseTask, Tasks.ROUND, new IntegerType(round));
        if (wasAi) {
            // A rejected AI label: full annotation, blind to the AI.
            Tasks.setInput(caseTask, Tasks.ROUTE, new CodeType(Route.AI_LOW.code()));
            int needed =
                    Math.max(1, Tasks.inputInteger(caseTask, Tasks.ANNOTATORS_NEEDED).orElse(1));
            Tasks.setInput(caseTask, Tasks.ANNOTATORS_NEEDED, new IntegerType(needed));
        }
        caseTask.setStatus(Task.TaskStatus.READY);
        caseTask.setLastModified(Date.from(now));
        CaseTasks.businessStatus(caseTask, "annotating", why + "; round " + round + " is open");
        env.store.update(caseTask);
    }

    private Outcome reEvaluate(
            Claimed claimed,
            Decision decision,
            Optional<String> comment,
            List<IBaseResource> labels) {
        if (decision == Decision.REJECT) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER,
                    "a re-evaluation is decided with accept (the code stands under the new schema"
                            + " version) or modify (with the new code); reject does not apply");
        }
        if (labels.size() > 1) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER, "a re-evaluation amends one label; give one 'label'");
        }
        ProjectContext project = claimed.project();
        Member member = claimed.member();
        return env.store.retrying(
                Env.ATTEMPTS,
                () -> {
                    Task task = env.store.task(claimed.task().getIdElement().getIdPart());
                    requireOpen(task);
                    String labelRef = ref(task.getFocus());
                    Observation label =
                            env.store
                                    .read(Observation.class, labelRef)
                                    .orElseThrow(
                                            () ->
                                                    new WorkflowException(
                                                            Problem.TASK_CLOSED,
                                                            labelRef + " no longer exists"));
                    String toVersion =
                            Tasks.inputCode(task, Tasks.SCHEMA_VERSION)
                                    .orElse(project.policy().schemaVersion());
                    SchemaVersion schema =
                            env.quality.schemaVersion(project.policy().schemaUrl(), toVersion);
                    Set<String> allowed = new LinkedHashSet<>();
                    schema.concepts().values().stream()
                            .filter(c -> !c.retired())
                            .forEach(c -> allowed.add(c.code()));
                    IdType previous = label.getIdElement().copy();
                    Observation amended = label.copy();
                    if (decision == Decision.ACCEPT) {
                        Coding old =
                                label.getCode().getCoding().stream()
                                        .filter(c -> schema.url().equals(c.getSystem()))
                                        .findFirst()
                                        .orElseThrow();
                        Observation probe = new Observation();
                        probe.setCode(
                                new org.hl7.fhir.r4.model.CodeableConcept(
                                        new Coding(schema.url(), old.getCode(), null)));
                        amended.setCode(LabelIntake.code("the label", probe, schema, allowed));
                    } else {
                        if (!(labels.get(0) instanceof Observation corrected)) {
                            throw new WorkflowException(
                                    Problem.INVALID_LABEL,
                                    "label 1 must be an Observation with the new code");
                        }
                        amended.setCode(LabelIntake.code("label 1", corrected, schema, allowed));
                    }
                    amended.setStatus(Observation.ObservationStatus.AMENDED);
                    amended.getPerformer().clear();
                    amended.addPerformer(new Reference(member.role()));
                    amended.getExtension()
                            .removeIf(
                                    e ->
                                            org.quorum.profiles.QuorumProfiles.EXT_REASONING.equals(
                                                    e.getUrl()));
                    comment.filter(c -> !c.isBlank())
                            .ifPresent(
                                    c ->
                                            amended.addExtension(
                                                    org.quorum.profiles.QuorumProfiles
                                                            .EXT_REASONING,
                                                    new StringType(c)));
                    amended.setId(previous);
                    env.store.update(amended);
                    Instant now = env.now();
                    Provenance provenance =
                            Trail.step(
                                    Stage.RE_EVALUATE,
                                    List.of(Trail.versioned(amended.getIdElement())),
                                    List.of(
                                            agent(
                                                    project,
                                                    member,
                                                    Stage.RE_EVALUATE,
                                                    Tasks.caseTask(task)
                                                            .flatMap(
                                                                    c ->
                                                                            env.store.read(
                                                                                    Task.class, c))
                                                            .orElse(null),
                                                    "verifier")),
                                    List.of(),
                                    Optional.of(Trail.versioned(previous)),
                                    now);
                    IIdType provenanceId = env.store.create(provenance);
                    task.addRelevantHistory(
                            new Reference(provenanceId.toUnqualifiedVersionless().getValue()));
                    Tasks.addOutput(task, Tasks.DECISION, new CodeType(decision.code()));
                    comment.filter(c -> !c.isBlank())
                            .ifPresent(
                                    c -> Tasks.addOutput(task, Tasks.COMMENT, new StringType(c)));
                    Tasks.addOutput(task, Tasks.LABEL, Trail.versioned(amended.getIdElement()));
                    CaseTasks.complete(task, now);
                    env.store.update(task);
                    return new Outcome(
                            task,
                            List.of(),
                            List.of(amended),
                            "amended",
                            Optional.empty(),
                            Optional.of(project.reference()),
                            List.of());
                });
    }

    // ---- $adjudicate ----

    Outcome adjudicate(
            String taskId,
            Caller caller,
            List<String> chosen,
            List<IBaseResource> labels,
            Optional<String> rationale) {
        Claimed claimed = claimed(taskId, caller, Set.of(Stage.ADJUDICATE), "$adjudicate");
        if (rationale.filter(r -> !r.isBlank()).isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER,
                    "parameter 'rationale' is required: say why this label is right");
        }
        if (chosen.isEmpty() && labels.isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER,
                    "give the final label: 'chosen' (a reference to one of the task's input"
                            + " labels) or 'label' (a new Observation)");
        }
        List<String> inputs = Tasks.inputRefs(claimed.task(), Tasks.LABEL);
        for (String choice : chosen) {
            if (!inputs.contains(choice)) {
                throw new WorkflowException(
                        Problem.BAD_PARAMETER,
                        "parameter 'chosen' names "
                                + choice
                                + ", which is not one of the labels of "
                                + Tasks.ref(claimed.task())
                                + " ("
                                + String.join(", ", inputs)
                                + ")");
            }
        }
        ProjectContext project = claimed.project();
        Member member = claimed.member();
        return env.store.retrying(
                Env.ATTEMPTS,
                () -> {
                    Task task = env.store.task(claimed.task().getIdElement().getIdPart());
                    requireOpen(task);
                    Task caseTask = caseOf(task);
                    Instant now = env.now();
                    String reason = rationale.get();
                    List<Observation> finals = new ArrayList<>();
                    for (Observation template : env.observations(chosen)) {
                        Observation label =
                                Trail.finalLabel(
                                        template,
                                        member.role(),
                                        Optional.ofNullable(LabelRefs.device(template)),
                                        Optional.of(reason),
                                        now);
                        env.store.create(label);
                        finals.add(label);
                    }
                    List<Observation> fresh =
                            storeLabels(
                                    project,
                                    labels,
                                    new LabelIntake.Expected(
                                            project.reference(),
                                            ref(caseTask.getFocus()),
                                            ref(caseTask.getFor()),
                                            member.role(),
                                            Optional.empty(),
                                            Observation.ObservationStatus.FINAL),
                                    Optional.of(reason));
                    finals.addAll(fresh);
                    Provenance provenance =
                            Trail.step(
                                    Stage.ADJUDICATE,
                                    Trail.versioned(finals),
                                    List.of(
                                            agent(
                                                    project,
                                                    member,
                                                    Stage.ADJUDICATE,
                                                    caseTask,
                                                    "verifier")),
                                    inputs.stream().map(Reference::new).toList(),
                                    Optional.empty(),
                                    now);
                    IIdType provenanceId = env.store.create(provenance);
                    task.addRelevantHistory(
                            new Reference(provenanceId.toUnqualifiedVersionless().getValue()));
                    Tasks.addOutput(task, Tasks.RATIONALE, new StringType(reason));
                    finals.forEach(
                            f ->
                                    Tasks.addOutput(
                                            task,
                                            Tasks.LABEL,
                                            new Reference(
                                                    f.getIdElement()
                                                            .toUnqualifiedVersionless()
                                                            .getValue())));
                    CaseTasks.complete(task, now);
                    env.store.update(task);
                    completeCase(project, caseTask, finals, "Final: adjudicated", now);
                    return new Outcome(
                            task,
                            List.of(),
                            finals,
                            "final",
                            Optional.empty(),
                            Optional.of(project.reference()),
                            List.of());
                });
    }

    // ---- helpers ----

    private List<Observation> storeLabels(
            ProjectContext project,
            List<IBaseResource> submitted,
            LabelIntake.Expected expected,
            Optional<String> reasoning) {
        List<Observation> stored = new ArrayList<>();
        for (int i = 0; i < submitted.size(); i++) {
            Observation label =
                    LabelIntake.accept(
                            submitted.get(i),
                            expected,
                            project.schema(),
                            project.allowedCodes(),
                            i);
            if (reasoning.isPresent()) {
                label.getExtension()
                        .removeIf(
                                e ->
                                        org.quorum.profiles.QuorumProfiles.EXT_REASONING.equals(
                                                e.getUrl()));
                label.addExtension(
                        org.quorum.profiles.QuorumProfiles.EXT_REASONING,
                        new StringType(reasoning.get()));
            }
            env.store.create(label);
            stored.add(label);
        }
        return stored;
    }

    private Task caseOf(Task stageTask) {
        String caseRef =
                Tasks.caseTask(stageTask)
                        .orElseThrow(
                                () ->
                                        new WorkflowException(
                                                Problem.UNKNOWN_TASK,
                                                Tasks.ref(stageTask) + " is part of no case task"));
        return env.store
                .read(Task.class, caseRef)
                .orElseThrow(
                        () ->
                                new WorkflowException(
                                        Problem.UNKNOWN_TASK, caseRef + " does not exist"));
    }

    private Optional<String> deviceOf(List<String> suggestions) {
        return env.observations(suggestions).stream()
                .map(LabelRefs::device)
                .filter(d -> d != null)
                .findFirst();
    }

    private Set<String> caseTypes(String source) {
        return env.store.read(source).map(CaseTypes::of).orElse(Set.of());
    }

    /** The clinician as Provenance agent, with the qualifications the stage required. */
    private Trail.Agent agent(
            ProjectContext project, Member member, Stage stage, Task caseTask, String type) {
        Set<String> required =
                caseTask == null
                        ? project.policy().requiredCodes(stage, Set.of())
                        : project.policy()
                                .requiredCodes(stage, caseTypes(ref(caseTask.getFocus())));
        List<org.quorum.workflow.skills.Qualification> held =
                member.qualifications().stream()
                        .filter(q -> q.validOn(env.today()))
                        .filter(q -> required.isEmpty() || required.contains(q.code()))
                        .toList();
        return new Trail.Agent(member.role(), type, held);
    }

    static String ref(Reference reference) {
        return org.quorum.labels.LabelReadModel.relative(reference);
    }

    static String subjectOf(IBaseResource source) {
        if (source instanceof org.hl7.fhir.r4.model.DocumentReference note) {
            return ref(note.getSubject());
        }
        if (source instanceof org.hl7.fhir.r4.model.ImagingStudy study) {
            return ref(study.getSubject());
        }
        return null;
    }
}
