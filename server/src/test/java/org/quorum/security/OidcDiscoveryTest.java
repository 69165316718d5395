package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The external provider's discovery document, served by a real HTTP server on 127.0.0.1. */
class OidcDiscoveryTest {

    private HttpServer server;
    private String issuer;
    private final AtomicReference<String> document = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger requests = new AtomicInteger();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/realms/h/.well-known/openid-configuration",
                exchange -> {
                    requests.incrementAndGet();
                    byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(status.get(), body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
        server.start();
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/h";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String doc(String iss, String authorization, String token, String methods) {
        return "{\"issuer\":\"%s\",\"authorization_endpoint\":\"%s\",\"token_endpoint\":\"%s\"%s}"
                .formatted(
                        iss,
                        authorization,
                        token,
                        methods == null ? "" : ",\"code_challenge_methods_supported\":" + methods);
    }

    @Test
    void reads_the_endpoints_and_keeps_them_for_an_hour() throws Exception {
        document.set(doc(issuer, issuer + "/auth", issuer + "/token", "[\"plain\",\"S256\"]"));
        OidcDiscovery discovery = new OidcDiscovery(issuer, clock);
        assertThat(discovery.known()).isEmpty();
        OidcDiscovery.Endpoints endpoints = discovery.endpoints();
        assertThat(endpoints.authorizationEndpoint()).isEqualTo(URI.create(issuer + "/auth"));
        assertThat(endpoints.tokenEndpoint()).isEqualTo(URI.create(issuer + "/token"));
        assertThat(discovery.known()).contains(endpoints);
        clock.advance(Duration.ofMinutes(59));
        discovery.endpoints();
        assertThat(requests).hasValue(1);
        clock.advance(Duration.ofMinutes(2));
        discovery.endpoints();
        assertThat(requests).hasValue(2);
    }

    @Test
    void a_document_naming_another_issuer_is_refused() {
        document.set(doc("https://evil.example", issuer + "/auth", issuer + "/token", null));
        assertThatThrownBy(() -> new OidcDiscovery(issuer, clock).endpoints())
                .isInstanceOf(OidcDiscovery.UnavailableException.class)
                .hasMessageContaining("names another issuer");
    }

    @Test
    void a_provider_without_s256_is_refused() {
        document.set(doc(issuer, issuer + "/auth", issuer + "/token", "[\"plain\"]"));
        assertThatThrownBy(() -> new OidcDiscovery(issuer, clock).endpoints())
                .hasMessageContaining("S256");
    }

    @Test
    void endpoints_in_clear_text_off_the_machine_are_refused() {
        document.set(doc(issuer, "http://idp.example/auth", issuer + "/token", null));
        assertThatThrownBy(() -> new OidcDiscovery(issuer, clock).endpoints())
                .hasMessageContaining("authorization_endpoint")
                .hasMessageContaining("must use https");
        assertThatThrownBy(() -> new OidcDiscovery("http://idp.example/realms/h", clock))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_failure_is_retried_after_a_pause_and_a_stale_document_outlives_one() throws Exception {
        status.set(503);
        document.set("{}");
        OidcDiscovery discovery = new OidcDiscovery(issuer, clock);
        assertThatThrownBy(discovery::endpoints).hasMessageContaining("HTTP status 503");
        status.set(200);
        document.set(doc(issuer, issuer + "/auth", issuer + "/token", null));
        assertThatThrownBy(discovery::endpoints).hasMessageContaining("HTTP status 503");
        assertThat(requests).hasValue(1);
        clock.advance(OidcDiscovery.RETRY_INTERVAL);
        assertThat(discovery.endpoints().tokenEndpoint().getPath()).isEqualTo("/realms/h/token");
        status.set(500);
        clock.advance(Duration.ofHours(2));
        assertThat(discovery.endpoints().tokenEndpoint().getPath()).isEqualTo("/realms/h/token");
        assertThat(requests).hasValue(3);
    }
}
