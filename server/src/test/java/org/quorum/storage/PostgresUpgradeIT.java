package org.quorum.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.quorum.security.Role;
import org.quorum.security.ScopeSet;
import org.quorum.security.SecurityStore;
import org.quorum.security.SigningKeys;
import org.quorum.security.TokenIssuer;
import org.quorum.testing.Http;
import org.quorum.testing.PostgresCluster;
import org.quorum.testing.RunningServer;
import org.quorum.testing.ServerProcess;

/**
 * Upgrading a PostgreSQL installation made by the previous release (Quorum 0.1.0: schema made by
 * Hibernate, security state in files): {@code src/test/resources/upgrade/0.1.0-postgresql} holds
 * that release's database dump (a label, a review Task and its case assignment, one DICOM instance
 * and its AuditEvents) and its data directory. The packaged server of this version starts on it:
 * the migrations adopt the schema, the security files move into the database, and what 0.1.0 stored
 * and issued keeps working.
 */
class PostgresUpgradeIT {

    private static final String RELEASE = "/upgrade/0.1.0-postgresql";

    /** The issuer 0.1.0 recorded (it ran on port 18081); its tokens name it. */
    private static final String OLD_ISSUER = "http://127.0.0.1:18081";

    private static final String OLD_SOP = "1.2.276.0.7230010.3.1.4.1787205428.166.1117461927.10";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_database_and_data_directory_made_by_0_1_0_are_upgraded_in_place() throws Exception {
        PostgresCluster postgres = PostgresCluster.shared();
        String database = postgres.createDatabase("quorum_upgrade");
        Path work = Files.createTempDirectory("quorum-upgrade-");
        Path dump = work.resolve("quorum-0.1.0.sql");
        try (InputStream gz = resource("/quorum.sql.gz");
                InputStream sql = new GZIPInputStream(gz)) {
            Files.copy(sql, dump);
        }
        postgres.client(
                "psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-f", dump.toString());
        Path dataDir = copyDataDirectory(work.resolve("data"));
        SecurityStore oldFiles = SecurityStore.files(dataDir);
        String oldKeyToken = adminToken(SigningKeys.loadOrCreate(oldFiles));

        Map<String, String> settings = new HashMap<>(postgres.quorumSettings(database));
        int port = ServerProcess.freePort();
        settings.put("QUORUM_HTTP_PORT", Integer.toString(port));
        settings.put("QUORUM_HTTP_HOST", "127.0.0.1");
        settings.put("QUORUM_DATA_DIR", dataDir.toString());
        settings.put("QUORUM_AUTH_ISSUER", OLD_ISSUER);
        settings.put("QUORUM_SECRETS_KEY_FILE", RunningServer.secretsKeyFile(work).toString());
        try (ServerProcess server = ServerProcess.start(settings)) {
            server.awaitLine("Quorum is ready", Duration.ofMinutes(8));
            URI base = URI.create("http://127.0.0.1:" + port);

            // What 0.1.0 stored, read with a token 0.1.0's key signed.
            Http old = new Http(base, oldKeyToken);
            HttpResponse<String> label =
                    old.get("/fhir/Observation/prev-label", "application/fhir+json");
            assertThat(label.statusCode()).as(label.body()).isEqualTo(200);
            assertThat(JSON.readTree(label.body()).path("valueBoolean").asBoolean()).isTrue();
            HttpResponse<String> task = old.get("/fhir/Task/prev-task", "application/fhir+json");
            assertThat(task.statusCode()).isEqualTo(200);
            byte[] stored = wado(base, oldKeyToken);
            try (Stream<Path> files = Files.walk(dataDir.resolve("dicom"))) {
                Path original =
                        files.filter(f -> f.getFileName().toString().startsWith(OLD_SOP))
                                .findFirst()
                                .orElseThrow();
                assertThat(indexOf(stored, Files.readAllBytes(original)))
                        .as("the WADO-RS response carries the stored file byte for byte")
                        .isNotNegative();
            }

            // The user 0.1.0's CLI added now lives in the database: the CLI finds it there.
            String cliToken =
                    ServerProcess.lastLine(ServerProcess.cli(settings, "user", "token", "admin"));
            Http now = new Http(base, cliToken);
            assertThat(now.get("/fhir/Patient/prev-patient").statusCode()).isEqualTo(200);
            HttpResponse<String> written =
                    now.postFhir(
                            "/fhir/Patient", "{\"resourceType\":\"Patient\",\"gender\":\"male\"}");
            assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
        }

        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(postgres.jdbcUrl(database));
        dataSource.setUser(PostgresCluster.USER);
        dataSource.setPassword(PostgresCluster.PASSWORD);
        assertThat(
                        query(
                                dataSource,
                                "SELECT version || ':' || type FROM qrm_schema_history ORDER BY"
                                        + " installed_rank"))
                .containsExactly("1:BASELINE", "2:SQL", "3:SQL", "4:SQL", "5:SQL");
        // V4 made the label index empty; the first start found it missing and filled it from the
        // store, 0.1.0's Patient included.
        assertThat(
                        query(
                                dataSource,
                                "SELECT COUNT(*) FROM qrm_label_patient WHERE patient_id LIKE"
                                        + " '%prev-patient'"))
                .containsExactly("1");
        // V5's index, which the consistency check's read by project and patient uses.
        assertThat(
                        query(
                                dataSource,
                                "SELECT indexdef FROM pg_indexes WHERE indexname ="
                                        + " 'idx_qrm_label_subject'"))
                .containsExactly(
                        "CREATE INDEX idx_qrm_label_subject ON public.qrm_label_index USING btree"
                                + " (project, subject)");
        assertThat(query(dataSource, "SELECT name FROM qrm_security_document ORDER BY name"))
                .contains("issuer.json", "signing-keys.jwks.json", "sr-observer.key", "users.json");
        assertThat(query(dataSource, "SELECT COUNT(*) FROM qrm_case_assignment"))
                .containsExactly("4");
        assertThat(query(dataSource, "SELECT COUNT(*) FROM \"FLY_HFJ_MIGRATION\" WHERE success"))
                .first()
                .satisfies(count -> assertThat(Integer.parseInt(count)).isPositive());
        // Migrating again finds nothing to do.
        DatabaseMigrations.Outcome again = DatabaseMigrations.migrate(dataSource);
        assertThat(again).isEqualTo(new DatabaseMigrations.Outcome(0, 0, false));
    }

    private static String adminToken(SigningKeys oldKey) {
        return new TokenIssuer(
                        oldKey, OLD_ISSUER, OLD_ISSUER + "/fhir", java.time.Clock.systemUTC())
                .issue(
                        new TokenIssuer.Grant(
                                "admin",
                                "quorum-cli",
                                Set.of(Role.PROJECT_ADMIN),
                                Set.of(),
                                ScopeSet.parse("user/*.cruds"),
                                Optional.empty()),
                        Duration.ofMinutes(30))
                .accessToken();
    }

    private static byte[] wado(URI base, String token) throws Exception {
        HttpResponse<byte[]> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                base.resolve(
                                                        "/dicomweb/studies/1.2.276.0.7230010.3.1.2.1787205428.166.1117461927.5"))
                                        .header("Authorization", "Bearer " + token)
                                        .header(
                                                "Accept",
                                                "multipart/related; type=application/dicom")
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static List<String> query(javax.sql.DataSource dataSource, String sql)
            throws Exception {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            List<String> values = new java.util.ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }

    /** The release's data directory, with the owner-only permissions git does not keep. */
    private static Path copyDataDirectory(Path target) throws Exception {
        Path source = Path.of(PostgresUpgradeIT.class.getResource(RELEASE + "/data").toURI());
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path security = target.resolve("security");
        Files.setPosixFilePermissions(security, PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> files = Files.list(security)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        }
        return target;
    }

    private static InputStream resource(String name) {
        InputStream in = PostgresUpgradeIT.class.getResourceAsStream(RELEASE + name);
        if (in == null) {
            throw new UncheckedIOException(new IOException(RELEASE + name + " is missing"));
        }
        return in;
    }
}
