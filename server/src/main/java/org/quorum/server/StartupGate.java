package org.quorum.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * The listener's handler while the server starts: the port is bound first, so a port conflict fails
 * in a second instead of after the FHIR store's start-up, and a load balancer sees 503 ("starting")
 * rather than a refused connection. Liveness answers at once.
 */
final class StartupGate implements HttpHandler {

    private volatile HttpHandler ready;

    void open(HttpHandler routes) {
        this.ready = routes;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HttpHandler routes = ready;
        if (routes != null) {
            routes.handleRequest(exchange);
            return;
        }
        boolean live = exchange.getRequestPath().equals("/health/live");
        exchange.setStatusCode(live ? 200 : 503);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        if (!live) {
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "5");
        }
        exchange.getResponseSender()
                .send(live ? "{\"status\":\"UP\",\"checks\":{}}" : "{\"status\":\"STARTING\"}");
    }
}
