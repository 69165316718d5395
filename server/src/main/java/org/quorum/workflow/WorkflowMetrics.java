package org.quorum.workflow;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workflow's figures on {@code /metrics} (Prometheus), per project and annotator, updated as
 * work is done: {@code quorum_workflow_cases_done_total}, {@code
 * quorum_workflow_case_duration_seconds} (with its median), {@code
 * quorum_workflow_review_decisions_total} (by decision on the annotator's labels), {@code
 * quorum_workflow_agreement} (share of the annotator's labels with the final label's codes) and
 * {@code quorum_workflow_backlog} (open cases). They count from the server's start; {@code
 * $work-report} computes the same figures from the stored Tasks.
 */
public final class WorkflowMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> backlog = new ConcurrentHashMap<>();
    private final Map<String, long[]> agreement = new ConcurrentHashMap<>();

    public WorkflowMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void caseDone(String project, String annotator, Duration time) {
        Counter.builder("quorum.workflow.cases.done")
                .description("Annotation tasks completed")
                .tag("project", project)
                .tag("annotator", annotator)
                .register(registry)
                .increment();
        Timer.builder("quorum.workflow.case.duration")
                .description("Time from claiming a case to submitting its labels")
                .tag("project", project)
                .tag("annotator", annotator)
                .publishPercentiles(0.5)
                .register(registry)
                .record(time.isNegative() ? Duration.ZERO : time);
    }

    void decision(String project, String annotator, Decision decision) {
        Counter.builder("quorum.workflow.review.decisions")
                .description("Review decisions on an annotator's labels")
                .tag("project", project)
                .tag("annotator", annotator)
                .tag("decision", decision.code())
                .register(registry)
                .increment();
    }

    void agreement(String project, String annotator, boolean agreed) {
        String key = project + "\n" + annotator;
        long[] counts =
                agreement.computeIfAbsent(
                        key,
                        k -> {
                            long[] fresh = new long[2];
                            Gauge.builder(
                                            "quorum.workflow.agreement",
                                            fresh,
                                            c -> c[1] == 0 ? Double.NaN : (double) c[0] / c[1])
                                    .description(
                                            "Share of the annotator's labels with the codes of"
                                                    + " the final label")
                                    .tag("project", project)
                                    .tag("annotator", annotator)
                                    .register(registry);
                            return fresh;
                        });
        synchronized (counts) {
            counts[0] += agreed ? 1 : 0;
            counts[1]++;
        }
    }

    void backlog(String project, long openCases) {
        backlog.computeIfAbsent(
                        project,
                        p -> {
                            AtomicLong value = new AtomicLong();
                            Gauge.builder("quorum.workflow.backlog", value, AtomicLong::get)
                                    .description("Open cases (not final) of the project")
                                    .tag("project", p)
                                    .register(registry);
                            return value;
                        })
                .set(openCases);
    }
}
