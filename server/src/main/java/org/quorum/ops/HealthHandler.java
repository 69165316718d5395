package org.quorum.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /health} (readiness, the default), {@code /health/ready} and {@code /health/live}: a
 * small JSON document, HTTP 200 when up and 503 when not.
 */
public final class HealthHandler implements HttpHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<HealthService.Report> check;

    private HealthHandler(Supplier<HealthService.Report> check) {
        this.check = check;
    }

    public static HealthHandler readiness(HealthService health) {
        return new HealthHandler(health::readiness);
    }

    public static HealthHandler liveness(HealthService health) {
        return new HealthHandler(health::liveness);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            // The readiness check blocks on JDBC: never on an I/O thread.
            exchange.dispatch(this);
            return;
        }
        if (!exchange.getRequestMethod().equals(Methods.GET)
                && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.setStatusCode(405);
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            exchange.endExchange();
            return;
        }
        HealthService.Report report = check.get();
        exchange.setStatusCode(report.up() ? 200 : 503);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(toJson(report));
    }

    static String toJson(HealthService.Report report) {
        ObjectNode json = JSON.createObjectNode();
        json.put("status", report.up() ? "UP" : "DOWN");
        ObjectNode checks = json.putObject("checks");
        for (Map.Entry<String, HealthService.Check> entry : report.checks().entrySet()) {
            HealthService.Check check = entry.getValue();
            checks.putObject(check.name())
                    .put("status", check.up() ? "UP" : "DOWN")
                    .put("detail", check.detail());
        }
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the health report", e);
        }
    }
}
