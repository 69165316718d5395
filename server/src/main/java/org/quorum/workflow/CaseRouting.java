package org.quorum.workflow;

import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.quorum.labels.Label;
import org.quorum.labels.LabelRecognition;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.QualityException;
import org.quorum.quality.schema.SchemaImpact;
import org.quorum.workflow.WorkflowException.Problem;
import org.quorum.workflow.routing.AiRouting;
import org.quorum.workflow.routing.Sampling;
import org.quorum.workflow.skills.Member;
import org.quorum.workflow.store.Tasks;
import org.quorum.workflow.store.WorkflowStore;

/**
 * Opening cases and routing them: {@code $open-cases} turns a project's case sources into case
 * tasks (routed by their AI pre-labels), its gold set into hidden gold items, and gives each
 * annotator on the roster their first calibrate task; AI labels stored later re-route cases nobody
 * has started; {@code $re-evaluate} turns a new schema version's impact into re-evaluate tasks.
 */
public final class CaseRouting {

    /**
     * Cases opened per transaction: small enough that Hibernate's flushes (which check the whole
     * session) stay cheap, large enough to commit rarely.
     */
    private static final int CHUNK = 25;

    private final Env env;
    private final CalibrationGate calibration;

    CaseRouting(Env env, CalibrationGate calibration) {
        this.env = env;
        this.calibration = calibration;
    }

    /** What {@code $open-cases} did. */
    public record Opened(
            int opened,
            int alreadyOpen,
            Map<Route, Integer> routes,
            int goldItems,
            List<String> calibrateTasks) {}

    Opened open(String projectId) {
        ProjectContext project = env.projects.load(projectId);
        List<String> sources = new ArrayList<>();
        for (String source : project.policy().caseSources()) {
            if (source.startsWith("List/")) {
                sources.addAll(env.store.listMembers(source));
            } else {
                sources.add(source);
            }
        }
        List<String> gold =
                project.policy().goldSet().map(env.store::listMembers).orElse(List.of());
        project.policy()
                .calibrationSet()
                .ifPresent(group -> calibration.references(project, env.store.listMembers(group)));
        if (!gold.isEmpty()) {
            calibration.references(project, gold);
        }
        Set<String> existing = new LinkedHashSet<>();
        env.store
                .search(Task.class, WorkflowStore.tasksOf(project.reference(), Stage.CASE))
                .forEach(t -> existing.add(Stages.ref(t.getFocus())));
        List<String> fresh =
                new LinkedHashSet<>(sources)
                        .stream()
                                .filter(s -> !existing.contains(s))
                                .filter(s -> !gold.contains(s))
                                .toList();
        Map<Route, Integer> routes = new EnumMap<>(Route.class);
        for (int from = 0; from < fresh.size(); from += CHUNK) {
            List<String> chunk = fresh.subList(from, Math.min(fresh.size(), from + CHUNK));
            // Read before writing: reads inside a write transaction make Hibernate flush the
            // session first, and that grows with every resource the transaction created.
            Map<String, IBaseResource> resources = readSources(chunk);
            Map<String, List<Label>> ai = aiLabels(project, chunk);
            Map<Route, Integer> chunkRoutes =
                    env.store.retrying(
                            Env.ATTEMPTS, () -> openChunk(project, chunk, resources, ai));
            chunkRoutes.forEach((route, n) -> routes.merge(route, n, Integer::sum));
        }
        int goldItems = 0;
        List<String> newGold = gold.stream().filter(s -> !existing.contains(s)).toList();
        if (!newGold.isEmpty()) {
            goldItems =
                    env.store.inTransaction(
                            () -> {
                                int created = 0;
                                for (String source : newGold) {
                                    IBaseResource resource = readSource(source);
                                    Task task =
                                            CaseTasks.goldTask(
                                                    project.reference(),
                                                    source,
                                                    Stages.subjectOf(resource),
                                                    env.now());
                                    CaseTasks.performerTypes(
                                            task,
                                            project.policy()
                                                    .requiredCodes(
                                                            Stage.ANNOTATE,
                                                            CaseTypes.of(resource)));
                                    env.store.create(task);
                                    created++;
                                }
                                return created;
                            });
        }
        List<String> rounds = new ArrayList<>();
        for (Member member : env.store.members(project.reference())) {
            env.store
                    .inTransaction(() -> calibration.ensureRound(project, member))
                    .ifPresent(t -> rounds.add(Tasks.ref(t)));
        }
        updateBacklog(project);
        return new Opened(fresh.size(), sources.size() - fresh.size(), routes, goldItems, rounds);
    }

    private Map<Route, Integer> openChunk(
            ProjectContext project,
            List<String> sources,
            Map<String, IBaseResource> resources,
            Map<String, List<Label>> aiBySource) {
        Map<Route, Integer> routes = new EnumMap<>(Route.class);
        for (String source : sources) {
            IBaseResource resource = resources.get(source);
            Set<String> caseTypes = CaseTypes.of(resource);
            List<Label> ai = aiBySource.getOrDefault(source, List.of());
            Route route = route(project, source, ai);
            int annotators =
                    Sampling.selected(
                                    "overlap",
                                    project.reference() + " " + source,
                                    project.policy().overlapFraction())
                            ? project.policy().annotatorsPerCase()
                            : 1;
            Task caseTask =
                    CaseTasks.caseTask(
                            project.reference(),
                            source,
                            Stages.subjectOf(resource),
                            annotators,
                            route,
                            ai.stream().map(Label::id).toList(),
                            project.policy().requiredCodes(Stage.ANNOTATE, caseTypes),
                            env.now());
            CaseTasks.businessStatus(
                    caseTask, "annotating", "Round 1: 0 of " + annotators + " annotators claimed");
            env.store.create(caseTask);
            if (route == Route.AI_HIGH || route == Route.AI_BLIND) {
                aiReview(project, caseTask, route, ai, caseTypes);
            }
            routes.merge(route, 1, Integer::sum);
        }
        return routes;
    }

    /** The route of a case from its AI labels: the least confident finding decides. */
    static Route route(ProjectContext project, String source, List<Label> ai) {
        if (ai.isEmpty()) {
            return Route.STANDARD;
        }
        double confidence =
                ai.stream().mapToDouble(l -> l.confidence().orElse(0.0)).min().orElse(0);
        return AiRouting.route(
                Optional.of(confidence), project.reference() + " " + source, project.policy());
    }

    /** A high-confidence case goes to one reviewer: confirm the AI label, or read blind. */
    private void aiReview(
            ProjectContext project, Task caseTask, Route route, List<Label> ai, Set<String> types) {
        Instant now = env.now();
        Task review =
                CaseTasks.stageTask(
                        Stage.REVIEW,
                        caseTask,
                        Task.TaskStatus.READY,
                        project.policy().requiredCodes(Stage.REVIEW, types),
                        now);
        if (route == Route.AI_BLIND) {
            CaseTasks.blind(review);
        } else {
            review.setFocus(new Reference(ai.get(0).id()));
            ai.forEach(l -> Tasks.addInput(review, Tasks.SUGGESTION, new Reference(l.id())));
        }
        env.store.create(review);
        caseTask.setStatus(Task.TaskStatus.INPROGRESS);
        caseTask.setLastModified(Date.from(now));
        CaseTasks.businessStatus(
                caseTask,
                "review",
                (route == Route.AI_BLIND
                                ? "Blind read of a high-confidence AI case: "
                                : "AI label to confirm: ")
                        + Tasks.ref(review));
        env.store.update(caseTask);
    }

    private Map<String, List<Label>> aiLabels(ProjectContext project, List<String> sources) {
        Map<String, List<Label>> bySource = new HashMap<>();
        env
                .store
                .labels()
                .labelsOfSources(project.reference(), sources, Set.of("preliminary"))
                .stream()
                .filter(Label::isAi)
                .sorted(Comparator.comparing(Label::id))
                .forEach(
                        l ->
                                l.sources()
                                        .forEach(
                                                s ->
                                                        bySource.computeIfAbsent(
                                                                        s, k -> new ArrayList<>())
                                                                .add(l)));
        return bySource;
    }

    /** The sources, read in one search per type; a missing or unusable one is a policy error. */
    private Map<String, IBaseResource> readSources(List<String> sources) {
        Map<String, IBaseResource> found = new HashMap<>();
        Map<String, List<String>> byType = new LinkedHashMap<>();
        sources.forEach(
                s ->
                        byType.computeIfAbsent(
                                        s.substring(0, s.indexOf('/')), k -> new ArrayList<>())
                                .add(s));
        for (Map.Entry<String, List<String>> type : byType.entrySet()) {
            SearchParameterMap query = SearchParameterMap.newSynchronous();
            ca.uhn.fhir.rest.param.TokenOrListParam ids =
                    new ca.uhn.fhir.rest.param.TokenOrListParam();
            type.getValue()
                    .forEach(
                            s ->
                                    ids.addOr(
                                            new ca.uhn.fhir.rest.param.TokenParam(
                                                    s.substring(s.indexOf('/') + 1))));
            query.add("_id", ids);
            Class<? extends IBaseResource> resourceType =
                    type.getKey().equals("ImagingStudy")
                            ? org.hl7.fhir.r4.model.ImagingStudy.class
                            : org.hl7.fhir.r4.model.DocumentReference.class;
            if (!type.getKey().equals("ImagingStudy")
                    && !type.getKey().equals("DocumentReference")) {
                throw new WorkflowException(
                        Problem.BAD_POLICY,
                        "case source "
                                + type.getValue().get(0)
                                + " is not a DocumentReference or ImagingStudy");
            }
            for (IBaseResource resource : env.store.search(resourceType, query)) {
                found.put(type.getKey() + "/" + resource.getIdElement().getIdPart(), resource);
            }
        }
        for (String source : sources) {
            IBaseResource resource = found.get(source);
            if (resource == null) {
                throw new WorkflowException(
                        Problem.BAD_POLICY, "case source " + source + " does not exist");
            }
            if (Stages.subjectOf(resource) == null) {
                throw new WorkflowException(
                        Problem.BAD_POLICY,
                        "case source " + source + " has no subject (a Patient)");
            }
        }
        return found;
    }

    private IBaseResource readSource(String source) {
        IBaseResource resource =
                env.store
                        .read(source)
                        .orElseThrow(
                                () ->
                                        new WorkflowException(
                                                Problem.BAD_POLICY,
                                                "case source " + source + " does not exist"));
        if (Stages.subjectOf(resource) == null) {
            throw new WorkflowException(
                    Problem.BAD_POLICY,
                    "case source "
                            + source
                            + " is not a DocumentReference or ImagingStudy with a subject");
        }
        return resource;
    }

    void updateBacklog(ProjectContext project) {
        SearchParameterMap open = WorkflowStore.tasksOf(project.reference(), Stage.CASE);
        WorkflowStore.withStatus(open, Task.TaskStatus.READY, Task.TaskStatus.INPROGRESS);
        SearchParameterMap gold = WorkflowStore.tasksOf(project.reference(), Stage.CASE);
        WorkflowStore.withBusinessStatus(gold, "gold");
        env.metrics.backlog(
                project.id(),
                env.store.count(Task.class, open) - (long) env.store.count(Task.class, gold));
    }

    // ---- AI labels ----

    /** A stored AI label and where it took its case. */
    public record Routed(String label, String source, Optional<Route> route, String note) {}

    /** Stores AI pre-labels for a project ({@code $submit} on the project), then routes. */
    List<Routed> submitAi(String projectId, List<IBaseResource> submitted) {
        ProjectContext project = env.projects.load(projectId);
        if (submitted.isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER, "parameter 'label' is required: the AI labels");
        }
        List<Observation> stored =
                env.store.inTransaction(
                        () -> {
                            List<Observation> labels = new ArrayList<>();
                            for (int i = 0; i < submitted.size(); i++) {
                                labels.add(aiLabel(project, submitted.get(i), i));
                            }
                            labels.forEach(env.store::create);
                            return labels;
                        });
        return reroute(project, stored.stream().map(Env::record).toList());
    }

    private Observation aiLabel(ProjectContext project, IBaseResource resource, int index) {
        String which = "label " + (index + 1);
        if (!(resource instanceof Observation submitted)) {
            throw new WorkflowException(Problem.INVALID_LABEL, which + " is not an Observation");
        }
        Observation label = submitted.copy();
        label.setId((String) null);
        label.setMeta(new Meta().addProfile(QuorumProfiles.LABEL));
        boolean ai =
                label.getMethod().getCoding().stream()
                        .anyMatch(
                                c ->
                                        QuorumProfiles.CS_LABEL_METHOD.equals(c.getSystem())
                                                && "ai".equals(c.getCode()));
        if (!ai || !label.hasDevice()) {
            throw new WorkflowException(
                    Problem.INVALID_LABEL,
                    which
                            + " is not an AI pre-label: it needs method ai"
                            + " (quorum-label-method) and the model in device");
        }
        if (label.hasStatus() && label.getStatus() != Observation.ObservationStatus.PRELIMINARY) {
            throw new WorkflowException(
                    Problem.INVALID_LABEL,
                    which
                            + " has status "
                            + label.getStatus().toCode()
                            + "; AI pre-labels are preliminary");
        }
        label.setStatus(Observation.ObservationStatus.PRELIMINARY);
        Optional<String> named = LabelRecognition.project(label);
        if (named.isPresent() && !named.get().equals(project.reference())) {
            throw new WorkflowException(
                    Problem.INVALID_LABEL,
                    which + " belongs to " + named.get() + ", not " + project.reference());
        }
        label.getExtension().removeIf(e -> QuorumProfiles.EXT_PROJECT.equals(e.getUrl()));
        label.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(project.reference()));
        label.setCode(LabelIntake.code(which, label, project.schema(), project.allowedCodes()));
        if (label.getDerivedFrom().size() != 1) {
            throw new WorkflowException(
                    Problem.INVALID_LABEL, which + " must name its source in derivedFrom (one)");
        }
        return label;
    }

    /**
     * Routes the cases of newly stored AI labels: a case nobody has started (ready, round 1, no
     * claim) is routed again with all its AI labels; others keep their route.
     */
    List<Routed> reroute(ProjectContext project, List<Label> aiLabels) {
        List<Routed> routed = new ArrayList<>();
        Map<String, List<Label>> bySource = new LinkedHashMap<>();
        aiLabels.stream()
                .filter(Label::isAi)
                .forEach(l -> bySource.computeIfAbsent(l.source(), k -> new ArrayList<>()).add(l));
        for (Map.Entry<String, List<Label>> entry : bySource.entrySet()) {
            String source = entry.getKey();
            Optional<Route> route =
                    env.store.retrying(Env.ATTEMPTS, () -> rerouteCase(project, source));
            for (Label label : entry.getValue()) {
                routed.add(
                        new Routed(
                                label.id(),
                                source,
                                route,
                                route.isPresent()
                                        ? "routed"
                                        : "kept: the case is not open, or work on it has"
                                                + " started ($open-cases routes new cases)"));
            }
        }
        return routed;
    }

    private Optional<Route> rerouteCase(ProjectContext project, String source) {
        SearchParameterMap query = WorkflowStore.tasksOf(project.reference(), Stage.CASE);
        WorkflowStore.withFocus(query, List.of(source));
        List<Task> cases = env.store.search(Task.class, query);
        if (cases.size() != 1) {
            return Optional.empty();
        }
        Task caseTask = cases.get(0);
        if (caseTask.getStatus() != Task.TaskStatus.READY
                || Tasks.round(caseTask) != 1
                || CaseTasks.isGold(caseTask)) {
            return Optional.empty();
        }
        SearchParameterMap stages = SearchParameterMap.newSynchronous();
        WorkflowStore.partOf(stages, List.of(Tasks.ref(caseTask)));
        if (env.store.count(Task.class, stages) > 0) {
            return Optional.empty();
        }
        List<Label> ai = aiLabels(project, List.of(source)).getOrDefault(source, List.of());
        Route route = route(project, source, ai);
        Tasks.setInput(caseTask, Tasks.ROUTE, new CodeType(route.code()));
        caseTask.getInput()
                .removeIf(
                        i ->
                                i.getType().getCoding().stream()
                                        .anyMatch(c -> Tasks.SUGGESTION.equals(c.getCode())));
        ai.forEach(l -> Tasks.addInput(caseTask, Tasks.SUGGESTION, new Reference(l.id())));
        caseTask.setLastModified(Date.from(env.now()));
        env.store.update(caseTask);
        if (route == Route.AI_HIGH || route == Route.AI_BLIND) {
            aiReview(
                    project,
                    caseTask,
                    route,
                    ai,
                    env.store.read(source).map(CaseTypes::of).orElse(Set.of()));
        }
        return Optional.of(route);
    }

    /** AI labels written through the plain FHIR API (after commit): their cases are re-routed. */
    void aiLabelsStored(List<String> labelIds) {
        Map<String, List<Label>> byProject = new LinkedHashMap<>();
        for (Label label : env.store.labels().labelsById(labelIds)) {
            if (label.isAi() && label.project() != null && "preliminary".equals(label.status())) {
                byProject.computeIfAbsent(label.project(), k -> new ArrayList<>()).add(label);
            }
        }
        for (Map.Entry<String, List<Label>> entry : byProject.entrySet()) {
            String id = entry.getKey().substring(entry.getKey().indexOf('/') + 1);
            ProjectContext project;
            try {
                project = env.projects.load(id);
            } catch (WorkflowException e) {
                // Not a workflow project (no review policy): nothing to route.
                continue;
            }
            reroute(project, entry.getValue());
        }
    }

    // ---- re-evaluation ----

    /** What {@code $re-evaluate} did. */
    public record ReEvaluation(SchemaImpact impact, List<String> created, int alreadyOpen) {}

    ReEvaluation reEvaluate(String projectId, String toVersion, Optional<String> fromVersion) {
        ProjectContext project = env.projects.load(projectId);
        String from = fromVersion.orElse(project.policy().schemaVersion());
        SchemaImpact impact;
        try {
            impact =
                    env.quality.schemaImpact(
                            project.policy().schemaUrl(),
                            from,
                            toVersion,
                            Optional.of(project.id()));
        } catch (QualityException e) {
            throw new WorkflowException(
                    Problem.BAD_PARAMETER, e.getMessage().replaceFirst("^QUALITY-\\d+: ", ""));
        }
        SearchParameterMap open = WorkflowStore.tasksOf(project.reference(), Stage.RE_EVALUATE);
        WorkflowStore.withStatus(open, Task.TaskStatus.READY, Task.TaskStatus.INPROGRESS);
        Set<String> pending = new LinkedHashSet<>();
        env.store.search(Task.class, open).forEach(t -> pending.add(Stages.ref(t.getFocus())));
        List<String> created = new ArrayList<>();
        int alreadyOpen = 0;
        for (SchemaImpact.AffectedLabel affected : impact.affected()) {
            if (pending.contains(affected.label())) {
                alreadyOpen++;
                continue;
            }
            created.add(
                    env.store.inTransaction(() -> reEvaluateTask(project, affected, toVersion)));
        }
        moveSchema(project.study(), project.policy().schemaUrl() + "|" + toVersion);
        return new ReEvaluation(impact, created, alreadyOpen);
    }

    private String reEvaluateTask(
            ProjectContext project, SchemaImpact.AffectedLabel affected, String toVersion) {
        Label label = env.store.labels().labelsById(List.of(affected.label())).get(0);
        Instant now = env.now();
        Task task = Tasks.newTask(Stage.RE_EVALUATE, project.reference(), Task.TaskStatus.READY);
        task.setFocus(new Reference(label.id()));
        task.setFor(new Reference(label.subject()));
        task.setAuthoredOn(Date.from(now));
        task.setLastModified(Date.from(now));
        Set<String> types = Set.of();
        if (label.source() != null) {
            SearchParameterMap query = WorkflowStore.tasksOf(project.reference(), Stage.CASE);
            WorkflowStore.withFocus(query, List.of(label.source()));
            env.store.search(Task.class, query).stream()
                    .findFirst()
                    .ifPresent(c -> task.addPartOf(new Reference(Tasks.ref(c))));
            types = env.store.read(label.source()).map(CaseTypes::of).orElse(Set.of());
        }
        Tasks.addInput(task, Tasks.SCHEMA_VERSION, new StringType(toVersion));
        Tasks.addInput(task, Tasks.SCHEMA_CHANGE, new CodeType(affected.change().type().code()));
        CaseTasks.performerTypes(task, project.policy().requiredCodes(Stage.REVIEW, types));
        env.store.create(task);
        return Tasks.ref(task);
    }

    /** The project now labels under the new schema version. */
    private void moveSchema(ResearchStudy study, String canonical) {
        env.store.inTransaction(
                () -> {
                    ResearchStudy current = env.store.study(study.getIdElement().getIdPart());
                    Extension policy = current.getExtensionByUrl(QuorumProfiles.EXT_REVIEW_POLICY);
                    Extension schema = policy.getExtensionByUrl("labelSchema");
                    schema.setValue(new org.hl7.fhir.r4.model.CanonicalType(canonical));
                    env.store.update(current);
                    return null;
                });
    }
}
