package org.quorum.security.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

/**
 * Headers every response carries: no MIME sniffing, no framing, no referrer leaks, no caching of
 * clinical data by shared caches; HSTS on HTTPS (RFC 6797).
 */
public final class SecurityHeadersHandler implements HttpHandler {

    private final HttpHandler next;

    public SecurityHeadersHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        var headers = exchange.getResponseHeaders();
        headers.put(new HttpString("X-Content-Type-Options"), "nosniff");
        headers.put(new HttpString("X-Frame-Options"), "DENY");
        headers.put(new HttpString("Referrer-Policy"), "no-referrer");
        if (!headers.contains(new HttpString("Cache-Control"))) {
            headers.put(new HttpString("Cache-Control"), "no-store");
        }
        if (exchange.isSecure()) {
            headers.put(
                    new HttpString("Strict-Transport-Security"),
                    "max-age=31536000; includeSubDomains");
        }
        next.handleRequest(exchange);
    }
}
