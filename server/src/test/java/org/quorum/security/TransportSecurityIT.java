package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.testing.RunningServer;
import org.quorum.testing.ServerProcess;

/** HTTPS with HSTS, CORS for configured origins only, security headers on every response. */
@ExtendWith(RunningServer.class)
class TransportSecurityIT {

    @Test
    void every_response_carries_security_headers(RunningServer server) {
        HttpResponse<String> response = server.http().get("/health");

        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(response.headers().firstValue("Strict-Transport-Security")).isEmpty();
    }

    @Test
    void preflight_from_an_allowed_origin_is_answered_and_others_get_no_cors_headers(
            RunningServer server) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest.Builder preflight =
                HttpRequest.newBuilder(server.baseUrl().resolve("/fhir/Observation"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "authorization, content-type");

        HttpResponse<String> allowed =
                client.send(
                        preflight.copy().header("Origin", RunningServer.CORS_ORIGIN).build(),
                        HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> other =
                client.send(
                        preflight.copy().header("Origin", "http://evil.test").build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(allowed.statusCode()).isEqualTo(204);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue(RunningServer.CORS_ORIGIN);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
                .contains("Authorization");
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void https_listener_serves_with_hsts(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "keytool")
                                        .toString(),
                                "-genkeypair",
                                "-alias",
                                "quorum",
                                "-keyalg",
                                "EC",
                                "-groupname",
                                "secp256r1",
                                "-validity",
                                "2",
                                "-dname",
                                "CN=localhost",
                                "-ext",
                                "SAN=dns:localhost,ip:127.0.0.1",
                                "-storetype",
                                "PKCS12",
                                "-keystore",
                                keystore.toString(),
                                "-storepass",
                                "changeit")
                        .redirectErrorStream(true)
                        .start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();
        int httpsPort = ServerProcess.freePort();

        try (ServerProcess server =
                ServerProcess.start(
                        Map.of(
                                "QUORUM_HTTP_PORT", Integer.toString(ServerProcess.freePort()),
                                "QUORUM_DATA_DIR", dir.resolve("data").toString(),
                                "QUORUM_HTTPS_PORT", Integer.toString(httpsPort),
                                "QUORUM_HTTPS_KEYSTORE", keystore.toString(),
                                "QUORUM_HTTPS_KEYSTORE_PASSWORD", "changeit"))) {
            server.awaitLine("Quorum is ready in", Duration.ofSeconds(180));
            HttpClient client =
                    HttpClient.newBuilder().sslContext(trusting(keystore, "changeit")).build();

            HttpResponse<String> response =
                    client.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "https://localhost:" + httpsPort + "/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Strict-Transport-Security").orElse(""))
                    .startsWith("max-age=");
            server.stop(Duration.ofSeconds(60));
        }
    }

    @Test
    void https_port_without_keystore_is_a_configuration_error(@TempDir Path dir) throws Exception {
        try (ServerProcess server =
                ServerProcess.start(
                        Map.of("QUORUM_DATA_DIR", dir.toString(), "QUORUM_HTTPS_PORT", "8443"))) {
            assertThat(server.awaitExit(Duration.ofSeconds(60))).isEqualTo(78);
            assertThat(server.output()).contains("QUORUM_HTTPS_KEYSTORE").contains("PKCS#12");
        }
    }

    private static SSLContext trusting(Path keystore, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password.toCharArray());
        }
        TrustManagerFactory trust =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
