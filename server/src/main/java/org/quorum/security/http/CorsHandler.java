package org.quorum.security.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.List;
import java.util.Set;

/**
 * CORS for browser clients (Fetch standard §3.2): only configured origins get the Access-Control-*
 * headers; a preflight from an allowed origin is answered here, before authentication (browsers
 * send preflights without credentials).
 */
public final class CorsHandler implements HttpHandler {

    private static final HttpString ORIGIN = new HttpString("Origin");
    private static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
    private static final String ALLOWED_HEADERS =
            "Authorization, Content-Type, Accept, Prefer, If-Match, If-None-Exist, If-Modified-Since, X-Requested-With";
    private static final String EXPOSED_HEADERS =
            "Location, Content-Location, ETag, Last-Modified, WWW-Authenticate";

    private final Set<String> origins;
    private final HttpHandler next;

    public CorsHandler(List<String> origins, HttpHandler next) {
        this.origins = Set.copyOf(origins);
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String origin = exchange.getRequestHeaders().getFirst(ORIGIN);
        if (origin == null || !origins.contains(origin)) {
            next.handleRequest(exchange);
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.put(new HttpString("Access-Control-Allow-Origin"), origin);
        headers.put(new HttpString("Vary"), "Origin");
        headers.put(new HttpString("Access-Control-Expose-Headers"), EXPOSED_HEADERS);
        boolean preflight =
                exchange.getRequestMethod().equals(Methods.OPTIONS)
                        && exchange.getRequestHeaders()
                                .contains(new HttpString("Access-Control-Request-Method"));
        if (preflight) {
            headers.put(new HttpString("Access-Control-Allow-Methods"), ALLOWED_METHODS);
            headers.put(new HttpString("Access-Control-Allow-Headers"), ALLOWED_HEADERS);
            headers.put(new HttpString("Access-Control-Max-Age"), "600");
            exchange.setStatusCode(204);
            exchange.endExchange();
            return;
        }
        next.handleRequest(exchange);
    }
}
