package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security state in a database, as several nodes share it (the SQL is the PostgreSQL
 * migration's; H2 in memory stands in for the database here, {@code ClusterIT} runs it on
 * PostgreSQL).
 */
class DatabaseSecurityStoreTest {

    private static final byte[] KEY =
            "0123456789abcdef0123456789abcdef-test-key".getBytes(StandardCharsets.US_ASCII);

    @TempDir Path dataDir;

    private JdbcDataSource database;
    private DatabaseSecurityStore nodeA;
    private DatabaseSecurityStore nodeB;

    @BeforeEach
    void createTables() throws Exception {
        database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement()) {
            String migration =
                    new String(
                            getClass()
                                    .getResourceAsStream(
                                            "/db/quorum/postgresql/V2__shared_security_state.sql")
                                    .readAllBytes(),
                            StandardCharsets.UTF_8);
            for (String sql : migration.replaceAll("(?m)^--.*$", "").split(";")) {
                if (!sql.isBlank()) {
                    statement.execute(sql);
                }
            }
        }
        nodeA = new DatabaseSecurityStore(database, new SecretsCipher(KEY), null);
        nodeB = new DatabaseSecurityStore(database, new SecretsCipher(KEY), null);
    }

    @Test
    void a_user_added_through_one_node_is_found_by_the_other() throws Exception {
        UserRegistry onA = new UserRegistry(nodeA);
        UserRegistry onB = new UserRegistry(nodeB);

        onA.add(
                new User(
                        "dr-lee",
                        Set.of(Role.ANNOTATOR),
                        Set.of(),
                        Optional.empty(),
                        Optional.empty()));

        assertThat(onB.find("dr-lee")).isEmpty();
        assertThat(onB.reloadIfChanged()).isTrue();
        assertThat(onB.find("dr-lee")).isPresent();
        assertThat(onB.reloadIfChanged()).isFalse();
        assertThatThrownBy(
                        () ->
                                onB.add(
                                        new User(
                                                "dr-lee",
                                                Set.of(Role.REVIEWER),
                                                Set.of(),
                                                Optional.empty(),
                                                Optional.empty())))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("already exists");
    }

    @Test
    void nodes_starting_together_share_one_signing_key_and_see_a_rotation() throws Exception {
        SigningKeys a = SigningKeys.loadOrCreate(nodeA);
        SigningKeys b = SigningKeys.loadOrCreate(nodeB);
        assertThat(b.currentKeyId()).isEqualTo(a.currentKeyId());

        String before = a.currentKeyId();
        a.rotate();

        assertThat(b.reloadIfChanged()).isTrue();
        assertThat(b.currentKeyId()).isEqualTo(a.currentKeyId()).isNotEqualTo(before);
        assertThat(b.publicJwksJson()).contains(before);
    }

    @Test
    void private_keys_are_stored_encrypted_and_need_the_same_secrets_key() throws Exception {
        SigningKeys.loadOrCreate(nodeA);
        byte[] secret = LocalSecrets.loadOrCreate(nodeA, LocalSecrets.SR_OBSERVER_KEY);

        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery(
                                "SELECT NAME, CONTENT FROM QRM_SECURITY_DOCUMENT ORDER BY NAME")) {
            List<String> stored = new ArrayList<>();
            while (rows.next()) {
                stored.add(rows.getString(1) + "=" + rows.getString(2));
            }
            assertThat(stored).hasSize(2);
            assertThat(stored)
                    .allSatisfy(
                            row ->
                                    assertThat(row)
                                            .contains("=aes256gcm:v1:")
                                            .doesNotContain("\"d\"")
                                            .doesNotContain(
                                                    new String(secret, StandardCharsets.US_ASCII)));
        }
        assertThat(LocalSecrets.loadOrCreate(nodeB, LocalSecrets.SR_OBSERVER_KEY))
                .isEqualTo(secret);

        DatabaseSecurityStore wrongKey =
                new DatabaseSecurityStore(
                        database,
                        new SecretsCipher("another-key-another-key-another-key".getBytes()),
                        null);
        assertThatThrownBy(() -> SigningKeys.loadOrCreate(wrongKey))
                .hasMessageContaining("cannot be decrypted")
                .hasMessageContaining("QUORUM_SECRETS_KEY_FILE")
                .hasNoCause();
    }

    @Test
    void concurrent_changes_from_two_nodes_are_never_lost() throws Exception {
        SecurityStore.SecureDocument onA =
                nodeA.document("counter", SecurityStore.Sensitivity.ORDINARY);
        SecurityStore.SecureDocument onB =
                nodeB.document("counter", SecurityStore.Sensitivity.ORDINARY);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Object>> done = new ArrayList<>();
            for (SecurityStore.SecureDocument document : List.of(onA, onB, onA, onB)) {
                Callable<Object> increments =
                        () -> {
                            for (int i = 0; i < 25; i++) {
                                document.update(
                                        current ->
                                                Integer.toString(
                                                                current.map(
                                                                                        c ->
                                                                                                Integer
                                                                                                        .parseInt(
                                                                                                                new String(
                                                                                                                        c,
                                                                                                                        StandardCharsets
                                                                                                                                .US_ASCII)))
                                                                                .orElse(0)
                                                                        + 1)
                                                        .getBytes(StandardCharsets.US_ASCII));
                            }
                            return null;
                        };
                done.add(pool.submit(increments));
            }
            for (Future<Object> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(new String(onB.read().orElseThrow().content(), StandardCharsets.US_ASCII))
                .isEqualTo("100");
        assertThat(onA.stamp()).isEqualTo(100L);
    }

    @Test
    void a_file_installation_moving_to_the_database_brings_its_users_and_key_once()
            throws Exception {
        SecurityStore files = SecurityStore.files(dataDir);
        new UserRegistry(files)
                .add(
                        new User(
                                "admin",
                                Set.of(Role.PROJECT_ADMIN),
                                Set.of(),
                                Optional.empty(),
                                Optional.empty()));
        String kid = SigningKeys.loadOrCreate(files).currentKeyId();
        byte[] observer = LocalSecrets.loadOrCreate(files, LocalSecrets.SR_OBSERVER_KEY);

        SecurityStores.importFiles(dataDir, nodeA);

        assertThat(new UserRegistry(nodeB).find("admin")).isPresent();
        assertThat(SigningKeys.loadOrCreate(nodeB).currentKeyId()).isEqualTo(kid);
        assertThat(LocalSecrets.loadOrCreate(nodeB, LocalSecrets.SR_OBSERVER_KEY))
                .isEqualTo(observer);

        // Once the database holds the state, local files no longer override it.
        Path usersFile = dataDir.resolve("security").resolve(UserRegistry.FILE_NAME);
        Files.delete(usersFile);
        new UserRegistry(files)
                .add(
                        new User(
                                "intruder",
                                Set.of(Role.PROJECT_ADMIN),
                                Set.of(),
                                Optional.empty(),
                                Optional.empty()));
        SecurityStores.importFiles(dataDir, nodeA);
        assertThat(new UserRegistry(nodeA).find("intruder")).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(usersFile)))
                .isEqualTo("rw-------");
    }

    @Test
    void a_client_assertion_is_accepted_once_across_nodes_until_it_expires() {
        DatabaseReplayCache a = new DatabaseReplayCache(database);
        DatabaseReplayCache b = new DatabaseReplayCache(database);
        Instant now = Instant.parse("2026-12-04T12:00:00Z");
        Instant expiry = now.plusSeconds(300);

        assertThat(a.firstUse("ehr-ingest", "jti-1", expiry, now)).isTrue();
        assertThat(b.firstUse("ehr-ingest", "jti-1", expiry, now.plusSeconds(1))).isFalse();
        assertThat(b.firstUse("other-client", "jti-1", expiry, now)).isTrue();
        assertThat(
                        a.firstUse(
                                "ehr-ingest",
                                "jti-1",
                                expiry.plusSeconds(300),
                                expiry.plusSeconds(1)))
                .isTrue();
    }
}
