package org.quorum.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.cli.ServeCommand;
import org.quorum.testing.Http;
import org.quorum.testing.ServerProcess;

/** The packaged server as an operator runs it: configuration, readiness, restart. */
class ServerLifecycleIT {

    private static final Duration START_DEADLINE = Duration.ofSeconds(180);

    @Test
    void server_uses_port_and_data_dir_from_environment_and_keeps_data_across_restart(
            @TempDir Path dataDir) throws Exception {
        int port = ServerProcess.freePort();
        Map<String, String> env =
                Map.of(
                        "QUORUM_HTTP_PORT", Integer.toString(port),
                        "QUORUM_DATA_DIR", dataDir.toString());
        Http anonymous = new Http(URI.create("http://127.0.0.1:" + port));
        String pseudonym = "PSN-" + UUID.randomUUID();
        Http http;

        try (ServerProcess first = ServerProcess.start(env)) {
            String ready = first.awaitLine("Quorum is ready in", START_DEADLINE);
            assertThat(ready).contains("http://127.0.0.1:" + port + "/fhir");
            first.awaitLine("./quorum user add admin --role project-admin", Duration.ofSeconds(10));
            assertThat(anonymous.get("/health").statusCode()).isEqualTo(200);
            assertThat(anonymous.get("/fhir/Patient").statusCode()).isEqualTo(401);
            // The operator's path: create a user and get a token with the CLI while the server
            // runs.
            ServerProcess.cli(env, "user", "add", "operator", "--role", "project-admin");
            String token =
                    ServerProcess.lastLine(ServerProcess.cli(env, "user", "token", "operator"));
            assertThat(token).matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$");
            http = anonymous.withToken(token);
            assertThat(http.get("/metrics").body()).contains("jvm_memory_used_bytes");
            assertThat(anonymous.get("/fhir/metadata").statusCode()).isEqualTo(200);
            assertThat(anonymous.get("/fhir/.well-known/smart-configuration").body())
                    .contains("token_endpoint");
            HttpResponse<String> created =
                    http.postFhir(
                            "/fhir/Patient",
                            "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:test\",\"value\":\""
                                    + pseudonym
                                    + "\"}]}");
            assertThat(created.statusCode()).isEqualTo(201);
            // No de-identification secret here: $deidentify says so (501), not an opaque 500.
            ServerProcess.cli(env, "user", "add", "deid", "--role", "deid-admin");
            String deidToken =
                    ServerProcess.lastLine(ServerProcess.cli(env, "user", "token", "deid"));
            HttpResponse<String> deid =
                    anonymous
                            .withToken(deidToken)
                            .postFhir(
                                    "/fhir/$deidentify",
                                    "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}");
            assertThat(deid.statusCode()).as(deid.body()).isEqualTo(501);
            assertThat(deid.body()).contains("OperationOutcome").contains("not configured");
            assertThat(first.stop(Duration.ofSeconds(60))).isIn(0, 143);
        }
        assertThat(Files.list(dataDir.resolve("db")).map(p -> p.getFileName().toString()))
                .anyMatch(n -> n.endsWith(".mv.db"));

        try (ServerProcess second = ServerProcess.start(env)) {
            second.awaitLine("Quorum is ready in", START_DEADLINE);
            // The signing key persists in the data directory: the token from before the restart
            // still works.
            HttpResponse<String> found =
                    http.get(
                            "/fhir/Patient?identifier=urn:test%7C" + pseudonym,
                            "application/fhir+json");
            assertThat(found.body()).contains("\"total\":1").contains(pseudonym);
            second.stop(Duration.ofSeconds(60));
        }
    }

    @Test
    void bad_port_stops_startup_with_a_message_naming_the_key(@TempDir Path dataDir)
            throws Exception {
        try (ServerProcess server =
                ServerProcess.start(
                        Map.of(
                                "QUORUM_HTTP_PORT",
                                "eighty",
                                "QUORUM_DATA_DIR",
                                dataDir.toString()))) {
            assertThat(server.awaitExit(Duration.ofSeconds(60)))
                    .isEqualTo(ServeCommand.EXIT_BAD_CONFIGURATION);
            assertThat(server.output())
                    .contains("QUORUM_HTTP_PORT")
                    .contains("'eighty' is not allowed; use a whole number from 0 to 65535")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void unsupported_database_url_stops_startup_naming_the_allowed_kinds(@TempDir Path dataDir)
            throws Exception {
        try (ServerProcess server =
                ServerProcess.start(
                        Map.of(
                                "QUORUM_DB_URL",
                                "jdbc:mysql://db/quorum?password=hunter2",
                                "QUORUM_DATA_DIR",
                                dataDir.toString()))) {
            assertThat(server.awaitExit(Duration.ofSeconds(60)))
                    .isEqualTo(ServeCommand.EXIT_BAD_CONFIGURATION);
            assertThat(server.output())
                    .contains("QUORUM_DB_URL")
                    .contains("jdbc:h2:file:")
                    .contains("jdbc:postgresql://")
                    .doesNotContain("hunter2");
        }
    }

    @Test
    void unknown_key_in_config_file_stops_startup(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("quorum.properties");
        Files.writeString(config, "QUORUM_HTTP_PORT=0\nQUORUM_HTTP_PROT=8081\n");
        try (ServerProcess server =
                ServerProcess.start(
                        Map.of("QUORUM_DATA_DIR", dir.toString()), "--config", config.toString())) {
            assertThat(server.awaitExit(Duration.ofSeconds(60)))
                    .isEqualTo(ServeCommand.EXIT_BAD_CONFIGURATION);
            assertThat(server.output()).contains("QUORUM_HTTP_PROT").contains("unknown key");
        }
    }

    @Test
    void port_already_in_use_fails_with_a_clear_message(@TempDir Path dataDir) throws Exception {
        try (java.net.ServerSocket taken =
                        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ServerProcess server =
                        ServerProcess.start(
                                Map.of(
                                        "QUORUM_HTTP_PORT",
                                        Integer.toString(taken.getLocalPort()),
                                        "QUORUM_DATA_DIR",
                                        dataDir.toString()))) {
            assertThat(server.awaitExit(START_DEADLINE)).isEqualTo(ServeCommand.EXIT_START_FAILED);
            assertThat(server.output())
                    .contains("Quorum failed to start")
                    .containsIgnoringCase("address already in use");
        }
    }
}
