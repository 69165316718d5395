package org.quorum.workflow;

import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.quorum.security.Role;
import org.quorum.workflow.WorkflowException.Problem;
import org.quorum.workflow.skills.Member;
import org.quorum.workflow.store.Tasks;
import org.quorum.workflow.store.WorkflowStore;

/**
 * {@code $next-case}: hands the caller the next piece of work of the project and makes it theirs.
 *
 * <p><b>Which work.</b> The stages the token's roles allow (annotator: annotate; reviewer: review,
 * then re-evaluate; adjudicator: adjudicate), limited by the caller's project role, and within a
 * stage the open tasks whose required qualifications the caller holds today. An annotator first
 * passes the calibration gate; every so often (goldFraction of their work) they get a hidden gold
 * item instead of a production case. Nobody gets a case twice in one round, and nobody reviews or
 * adjudicates a case they annotated. Among the eligible tasks (oldest first), one of the first few
 * is chosen at random, so that clinicians asking at the same moment rarely reach for the same one.
 *
 * <p><b>Claims never collide.</b> An annotation slot is claimed by creating the annotate Task and
 * updating the case task (its version) in one transaction; a review or adjudication task by
 * updating it (its version) from ready to in-progress. Two concurrent claims of the same slot or
 * task conflict in the database and the loser moves on to another candidate.
 */
final class Claims {

    /** Open tasks read per claim at first; more only when none of them fits the caller. */
    private static final int CANDIDATES = 24;

    private static final int SPREAD = 8;
    private static final int[] SCAN = {CANDIDATES, 500, 10000};

    private final Env env;
    private final CalibrationGate calibration;

    Claims(Env env, CalibrationGate calibration) {
        this.env = env;
        this.calibration = calibration;
    }

    /** The stages a token's roles allow, in the order they are offered. */
    static List<Stage> stagesOf(Caller caller) {
        List<Stage> stages = new ArrayList<>();
        if (caller.has(Role.ANNOTATOR)) {
            stages.add(Stage.ANNOTATE);
        }
        if (caller.has(Role.REVIEWER)) {
            stages.add(Stage.REVIEW);
            stages.add(Stage.RE_EVALUATE);
        }
        if (caller.has(Role.ADJUDICATOR)) {
            stages.add(Stage.ADJUDICATE);
        }
        return stages;
    }

    Optional<Task> next(String projectId, Caller caller, Optional<String> stageCode) {
        ProjectContext project = env.projects.load(projectId);
        Member member = env.member(project, caller);
        List<Stage> allowed = stagesOf(caller);
        List<Stage> stages = allowed;
        if (stageCode.isPresent()) {
            Stage stage =
                    Stage.fromCode(stageCode.get())
                            .filter(
                                    EnumSet.of(
                                                    Stage.ANNOTATE,
                                                    Stage.REVIEW,
                                                    Stage.ADJUDICATE,
                                                    Stage.RE_EVALUATE)
                                            ::contains)
                            .orElseThrow(
                                    () ->
                                            new WorkflowException(
                                                    Problem.BAD_PARAMETER,
                                                    "parameter 'stage' is '"
                                                            + stageCode.get()
                                                            + "'; use annotate, review,"
                                                            + " re-evaluate or adjudicate"));
            if (!allowed.contains(stage)) {
                throw new WorkflowException(
                        Problem.ROLE_NOT_ALLOWED,
                        "the token's roles do not include the "
                                + stage.code()
                                + " stage (annotator: annotate; reviewer: review, re-evaluate;"
                                + " adjudicator: adjudicate)");
            }
            stages = List.of(stage);
        }
        if (stages.isEmpty()) {
            throw new WorkflowException(
                    Problem.ROLE_NOT_ALLOWED,
                    "$next-case is for annotators, reviewers and adjudicators");
        }
        List<Stage> worked = stages.stream().filter(member::works).toList();
        if (worked.isEmpty()) {
            throw new WorkflowException(
                    Problem.NOT_QUALIFIED,
                    member.role()
                            + "'s project role (PractitionerRole.code) does not include "
                            + stages.stream().map(Stage::code).toList());
        }
        requireCapacity(project, member);
        WorkflowException refusal = null;
        for (Stage stage : worked) {
            try {
                Optional<Task> claimed =
                        switch (stage) {
                            case ANNOTATE -> annotate(project, member);
                            default -> stageTask(project, member, stage);
                        };
                if (claimed.isPresent()) {
                    return claimed;
                }
            } catch (WorkflowException e) {
                if (!EnumSet.of(Problem.NOT_CALIBRATED, Problem.PAUSED, Problem.NOT_QUALIFIED)
                        .contains(e.problem())) {
                    throw e;
                }
                refusal = refusal == null ? e : refusal;
            }
        }
        if (refusal != null) {
            throw refusal;
        }
        return Optional.empty();
    }

    private void requireCapacity(ProjectContext project, Member member) {
        // Counted, not loaded: calibration rounds do not count against the limit.
        int open = env.store.count(Task.class, openTasks(project, member));
        SearchParameterMap calibrating = openTasks(project, member);
        calibrating.add(
                Task.SP_CODE,
                new ca.uhn.fhir.rest.param.TokenParam(
                        org.quorum.profiles.QuorumProfiles.CS_REVIEW_TASK_TYPE,
                        Stage.CALIBRATE.code()));
        open -= env.store.count(Task.class, calibrating);
        int cap = project.policy().maxOpenPerAnnotator();
        if (open >= cap) {
            List<Task> some = env.store.first(Task.class, openTasks(project, member), 5);
            throw new WorkflowException(
                    Problem.CAP_REACHED,
                    member.role()
                            + " holds "
                            + open
                            + " open task(s) ("
                            + String.join(", ", some.stream().map(Tasks::ref).toList())
                            + "), the project's limit (maxOpenPerAnnotator "
                            + cap
                            + "); finish one first");
        }
    }

    private static SearchParameterMap openTasks(ProjectContext project, Member member) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(
                org.quorum.profiles.QuorumProfiles.SP_PROJECT_CODE,
                new ca.uhn.fhir.rest.param.ReferenceParam(project.reference()));
        WorkflowStore.withOwner(query, member.role());
        WorkflowStore.withStatus(query, Task.TaskStatus.INPROGRESS);
        return query;
    }

    // ---- annotate ----

    private Optional<Task> annotate(ProjectContext project, Member member) {
        calibration.require(project, member);
        LocalDate today = env.today();
        Set<String> held = member.codesOn(today);
        Set<String> general =
                project.policy().requiredCodes(Stage.ANNOTATE, Set.of("(every case)"));
        // Requirements without a case type apply to every case: lacking one, no case fits.
        Member.Eligibility eligibility = member.eligibility(Stage.ANNOTATE, general, today);
        if (!eligibility.qualified()) {
            throw new WorkflowException(
                    Problem.NOT_QUALIFIED,
                    member.role() + " may not annotate in this project: " + eligibility.reason());
        }
        SearchParameterMap mine = WorkflowStore.tasksOf(project.reference(), Stage.ANNOTATE);
        WorkflowStore.withOwner(mine, member.role());
        if (project.policy().maxCasesPerAnnotator().isPresent()) {
            int done = env.store.count(Task.class, mine);
            if (done >= project.policy().maxCasesPerAnnotator().get()) {
                throw new WorkflowException(
                        Problem.CAP_REACHED,
                        member.role()
                                + " has labelled "
                                + done
                                + " cases, the project's limit (maxCasesPerAnnotator)");
            }
        }
        Optional<Task> gold = gold(project, member, held);
        if (gold.isPresent()) {
            return gold;
        }
        for (int limit : SCAN) {
            SearchParameterMap query = WorkflowStore.tasksOf(project.reference(), Stage.CASE);
            WorkflowStore.withStatus(query, Task.TaskStatus.READY);
            List<Task> candidates = env.store.first(Task.class, query, limit);
            List<Task> eligible =
                    candidates.stream()
                            .filter(c -> held.containsAll(CaseTasks.performerTypes(c)))
                            .toList();
            Set<String> done = roundsDone(member, eligible);
            eligible =
                    eligible.stream()
                            .filter(c -> !done.contains(Tasks.ref(c) + "#" + Tasks.round(c)))
                            .toList();
            Optional<Task> claimed = claimFirst(eligible, c -> claimSlot(project, member, c));
            if (claimed.isPresent() || candidates.size() < limit) {
                return claimed;
            }
        }
        return Optional.empty();
    }

    /** {@code Task/case#round} of the cases (among these) the member has an annotate task in. */
    private Set<String> roundsDone(Member member, List<Task> cases) {
        if (cases.isEmpty()) {
            return Set.of();
        }
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        WorkflowStore.withOwner(query, member.role());
        WorkflowStore.partOf(query, cases.stream().map(Tasks::ref).toList());
        Set<String> done = new HashSet<>();
        for (Task task : env.store.search(Task.class, query)) {
            Tasks.caseTask(task).ifPresent(c -> done.add(c + "#" + Tasks.round(task)));
        }
        return done;
    }

    /** Claims one slot of a case, or nothing when the case filled up or the caller holds one. */
    private Optional<Task> claimSlot(ProjectContext project, Member member, Task candidate) {
        return env.store.attempt(
                () -> {
                    Task caseTask = env.store.task(candidate.getIdElement().getIdPart());
                    if (caseTask.getStatus() != Task.TaskStatus.READY) {
                        return Optional.<Task>empty();
                    }
                    int round = Tasks.round(caseTask);
                    int needed = Tasks.inputInteger(caseTask, Tasks.ANNOTATORS_NEEDED).orElse(1);
                    List<Task> slots = slots(caseTask, round);
                    if (slots.size() >= needed
                            || slots.stream()
                                    .anyMatch(
                                            s ->
                                                    Tasks.owner(s)
                                                            .filter(member.role()::equals)
                                                            .isPresent())) {
                        return Optional.<Task>empty();
                    }
                    Instant now = env.now();
                    Task annotate =
                            CaseTasks.stageTask(
                                    Stage.ANNOTATE,
                                    caseTask,
                                    Task.TaskStatus.READY,
                                    CaseTasks.performerTypes(caseTask),
                                    now);
                    Route route =
                            Tasks.inputCode(caseTask, Tasks.ROUTE)
                                    .flatMap(Route::fromCode)
                                    .orElse(Route.STANDARD);
                    if (route.showsSuggestion()) {
                        Tasks.inputRefs(caseTask, Tasks.SUGGESTION)
                                .forEach(
                                        s ->
                                                Tasks.addInput(
                                                        annotate,
                                                        Tasks.SUGGESTION,
                                                        new Reference(s)));
                    }
                    CaseTasks.claim(annotate, member.role(), now);
                    env.store.create(annotate);
                    int claimed = slots.size() + 1;
                    long labelled =
                            slots.stream()
                                    .filter(s -> s.getStatus() == Task.TaskStatus.COMPLETED)
                                    .count();
                    if (claimed >= needed) {
                        caseTask.setStatus(Task.TaskStatus.INPROGRESS);
                    }
                    CaseTasks.businessStatus(
                            caseTask,
                            "annotating",
                            "Round "
                                    + round
                                    + ": "
                                    + claimed
                                    + " of "
                                    + needed
                                    + " annotators claimed, "
                                    + labelled
                                    + " labelled");
                    caseTask.setLastModified(java.util.Date.from(now));
                    env.store.update(caseTask);
                    return Optional.of(annotate);
                });
    }

    /** The annotate tasks of a case in one round. */
    List<Task> slots(Task caseTask, int round) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(
                Task.SP_CODE,
                new ca.uhn.fhir.rest.param.TokenParam(
                        org.quorum.profiles.QuorumProfiles.CS_REVIEW_TASK_TYPE,
                        Stage.ANNOTATE.code()));
        WorkflowStore.partOf(query, List.of(Tasks.ref(caseTask)));
        return env.store.search(Task.class, query).stream()
                .filter(t -> Tasks.round(t) == round)
                .filter(t -> t.getStatus() != Task.TaskStatus.CANCELLED)
                .toList();
    }

    private Optional<Task> gold(ProjectContext project, Member member, Set<String> held) {
        if (project.policy().goldSet().isEmpty() || project.policy().goldFraction() <= 0) {
            return Optional.empty();
        }
        SearchParameterMap goldQuery = WorkflowStore.tasksOf(project.reference(), Stage.CASE);
        WorkflowStore.withBusinessStatus(goldQuery, "gold");
        List<Task> goldCases = env.store.search(Task.class, goldQuery);
        if (goldCases.isEmpty()) {
            return Optional.empty();
        }
        SearchParameterMap all = WorkflowStore.tasksOf(project.reference(), Stage.ANNOTATE);
        WorkflowStore.withOwner(all, member.role());
        int total = env.store.count(Task.class, all);
        SearchParameterMap goldDone = SearchParameterMap.newSynchronous();
        WorkflowStore.withOwner(goldDone, member.role());
        WorkflowStore.partOf(goldDone, goldCases.stream().map(Tasks::ref).toList());
        List<Task> done = env.store.search(Task.class, goldDone);
        int due = (int) Math.floor(project.policy().goldFraction() * (total + 1));
        if (done.size() >= due) {
            return Optional.empty();
        }
        Set<String> seen = new HashSet<>();
        done.forEach(t -> Tasks.caseTask(t).ifPresent(seen::add));
        List<Task> candidates =
                goldCases.stream()
                        .filter(c -> !seen.contains(Tasks.ref(c)))
                        .filter(c -> held.containsAll(CaseTasks.performerTypes(c)))
                        .toList();
        return claimFirst(
                candidates,
                c ->
                        env.store.attempt(
                                () -> {
                                    Task goldCase = env.store.task(c.getIdElement().getIdPart());
                                    if (!slots(goldCase, 1).stream()
                                            .filter(
                                                    s ->
                                                            Tasks.owner(s)
                                                                    .filter(member.role()::equals)
                                                                    .isPresent())
                                            .toList()
                                            .isEmpty()) {
                                        return Optional.<Task>empty();
                                    }
                                    Instant now = env.now();
                                    Task annotate =
                                            CaseTasks.stageTask(
                                                    Stage.ANNOTATE,
                                                    goldCase,
                                                    Task.TaskStatus.READY,
                                                    CaseTasks.performerTypes(goldCase),
                                                    now);
                                    CaseTasks.claim(annotate, member.role(), now);
                                    env.store.create(annotate);
                                    int reads = slots(goldCase, 1).size() + 1;
                                    CaseTasks.businessStatus(
                                            goldCase, "gold", "Gold item: " + reads + " reads");
                                    goldCase.setLastModified(java.util.Date.from(now));
                                    env.store.update(goldCase);
                                    return Optional.of(annotate);
                                }));
    }

    // ---- review, re-evaluate, adjudicate ----

    private Optional<Task> stageTask(ProjectContext project, Member member, Stage stage) {
        LocalDate today = env.today();
        Set<String> held = member.codesOn(today);
        for (int limit : SCAN) {
            SearchParameterMap query = WorkflowStore.tasksOf(project.reference(), stage);
            WorkflowStore.withStatus(query, Task.TaskStatus.READY);
            List<Task> candidates = env.store.first(Task.class, query, limit);
            List<Task> eligible =
                    candidates.stream()
                            .filter(t -> held.containsAll(CaseTasks.performerTypes(t)))
                            .toList();
            Set<String> annotated = casesAnnotatedBy(member, eligible);
            eligible =
                    eligible.stream()
                            .filter(
                                    t ->
                                            Tasks.caseTask(t)
                                                    .map(c -> !annotated.contains(c))
                                                    .orElse(true))
                            .toList();
            Optional<Task> claimed =
                    claimFirst(
                            eligible,
                            candidate ->
                                    env.store.attempt(
                                            () -> {
                                                Task task =
                                                        env.store.task(
                                                                candidate
                                                                        .getIdElement()
                                                                        .getIdPart());
                                                if (task.getStatus() != Task.TaskStatus.READY
                                                        || task.hasOwner()) {
                                                    return Optional.<Task>empty();
                                                }
                                                CaseTasks.claim(task, member.role(), env.now());
                                                env.store.update(task);
                                                return Optional.of(task);
                                            }));
            if (claimed.isPresent() || candidates.size() < limit) {
                return claimed;
            }
        }
        return Optional.empty();
    }

    /** The case tasks (among those of these stage tasks) the member annotated, in any round. */
    private Set<String> casesAnnotatedBy(Member member, List<Task> stageTasks) {
        Set<String> cases = new LinkedHashSet<>();
        stageTasks.forEach(t -> Tasks.caseTask(t).ifPresent(cases::add));
        if (cases.isEmpty()) {
            return Set.of();
        }
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        WorkflowStore.withOwner(query, member.role());
        WorkflowStore.partOf(query, cases);
        Set<String> annotated = new HashSet<>();
        for (Task task : env.store.search(Task.class, query)) {
            if (Tasks.stage(task).orElse(null) == Stage.ANNOTATE) {
                Tasks.caseTask(task).ifPresent(annotated::add);
            }
        }
        return annotated;
    }

    /** Tries the first few candidates in random order, then the rest in order. */
    private static Optional<Task> claimFirst(
            List<Task> candidates, java.util.function.Function<Task, Optional<Task>> claim) {
        List<Task> order = new ArrayList<>(candidates);
        List<Task> head = order.subList(0, Math.min(SPREAD, order.size()));
        Collections.shuffle(head, ThreadLocalRandom.current());
        for (Task candidate : order) {
            Optional<Task> claimed = claim.apply(candidate);
            if (claimed.isPresent()) {
                return claimed;
            }
        }
        return Optional.empty();
    }
}
