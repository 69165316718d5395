package org.quorum.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.concurrent.TimeUnit;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * Prometheus metrics: JVM and process meters, HTTP requests by route family, method and status, and
 * the database connection pool. Served at {@code GET /metrics} in the Prometheus text format.
 */
public final class Metrics {

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    public Metrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("application", "quorum");
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void bindConnectionPool(BasicDataSource pool) {
        registry.gauge("quorum.db.connections.active", pool, BasicDataSource::getNumActive);
        registry.gauge("quorum.db.connections.idle", pool, BasicDataSource::getNumIdle);
        registry.gauge("quorum.db.connections.max", pool, BasicDataSource::getMaxTotal);
    }

    /** The {@code /metrics} endpoint. */
    public HttpHandler scrapeHandler() {
        return exchange -> {
            exchange.getResponseHeaders()
                    .put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            exchange.getResponseSender().send(registry.scrape());
        };
    }

    /** Wraps {@code next} so every request is timed as {@code http.server.requests}. */
    public HttpHandler timing(HttpHandler next) {
        return exchange -> {
            long start = System.nanoTime();
            exchange.addExchangeCompleteListener(
                    (done, nextListener) -> {
                        Timer.builder("http.server.requests")
                                .tag("route", routeFamily(done))
                                .tag("method", done.getRequestMethod().toString())
                                .tag("status", Integer.toString(done.getStatusCode()))
                                .register(registry)
                                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                        nextListener.proceed();
                    });
            next.handleRequest(exchange);
        };
    }

    /** The first path segment only: a label per resource id would explode the series count. */
    static String routeFamily(HttpServerExchange exchange) {
        String path = exchange.getRequestPath();
        int second = path.indexOf('/', 1);
        String first = second < 0 ? path : path.substring(0, second);
        return switch (first) {
            case "/fhir", "/health", "/metrics", "/dicomweb" -> first;
            default -> "other";
        };
    }

    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
