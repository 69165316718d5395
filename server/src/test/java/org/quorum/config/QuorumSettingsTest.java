package org.quorum.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuorumSettingsTest {

    @TempDir Path dir;

    private QuorumSettings load(Map<String, String> env) {
        return QuorumSettings.load(env, Optional.empty());
    }

    @Test
    void defaults_are_port_8080_on_loopback_and_h2_under_the_data_dir() {
        QuorumSettings settings = load(Map.of("QUORUM_DATA_DIR", dir.toString()));

        assertThat(settings.http().port()).isEqualTo(8080);
        assertThat(settings.http().host()).isEqualTo("127.0.0.1");
        assertThat(settings.storage().database()).isEqualTo(StorageSettings.Database.H2);
        assertThat(settings.storage().jdbcUrl()).startsWith("jdbc:h2:file:" + dir.resolve("db"));
    }

    @Test
    void the_stow_limit_follows_the_request_limit_unless_set_and_may_exceed_2000_mib() {
        QuorumSettings defaults = load(Map.of("QUORUM_DATA_DIR", dir.toString()));
        QuorumSettings followed =
                load(Map.of("QUORUM_DATA_DIR", dir.toString(), "QUORUM_HTTP_MAX_REQUEST_MB", "64"));
        QuorumSettings own =
                load(
                        Map.of(
                                "QUORUM_DATA_DIR",
                                dir.toString(),
                                "QUORUM_HTTP_MAX_REQUEST_MB",
                                "64",
                                "QUORUM_HTTP_MAX_STOW_MB",
                                "4096"));

        assertThat(defaults.http().maxStowMegabytes()).isEqualTo(1024);
        assertThat(followed.http().maxStowMegabytes()).isEqualTo(64);
        assertThat(own.http().maxRequestMegabytes()).isEqualTo(64);
        assertThat(own.http().maxStowMegabytes()).isEqualTo(4096);
        assertThatThrownBy(
                        () ->
                                load(
                                        Map.of(
                                                "QUORUM_DATA_DIR",
                                                dir.toString(),
                                                "QUORUM_HTTP_MAX_STOW_MB",
                                                "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("QUORUM_HTTP_MAX_STOW_MB");
    }

    @Test
    void the_password_grant_is_off_unless_switched_on() {
        assertThat(load(Map.of("QUORUM_DATA_DIR", dir.toString())).security().passwordGrant())
                .isFalse();
        assertThat(
                        load(Map.of(
                                        "QUORUM_DATA_DIR",
                                        dir.toString(),
                                        "QUORUM_AUTH_PASSWORD_GRANT",
                                        "true"))
                                .security()
                                .passwordGrant())
                .isTrue();
    }

    @Test
    void environment_overrides_the_file() throws Exception {
        Path file = dir.resolve("q.properties");
        Files.writeString(file, "QUORUM_HTTP_PORT=9000\nQUORUM_DATA_DIR=" + dir + "\n");

        QuorumSettings fromFile = QuorumSettings.load(Map.of(), Optional.of(file));
        QuorumSettings overridden =
                QuorumSettings.load(Map.of("QUORUM_HTTP_PORT", "9100"), Optional.of(file));

        assertThat(fromFile.http().port()).isEqualTo(9000);
        assertThat(overridden.http().port()).isEqualTo(9100);
    }

    @Test
    void port_out_of_range_names_key_and_range() {
        assertThatThrownBy(
                        () ->
                                load(
                                        Map.of(
                                                "QUORUM_HTTP_PORT",
                                                "70000",
                                                "QUORUM_DATA_DIR",
                                                dir.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "QUORUM_HTTP_PORT: '70000' is not allowed; use a whole number from 0 to 65535");
    }

    @Test
    void postgresql_requires_a_user() {
        assertThatThrownBy(
                        () ->
                                load(
                                        Map.of(
                                                "QUORUM_DB_URL",
                                                "jdbc:postgresql://localhost/quorum",
                                                "QUORUM_DATA_DIR",
                                                dir.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("QUORUM_DB_USER");
    }

    @Test
    void postgresql_url_with_user_and_secrets_key_is_accepted() throws Exception {
        Path key = secretsKey("0123456789abcdef0123456789abcdef0123456789", "rw-------");
        QuorumSettings settings =
                load(
                        Map.of(
                                "QUORUM_DB_URL", "jdbc:postgresql://localhost:5432/quorum",
                                "QUORUM_DB_USER", "quorum",
                                "QUORUM_DB_PASSWORD", "secret",
                                "QUORUM_SECRETS_KEY_FILE", key.toString(),
                                "QUORUM_DATA_DIR", dir.toString()));

        assertThat(settings.storage().database()).isEqualTo(StorageSettings.Database.POSTGRESQL);
        assertThat(settings.storage().secretsKeyFile()).contains(key);
        assertThat(settings.storage().dicomDir()).isEqualTo(dir.resolve("dicom"));
        assertThat(settings.storage().toString()).doesNotContain("secret");
    }

    @Test
    void postgresql_needs_a_secrets_key_file_that_only_its_owner_reads() throws Exception {
        Map<String, String> postgres =
                Map.of(
                        "QUORUM_DB_URL", "jdbc:postgresql://localhost:5432/quorum",
                        "QUORUM_DB_USER", "quorum",
                        "QUORUM_DATA_DIR", dir.toString());
        assertThatThrownBy(() -> load(postgres))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("QUORUM_SECRETS_KEY_FILE: is required");

        Map<String, String> shared = new java.util.HashMap<>(postgres);
        shared.put(
                "QUORUM_SECRETS_KEY_FILE",
                secretsKey("0123456789abcdef0123456789abcdef0123456789", "rw-r--r--").toString());
        assertThatThrownBy(() -> load(shared))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("chmod 600");

        Map<String, String> weak = new java.util.HashMap<>(postgres);
        weak.put("QUORUM_SECRETS_KEY_FILE", secretsKey("too short\n", "rw-------").toString());
        assertThatThrownBy(() -> load(weak))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("fewer than 32 bytes");
    }

    @Test
    void the_dicom_directory_may_be_shared_outside_the_data_directory() {
        Path shared = dir.resolve("nfs").resolve("quorum-dicom");
        QuorumSettings settings =
                load(
                        Map.of(
                                "QUORUM_DATA_DIR", dir.resolve("node-a").toString(),
                                "QUORUM_DICOM_DIR", shared.toString()));

        assertThat(settings.storage().dicomDir()).isEqualTo(shared);
        assertThat(shared).isDirectory();
    }

    private Path secretsKey(String content, String permissions) throws Exception {
        Path file = Files.createTempFile(dir, "secrets", ".key");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(
                file, java.nio.file.attribute.PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void data_dir_that_is_a_file_is_refused() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");

        assertThatThrownBy(() -> load(Map.of("QUORUM_DATA_DIR", file.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("QUORUM_DATA_DIR");
    }

    @Test
    void public_base_url_must_be_absolute_http() {
        assertThatThrownBy(
                        () ->
                                load(
                                        Map.of(
                                                "QUORUM_PUBLIC_BASE_URL",
                                                "quorum.example.org",
                                                "QUORUM_DATA_DIR",
                                                dir.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("QUORUM_PUBLIC_BASE_URL");
    }

    @Test
    void missing_config_file_is_reported() {
        assertThatThrownBy(
                        () ->
                                QuorumSettings.load(
                                        Map.of(), Optional.of(dir.resolve("absent.properties"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void without_a_deid_secret_deidentification_is_off() {
        assertThat(load(Map.of("QUORUM_DATA_DIR", dir.toString())).deid().keys()).isEmpty();
    }

    @Test
    void deid_secret_from_environment_and_from_key_file_give_the_same_keys() throws Exception {
        String secret = "settings-test-secret-0123456789";
        Path keyFile = dir.resolve("deid.key");
        Files.writeString(keyFile, secret + "\n");

        DeidSettings fromEnv =
                load(Map.of("QUORUM_DATA_DIR", dir.toString(), "QUORUM_DEID_SECRET", secret))
                        .deid();
        DeidSettings fromFile =
                load(Map.of(
                                "QUORUM_DATA_DIR",
                                dir.toString(),
                                "QUORUM_DEID_SECRET_FILE",
                                keyFile.toString()))
                        .deid();

        var kind = org.quorum.deid.keys.IdentifierKind.MRN;
        assertThat(fromEnv.keys().orElseThrow().pseudonym(kind, "12345"))
                .isEqualTo(fromFile.keys().orElseThrow().pseudonym(kind, "12345"));
        assertThat(fromEnv.toString()).doesNotContain(secret);
    }

    @Test
    void short_deid_secret_stops_start_up_without_showing_the_secret() {
        assertThatThrownBy(
                        () ->
                                load(
                                        Map.of(
                                                "QUORUM_DATA_DIR",
                                                dir.toString(),
                                                "QUORUM_DEID_SECRET",
                                                "tooShort42")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("QUORUM_DEID_SECRET: ")
                .hasMessageNotContaining("tooShort42");
    }

    @Test
    void missing_deid_key_file_and_both_sources_at_once_are_refused() {
        assertThatThrownBy(
                        () ->
                                load(
                                        Map.of(
                                                "QUORUM_DATA_DIR",
                                                dir.toString(),
                                                "QUORUM_DEID_SECRET_FILE",
                                                dir.resolve("absent.key").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("QUORUM_DEID_SECRET_FILE: ");
        assertThatThrownBy(
                        () ->
                                load(
                                        Map.of(
                                                "QUORUM_DATA_DIR",
                                                dir.toString(),
                                                "QUORUM_DEID_SECRET",
                                                "settings-test-secret-0123456789",
                                                "QUORUM_DEID_SECRET_FILE",
                                                dir.resolve("absent.key").toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not both");
    }
}
