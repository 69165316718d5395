package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserRegistryTest {

    @TempDir Path dataDir;

    final PasswordHasher hasher = new PasswordHasher(PasswordHasher.MIN_ITERATIONS);

    private UserRegistry registry() throws Exception {
        return new UserRegistry(dataDir, List.of(), hasher);
    }

    private static User user(String name) {
        return User.of(name, Set.of(Role.ANNOTATOR), Set.of("study-1"));
    }

    @Test
    void starts_empty_without_a_file() throws Exception {
        assertThat(registry().users()).isEmpty();
    }

    @Test
    void adds_users_to_an_owner_only_file_in_the_documented_format() throws Exception {
        UserRegistry users = registry();

        users.add(
                user("alice")
                        .withFhirUser("PractitionerRole/123")
                        .withPassword(hasher.hash("correct horse".toCharArray())));

        Path file = dataDir.resolve("security/users.json");
        assertThat(users.location()).isEqualTo(file.toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        String json = Files.readString(file);
        assertThat(json)
                .contains("\"format\" : \"quorum-users\"")
                .contains("\"name\" : \"alice\"")
                .contains("\"roles\" : [ \"annotator\" ]")
                .contains("\"fhir_user\" : \"PractitionerRole/123\"")
                .contains("\"password_hash\" : \"pbkdf2-sha256$210000$")
                .doesNotContain("correct horse");
        assertThat(registry().find("alice")).get().isEqualTo(users.find("alice").orElseThrow());
    }

    @Test
    void refuses_a_second_user_of_the_same_name() throws Exception {
        UserRegistry users = registry();
        users.add(user("alice"));

        assertThatThrownBy(() -> users.add(user("alice")))
                .isInstanceOfSatisfying(
                        RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(RegistryException.Code.ALREADY_EXISTS))
                .hasMessageContaining("'alice' already exists");
    }

    @Test
    void the_server_sees_users_the_cli_added_after_reload() throws Exception {
        UserRegistry server = registry();
        assertThat(server.reloadIfChanged()).isFalse();

        registry().add(user("bob")); // the CLI, another process

        assertThat(server.find("bob")).isEmpty();
        assertThat(server.reloadIfChanged()).isTrue();
        assertThat(server.find("bob")).isPresent();
        assertThat(server.reloadIfChanged()).isFalse();
    }

    @Test
    void concurrent_writers_do_not_lose_each_others_users() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (String prefix : List.of("a", "b")) {
                UserRegistry writer = registry();
                done.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < 5; i++) {
                                        writer.add(user(prefix + i));
                                    }
                                    return null;
                                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(registry().users()).hasSize(10);
    }

    @Test
    void authenticates_only_the_right_password_of_a_user_who_has_one() throws Exception {
        UserRegistry users = registry();
        users.add(user("alice").withPassword(hasher.hash("correct horse".toCharArray())));
        users.add(user("cli-only"));

        assertThat(users.authenticate("alice", "correct horse".toCharArray())).isPresent();
        assertThat(users.authenticate("alice", "wrong horse".toCharArray())).isEmpty();
        assertThat(users.authenticate("nobody", "correct horse".toCharArray())).isEmpty();
        assertThat(users.authenticate("cli-only", "".toCharArray())).isEmpty();
    }

    @Test
    void sets_a_password_and_clears_the_array() throws Exception {
        UserRegistry users = registry();
        users.add(user("alice"));
        char[] password = "new password".toCharArray();

        users.setPassword("alice", password);

        assertThat(password).containsOnly('\0');
        assertThat(users.authenticate("alice", "new password".toCharArray())).isPresent();
    }

    @Test
    void configured_users_come_first_and_shadow_file_users() throws Exception {
        registry().add(user("alice"));
        User configured = User.of("alice", Set.of(Role.PROJECT_ADMIN), Set.of());

        UserRegistry users = new UserRegistry(dataDir, List.of(configured), hasher);

        assertThat(users.find("alice")).contains(configured);
        assertThat(users.users()).containsExactly(configured);
        assertThatThrownBy(() -> users.add(user("alice"))).isInstanceOf(RegistryException.class);
    }

    @Test
    void reports_an_invalid_file_by_position_without_quoting_it() throws Exception {
        registry();
        Files.createDirectories(dataDir.resolve("security"));
        Files.writeString(
                dataDir.resolve("security/users.json"),
                "{\n \"format\": \"quorum-users\", \"users\": [ pbkdf2-sha256$SECRET",
                StandardCharsets.UTF_8);

        assertThatThrownBy(this::registry)
                .isInstanceOfSatisfying(
                        RegistryException.class,
                        e -> assertThat(e.code()).isEqualTo(RegistryException.Code.INVALID_FILE))
                .hasMessageContaining("not valid JSON (line 2")
                .hasMessageNotContaining("SECRET");
    }

    @Test
    void reports_an_invalid_entry_by_index() throws Exception {
        registry();
        Files.createDirectories(dataDir.resolve("security"));
        Files.writeString(
                dataDir.resolve("security/users.json"),
                "{\"format\":\"quorum-users\",\"version\":1,\"users\":[{\"name\":\"a\",\"roles\":[\"annotator\"]},"
                        + "{\"name\":\"b\",\"roles\":[\"boss\"]}]}",
                StandardCharsets.UTF_8);

        assertThatThrownBy(this::registry).hasMessageContaining("entry 1: unknown role 'boss'");
    }

    @Test
    void to_string_never_shows_the_hash() {
        PasswordHash hash = hasher.hash("correct horse".toCharArray());
        User alice = user("alice").withPassword(hash);

        assertThat(alice.toString()).doesNotContain(hash.encoded()).contains("password=set");
    }

    @Test
    void validates_names_roles_projects_and_fhir_user() {
        assertThatThrownBy(() -> User.of("../etc", Set.of(Role.ANNOTATOR), Set.of()))
                .hasMessageContaining("user name");
        assertThatThrownBy(() -> User.of("alice", Set.of(), Set.of()))
                .hasMessageContaining("at least one role");
        assertThatThrownBy(() -> User.of("alice", Set.of(Role.ANNOTATOR), Set.of("a b")))
                .hasMessageContaining("not a FHIR id");
        assertThatThrownBy(
                        () ->
                                new User(
                                        "alice",
                                        Set.of(Role.ANNOTATOR),
                                        Set.of(),
                                        Optional.of("Observation/1"),
                                        Optional.empty()))
                .hasMessageContaining("fhirUser");
    }
}
