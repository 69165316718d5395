package org.quorum.bridge.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.quorum.bridge.resilience.Failure;

/**
 * The bridge's metrics on {@code /metrics} (Prometheus text format), per route: records received,
 * delivered, failed and dead-lettered, resources written to Quorum, and the lag behind the source;
 * per endpoint: retries and the circuit breaker's state.
 */
public final class BridgeMetrics {

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private Counter counter(String name, String description, String tag, String value) {
        return counters.computeIfAbsent(
                name + "|" + tag + "|" + value,
                k ->
                        Counter.builder(name)
                                .description(description)
                                .tag(tag, value)
                                .register(registry));
    }

    /** Declares a route's meters at start-up, so that they show as 0 before anything happens. */
    public void declareRoute(String route, Supplier<Duration> lag) {
        received(route, 0);
        delivered(route, 0, 0);
        failed(route, 0);
        deadLettered(route, 0);
        Gauge.builder("quorum_bridge_lag_seconds", () -> lag.get().toMillis() / 1000.0)
                .description(
                        "How far the route is behind its source: time since the last poll that"
                                + " reached the EHR's newest change, or age of the oldest HL7"
                                + " message waiting")
                .tag("route", route)
                .register(registry);
    }

    public void declareEndpoint(String endpoint, Supplier<String> state) {
        for (String value : new String[] {"CLOSED", "OPEN", "HALF_OPEN"}) {
            Gauge.builder(
                            "quorum_bridge_circuit_breaker_state",
                            () -> state.get().equals(value) ? 1.0 : 0.0)
                    .description("1 for the state the endpoint's circuit breaker is in")
                    .tag("endpoint", endpoint)
                    .tag("state", value)
                    .register(registry);
        }
    }

    public void received(String route, int records) {
        counter(
                        "quorum_bridge_received_records",
                        "Source records received (EHR hits not delivered before, HL7 messages"
                                + " accepted)",
                        "route",
                        route)
                .increment(records);
    }

    public void delivered(String route, int records, int resources) {
        counter(
                        "quorum_bridge_delivered_records",
                        "Source records whose transaction Quorum committed",
                        "route",
                        route)
                .increment(records);
        counter(
                        "quorum_bridge_written_resources",
                        "Resources (with their Provenances) written to Quorum",
                        "route",
                        route)
                .increment(resources);
    }

    public void failed(String route, int records) {
        counter(
                        "quorum_bridge_failed_records",
                        "Source records in a delivery Quorum refused or that could not be"
                                + " processed (before they were retried alone or parked)",
                        "route",
                        route)
                .increment(records);
    }

    public void deadLettered(String route, int records) {
        counter(
                        "quorum_bridge_dead_lettered_records",
                        "Source records parked in the dead-letter store",
                        "route",
                        route)
                .increment(records);
    }

    public void quarantined(String route) {
        counter(
                        "quorum_bridge_quarantined_instances",
                        "DICOM instances kept in the bridge because their pixels may show text",
                        "route",
                        route)
                .increment();
    }

    public void retrying(String endpoint, Failure failure, Duration delay) {
        counter(
                        "quorum_bridge_retries",
                        "Calls retried after a transient failure",
                        "endpoint",
                        endpoint)
                .increment();
    }

    /**
     * Time spent in one stage of delivery: {@code ehr} (searches and fetches), {@code deid}
     * (de-identification and preparing the transaction), {@code quorum} (the transaction), {@code
     * store} (the bridge's own commits).
     */
    public void stage(String stage, long nanos) {
        io.micrometer.core.instrument.Timer.builder("quorum_bridge_stage")
                .description("Time spent per delivery stage")
                .tag("stage", stage)
                .register(registry)
                .record(java.time.Duration.ofNanos(nanos));
    }

    public String scrape() {
        return registry.scrape();
    }
}
