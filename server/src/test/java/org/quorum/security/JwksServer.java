package org.quorum.security;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A strict fake identity provider on 127.0.0.1: it serves the public JWK Set at {@code /jwks}
 * (answering {@link #status} instead when that is not 200) and counts requests; any other path is a
 * 404 and fails {@link #unexpectedRequests()}.
 */
final class JwksServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicReference<String> jwks = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger unexpected = new AtomicInteger();
    final AtomicInteger status = new AtomicInteger(200);

    JwksServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/",
                exchange -> {
                    byte[] body;
                    int code;
                    if (exchange.getRequestURI().getPath().equals("/jwks")
                            && exchange.getRequestMethod().equals("GET")) {
                        requests.incrementAndGet();
                        code = status.get();
                        body = jwks.get().getBytes(StandardCharsets.UTF_8);
                    } else {
                        unexpected.incrementAndGet();
                        code = 404;
                        body = new byte[0];
                    }
                    exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
                    exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
        server.start();
    }

    /** Serves the public parts of these keys from now on. */
    void serve(List<JWK> keys) {
        jwks.set(new JWKSet(keys).toPublicJWKSet().toString(true));
    }

    URI jwksUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
    }

    int requests() {
        return requests.get();
    }

    int unexpectedRequests() {
        return unexpected.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
