package org.quorum.bridge.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.quorum.bridge.store.DeadLetterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's own HTTP port (JDK HTTP server, loopback by default): {@code GET /health} (200 UP or
 * 503 DOWN with the reasons), {@code GET /metrics} (Prometheus), {@code GET /status} (routes,
 * progress, dead letters), and the dead-letter administration used by {@code quorum bridge
 * dead-letters}, which needs the admin token the bridge writes to its data directory (mode 0600).
 */
public final class OpsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);

    private final HttpServer server;
    private final ObjectMapper json =
            new ObjectMapper()
                    .registerModule(new JavaTimeModule())
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** What the health check reports. */
    public record Health(boolean up, Map<String, String> checks) {}

    /** Sends a quarantined instance to Quorum (a person released it). */
    public interface QuarantineRelease {
        /**
         * @return false when no instance with this id is in quarantine
         * @throws org.quorum.bridge.resilience.PermanentFailureException when Quorum refuses it
         * @throws org.quorum.bridge.resilience.PeerUnavailableException when Quorum does not answer
         */
        boolean release(long id);
    }

    public OpsServer(
            String host,
            int port,
            BridgeMetrics metrics,
            Supplier<Health> health,
            Supplier<Object> status,
            DeadLetterStore deadLetters,
            Supplier<Object> quarantine,
            QuarantineRelease release,
            String adminToken)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread thread = new Thread(r, "bridge-ops-http");
                            thread.setDaemon(true);
                            return thread;
                        }));
        server.createContext(
                "/health",
                exchange -> {
                    if (!method(exchange, "GET")) {
                        return;
                    }
                    Health now = health.get();
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("status", now.up() ? "UP" : "DOWN");
                    body.put("checks", now.checks());
                    send(
                            exchange,
                            now.up() ? 200 : 503,
                            "application/json",
                            json.writeValueAsString(body));
                });
        server.createContext(
                "/metrics",
                exchange -> {
                    if (method(exchange, "GET")) {
                        send(
                                exchange,
                                200,
                                "text/plain; version=0.0.4; charset=utf-8",
                                metrics.scrape());
                    }
                });
        server.createContext(
                "/status",
                exchange -> {
                    if (method(exchange, "GET")) {
                        send(
                                exchange,
                                200,
                                "application/json",
                                json.writeValueAsString(status.get()));
                    }
                });
        server.createContext(
                "/admin/dead-letters",
                exchange -> {
                    if (!authorised(exchange, adminToken)) {
                        send(
                                exchange,
                                401,
                                "application/json",
                                "{\"error\":\"admin token required\"}");
                        return;
                    }
                    adminDeadLetters(exchange, deadLetters);
                });
        server.createContext(
                "/admin/quarantine",
                exchange -> {
                    if (!authorised(exchange, adminToken)) {
                        send(
                                exchange,
                                401,
                                "application/json",
                                "{\"error\":\"admin token required\"}");
                        return;
                    }
                    String rest =
                            exchange.getRequestURI()
                                    .getPath()
                                    .replaceAll("/+$", "")
                                    .substring("/admin/quarantine".length());
                    if (rest.matches("/\\d{1,18}/release")) {
                        if (method(exchange, "POST")) {
                            adminRelease(
                                    exchange,
                                    release,
                                    Long.parseLong(rest.substring(1, rest.indexOf("/release"))));
                        }
                    } else if (!rest.isEmpty()) {
                        send(
                                exchange,
                                404,
                                "application/json",
                                "{\"error\":\"unknown quarantine operation\"}");
                    } else if (method(exchange, "GET")) {
                        send(
                                exchange,
                                200,
                                "application/json",
                                json.writeValueAsString(quarantine.get()));
                    }
                });
        server.start();
    }

    public URI baseUrl() {
        InetSocketAddress address = server.getAddress();
        String host =
                address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getHostString();
        return URI.create("http://" + host + ":" + address.getPort());
    }

    private void adminDeadLetters(HttpExchange exchange, DeadLetterStore deadLetters)
            throws IOException {
        String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
        String rest = path.substring("/admin/dead-letters".length());
        String method = exchange.getRequestMethod();
        try {
            if (rest.isEmpty() && method.equals("GET")) {
                send(
                        exchange,
                        200,
                        "application/json",
                        json.writeValueAsString(deadLetters.list()));
            } else if (rest.equals("/retry") && method.equals("POST")) {
                int count = deadLetters.requestRetryAll();
                send(exchange, 200, "application/json", "{\"retryRequested\":" + count + "}");
            } else if (rest.matches("/\\d+/retry") && method.equals("POST")) {
                long id = Long.parseLong(rest.substring(1, rest.indexOf("/retry")));
                boolean found = deadLetters.requestRetry(id);
                send(
                        exchange,
                        found ? 200 : 404,
                        "application/json",
                        found
                                ? "{\"retryRequested\":1}"
                                : "{\"error\":\"no dead letter " + id + "\"}");
            } else if (rest.matches("/\\d+") && method.equals("DELETE")) {
                long id = Long.parseLong(rest.substring(1));
                boolean found = deadLetters.drop(id);
                send(
                        exchange,
                        found ? 200 : 404,
                        "application/json",
                        found ? "{\"dropped\":1}" : "{\"error\":\"no dead letter " + id + "\"}");
            } else {
                send(
                        exchange,
                        404,
                        "application/json",
                        "{\"error\":\"unknown dead-letter operation\"}");
            }
        } catch (RuntimeException e) {
            LOG.error("dead-letter administration failed", e);
            send(
                    exchange,
                    500,
                    "application/json",
                    "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
        }
    }

    private void adminRelease(HttpExchange exchange, QuarantineRelease release, long id)
            throws IOException {
        try {
            boolean found = release.release(id);
            send(
                    exchange,
                    found ? 200 : 404,
                    "application/json",
                    found
                            ? "{\"released\":1}"
                            : "{\"error\":\"no quarantined instance " + id + "\"}");
        } catch (org.quorum.bridge.resilience.PermanentFailureException e) {
            send(
                    exchange,
                    409,
                    "application/json",
                    json.writeValueAsString(Map.of("error", e.getMessage())));
        } catch (org.quorum.bridge.resilience.PeerUnavailableException e) {
            send(
                    exchange,
                    503,
                    "application/json",
                    json.writeValueAsString(Map.of("error", e.getMessage())));
        }
    }

    private static boolean authorised(HttpExchange exchange, String token) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(
                header.substring(7).strip().getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean method(HttpExchange exchange, String allowed) throws IOException {
        if (exchange.getRequestMethod().equals(allowed)) {
            return true;
        }
        exchange.getResponseHeaders().add("Allow", allowed);
        send(exchange, 405, "application/json", "{\"error\":\"method not allowed\"}");
        return false;
    }

    private static void send(HttpExchange exchange, int status, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
