package org.quorum.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.testing.Http;
import org.quorum.testing.ServerProcess;

/**
 * AuditEvents survive a crash: 200 requests, {@code kill -9} of the server right after the last
 * response, a restart on the same data directory, and every request has exactly one AuditEvent. The
 * tokens come from {@code quorum user token} run without the server's port in its environment: the
 * CLI issues what the server on the same data directory accepts.
 */
class AuditCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_DEADLINE = Duration.ofSeconds(180);
    private static final int REQUESTS = 200;

    @Test
    void every_answered_request_has_its_audit_event_after_kill_9_and_restart(@TempDir Path dataDir)
            throws Exception {
        int port = ServerProcess.freePort();
        Map<String, String> serverEnv =
                Map.of(
                        "QUORUM_HTTP_PORT", Integer.toString(port),
                        "QUORUM_DATA_DIR", dataDir.toString());
        // The operator's shell: the same data directory, not the server's port.
        Map<String, String> cliEnv = Map.of("QUORUM_DATA_DIR", dataDir.toString());
        String user = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        Http anonymous = new Http(URI.create("http://127.0.0.1:" + port));

        try (ServerProcess first = ServerProcess.start(serverEnv)) {
            first.awaitLine("Quorum is ready in", START_DEADLINE);
            ServerProcess.cli(cliEnv, "user", "add", user, "--role", "project-admin");
            Http admin =
                    anonymous.withToken(
                            ServerProcess.lastLine(
                                    ServerProcess.cli(cliEnv, "user", "token", user)));
            for (int i = 0; i < REQUESTS; i++) {
                HttpResponse<String> response =
                        i % 2 == 0
                                ? admin.postFhir(
                                        "/fhir/Patient",
                                        "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
                                                + "\"urn:crash\",\"value\":\""
                                                + user
                                                + "-"
                                                + i
                                                + "\"}]}")
                                : admin.get(
                                        "/fhir/Patient?identifier=urn:crash%7C"
                                                + user
                                                + "-"
                                                + (i - 1),
                                        "application/fhir+json");
                assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
            }
            // kill -9: no shutdown hook, no flush.
            first.close();
            assertThat(first.awaitExit(Duration.ofSeconds(30))).isNotZero();
        }

        ServerProcess.cli(cliEnv, "user", "add", user + "-auditor", "--role", "auditor");
        try (ServerProcess second = ServerProcess.start(serverEnv)) {
            second.awaitLine("Quorum is ready in", START_DEADLINE);
            Http auditor =
                    anonymous.withToken(
                            ServerProcess.lastLine(
                                    ServerProcess.cli(cliEnv, "user", "token", user + "-auditor")));
            int found = -1;
            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            while (Instant.now().isBefore(deadline)) {
                HttpResponse<String> count =
                        auditor.get(
                                "/fhir/AuditEvent?altid=" + user + "&_summary=count",
                                "application/fhir+json");
                assertThat(count.statusCode()).as(count.body()).isEqualTo(200);
                found = JSON.readTree(count.body()).path("total").asInt();
                if (found >= REQUESTS) {
                    break;
                }
            }
            assertThat(found).as("AuditEvents of the 200 requests").isEqualTo(REQUESTS);
            HttpResponse<String> health = anonymous.get("/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(
                            JSON.readTree(health.body())
                                    .path("checks")
                                    .path("audit")
                                    .path("status")
                                    .asText())
                    .isEqualTo("UP");
            second.stop(Duration.ofSeconds(60));
        }
    }
}
