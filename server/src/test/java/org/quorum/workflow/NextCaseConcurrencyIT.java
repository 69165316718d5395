package org.quorum.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.security.Role;
import org.quorum.testing.RunningServer;

/**
 * {@code $next-case} under concurrent claims: parallel requests never get the same case slot, an
 * annotator never gets two slots of one case, and a review task goes to one reviewer. The claims
 * are decided by the database (the case task's version), not by a lock in this JVM.
 */
@ExtendWith(RunningServer.class)
class NextCaseConcurrencyIT {

    private static WorkflowFixture project(
            RunningServer server, int notes, int annotatorsPerCase, int maxOpen) {
        WorkflowFixture fx = new WorkflowFixture(server);
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < notes; i++) {
            sources.add(fx.note());
        }
        Map<String, Type> policy = new HashMap<>();
        policy.put("annotatorsPerCase", new PositiveIntType(annotatorsPerCase));
        policy.put("maxOpenPerAnnotator", new PositiveIntType(maxOpen));
        fx.study(sources, policy);
        return fx;
    }

    private static void open(WorkflowFixture fx) {
        HttpResponse<String> opened =
                fx.post(fx.server.http(), "/fhir/" + fx.project + "/$open-cases", new Parameters());
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
    }

    /** Runs the calls all at once (released together) and returns their responses. */
    private static List<HttpResponse<String>> parallel(List<Callable<HttpResponse<String>>> calls)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (Callable<HttpResponse<String>> call : calls) {
                futures.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    return call.call();
                                }));
            }
            start.countDown();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> future : futures) {
                responses.add(future.get(120, TimeUnit.SECONDS));
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ten_annotators_claiming_the_one_slot_of_one_case_at_once_give_it_to_exactly_one()
            throws Exception {
        WorkflowFixture fx = project(server(), 1, 1, 3);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            fx.member("N" + i, "annotator", Role.ANNOTATOR);
            names.add("N" + i);
        }
        open(fx);

        List<HttpResponse<String>> responses =
                parallel(
                        names.stream()
                                .<Callable<HttpResponse<String>>>map(
                                        n -> () -> fx.nextCase(n, null))
                                .toList());

        assertThat(responses)
                .allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isIn(200, 204));
        assertThat(responses.stream().filter(r -> r.statusCode() == 200)).hasSize(1);
        assertThat(responses.stream().filter(r -> r.statusCode() == 204))
                .allSatisfy(r -> assertThat(r.body()).isEmpty());
        List<Task> claimed = annotateTasks(fx);
        assertThat(claimed).hasSize(1);
    }

    @Test
    void one_annotator_asking_five_times_at_once_gets_one_slot_of_a_two_slot_case()
            throws Exception {
        WorkflowFixture fx = project(server(), 1, 2, 5);
        fx.member("S", "annotator", Role.ANNOTATOR);
        open(fx);

        List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(() -> fx.nextCase("S", null));
        }
        List<HttpResponse<String>> responses = parallel(calls);

        assertThat(responses)
                .allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isIn(200, 204));
        assertThat(responses.stream().filter(r -> r.statusCode() == 200)).hasSize(1);
        assertThat(annotateTasks(fx)).hasSize(1);
    }

    @Test
    void many_annotators_claiming_in_parallel_fill_every_slot_once_and_never_twice_per_person()
            throws Exception {
        int cases = 12;
        WorkflowFixture fx = project(server(), cases, 2, 6);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fx.member("P" + i, "annotator", Role.ANNOTATOR);
            names.add("P" + i);
        }
        open(fx);

        // Each annotator asks three times at once: 24 requests for 24 slots.
        List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (String name : names) {
                calls.add(() -> fx.nextCase(name, null));
            }
        }
        List<HttpResponse<String>> responses = parallel(calls);
        assertThat(responses)
                .allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isIn(200, 204));
        Set<String> returned = new HashSet<>();
        for (HttpResponse<String> response : responses) {
            if (response.statusCode() == 200) {
                assertThat(returned.add(fx.task(response).getIdElement().getIdPart()))
                        .as("a task handed out twice")
                        .isTrue();
            }
        }
        // Whatever the races left open, sequential claims fill.
        for (String name : names) {
            while (fx.nextCase(name, null).statusCode() == 200) {
                // claim until there is nothing left for this annotator
            }
        }

        List<Task> tasks = annotateTasks(fx);
        assertThat(tasks).hasSize(cases * 2);
        Map<String, Set<String>> ownersByCase = new HashMap<>();
        for (Task task : tasks) {
            String caseTask = WorkflowFixture.ref(task.getPartOfFirstRep());
            assertThat(
                            ownersByCase
                                    .computeIfAbsent(caseTask, k -> new HashSet<>())
                                    .add(WorkflowFixture.ref(task.getOwner())))
                    .as(caseTask + " has the same annotator twice")
                    .isTrue();
        }
        assertThat(ownersByCase).hasSize(cases);
        assertThat(ownersByCase.values()).allSatisfy(o -> assertThat(o).hasSize(2));
        assertThat(
                        fx.all(
                                Task.class,
                                "project="
                                        + fx.project
                                        + "&code="
                                        + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                        + "|case&status=ready"))
                .isEmpty();
    }

    @Test
    void a_review_task_goes_to_one_of_five_reviewers_claiming_at_once() throws Exception {
        WorkflowFixture fx = project(server(), 1, 1, 3);
        fx.member("A", "annotator", Role.ANNOTATOR);
        List<String> reviewers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fx.member("R" + i, "reviewer", Role.REVIEWER);
            reviewers.add("R" + i);
        }
        open(fx);
        HttpResponse<String> claimed = fx.nextCase("A", null);
        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
        Task task = fx.task(claimed);
        HttpResponse<String> submitted =
                fx.submit("A", "Task/" + task.getIdElement().getIdPart(), fx.label("normal"));
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);

        List<HttpResponse<String>> responses =
                parallel(
                        reviewers.stream()
                                .<Callable<HttpResponse<String>>>map(
                                        r -> () -> fx.nextCase(r, "review"))
                                .toList());

        assertThat(responses)
                .allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isIn(200, 204));
        assertThat(responses.stream().filter(r -> r.statusCode() == 200)).hasSize(1);
        Task review =
                fx.task(
                        responses.stream()
                                .filter(r -> r.statusCode() == 200)
                                .findFirst()
                                .orElseThrow());
        Task stored = fx.read(Task.class, "Task/" + review.getIdElement().getIdPart());
        assertThat(stored.getOwner().getReference()).isEqualTo(review.getOwner().getReference());
    }

    private static List<Task> annotateTasks(WorkflowFixture fx) {
        return fx.all(
                Task.class,
                "project="
                        + fx.project
                        + "&code="
                        + QuorumProfiles.CS_REVIEW_TASK_TYPE
                        + "|annotate");
    }

    private static RunningServer running;

    @BeforeAll
    static void server(RunningServer server) {
        running = server;
    }

    private static RunningServer server() {
        return running;
    }
}
