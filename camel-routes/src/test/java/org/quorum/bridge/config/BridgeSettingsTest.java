package org.quorum.bridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.config.ConfigException;
import org.quorum.deid.text.DatePolicy;

class BridgeSettingsTest {

    @TempDir Path dir;

    private Map<String, String> minimal() throws Exception {
        Path key = dir.resolve("bridge.jwks.json");
        if (!Files.exists(key)) {
            Files.writeString(key, "{\"keys\":[]}");
        }
        Map<String, String> env = new HashMap<>();
        env.put("QUORUM_BRIDGE_DATA_DIR", dir.resolve("data").toString());
        env.put("QUORUM_BRIDGE_DEID_SECRET", "a-project-secret-of-enough-bytes");
        env.put("QUORUM_BRIDGE_QUORUM_URL", "https://quorum.example.org/fhir");
        env.put("QUORUM_BRIDGE_QUORUM_CLIENT_ID", "ehr-bridge");
        env.put("QUORUM_BRIDGE_QUORUM_KEY_FILE", key.toString());
        env.put("QUORUM_BRIDGE_PROJECT", "ResearchStudy/study-7");
        env.put("QUORUM_BRIDGE_EHR_URL", "https://ehr.example.org/fhir");
        env.put(
                "QUORUM_BRIDGE_EHR_QUERIES",
                "DocumentReference?category=clinical-note  DiagnosticReport?category=RAD");
        return env;
    }

    private ConfigException refused(Map<String, String> env) {
        try {
            BridgeSettings.load(env, Optional.empty());
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("accepted " + env);
    }

    @Test
    void a_minimal_configuration_has_safe_defaults() throws Exception {
        BridgeSettings settings = BridgeSettings.load(minimal(), Optional.empty());
        assertThat(settings.quorum().project()).isEqualTo("study-7");
        assertThat(settings.deid().policy()).isEqualTo(DatePolicy.DATE_SHIFT);
        assertThat(settings.ops().host()).isEqualTo("127.0.0.1");
        assertThat(settings.ops().port()).isEqualTo(8091);
        assertThat(settings.mllp()).isEmpty();
        EhrSettings ehr = settings.ehr().orElseThrow();
        assertThat(ehr.queries())
                .containsExactly(
                        "DocumentReference?category=clinical-note",
                        "DiagnosticReport?category=RAD");
        assertThat(ehr.follow()).contains("Patient", "Encounter", "Practitioner");
        assertThat(ehr.pollInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(ehr.overlap()).isEqualTo(Duration.ofMinutes(5));
        assertThat(ehr.auth()).isInstanceOf(ClientAuth.None.class);
        assertThat(settings.store().jdbcUrl())
                .startsWith("jdbc:h2:file:")
                .contains("WRITE_DELAY=0");
        assertThat(settings.store().keyFileConfigured()).isFalse();
        assertThat(settings.reliability().maxAttempts()).isEqualTo(6);
    }

    @Test
    void every_bad_value_names_its_key() throws Exception {
        Map<String, String> env = minimal();
        env.put("QUORUM_BRIDGE_EHR_QUERIES", "DocumentReference?_lastUpdated=ge2020-01-01");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_EHR_QUERIES");
        assertThat(refused(env)).hasMessageContaining("sets _lastUpdated");

        env = minimal();
        env.put("QUORUM_BRIDGE_EHR_QUERIES", "https://ehr/fhir/DocumentReference");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_EHR_QUERIES");

        env = minimal();
        env.put("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "10ms");
        assertThat(refused(env))
                .hasMessageStartingWith("QUORUM_BRIDGE_EHR_POLL_INTERVAL: '10ms' is not allowed");

        env = minimal();
        env.put("QUORUM_BRIDGE_PROJECT", "study 7");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_PROJECT");

        env = minimal();
        env.remove("QUORUM_BRIDGE_QUORUM_URL");
        assertThat(refused(env)).hasMessageStartingWith("QUORUM_BRIDGE_QUORUM_URL: is required");

        env = minimal();
        env.put("QUORUM_BRIDGE_EHR_AUTH", "kerberos");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_EHR_AUTH");

        env = minimal();
        env.put("QUORUM_BRIDGE_EHR_AUTH", "bearer");
        assertThat(refused(env))
                .hasMessageStartingWith("QUORUM_BRIDGE_EHR_TOKEN_FILE: is required");

        env = minimal();
        env.put("QUORUM_BRIDGE_EHR_FOLLOW", "Patient,encounter");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_EHR_FOLLOW");

        env = minimal();
        env.put("QUORUM_BRIDGE_MLLP_PORT", "70000");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_MLLP_PORT");

        env = minimal();
        env.put("QUORUM_BRIDGE_DB_URL", "jdbc:mysql://db/bridge");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_DB_URL");

        env = minimal();
        env.put("QUORUM_BRIDGE_ENCRYPTION_KEY_FILE", dir.resolve("missing.key").toString());
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_ENCRYPTION_KEY_FILE");
    }

    @Test
    void the_secret_is_required_checked_and_never_echoed() throws Exception {
        Map<String, String> env = minimal();
        env.remove("QUORUM_BRIDGE_DEID_SECRET");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_DEID_SECRET_FILE");
        env.put("QUORUM_BRIDGE_DEID_SECRET", "tiny-7");
        ConfigException tooShort = refused(env);
        assertThat(tooShort.key()).isEqualTo("QUORUM_BRIDGE_DEID_SECRET");
        assertThat(tooShort).hasMessageNotContaining("tiny-7");
        Path file = dir.resolve("secret");
        Files.writeString(file, "a-project-secret-of-enough-bytes\n");
        env.put("QUORUM_BRIDGE_DEID_SECRET_FILE", file.toString());
        assertThat(refused(env)).hasMessageContaining("not both");
    }

    @Test
    void nothing_to_bridge_is_refused() throws Exception {
        Map<String, String> env = minimal();
        env.remove("QUORUM_BRIDGE_EHR_URL");
        env.remove("QUORUM_BRIDGE_EHR_QUERIES");
        assertThat(refused(env)).hasMessageContaining("nothing to bridge");
        env.put("QUORUM_BRIDGE_MLLP_PORT", "2575");
        assertThat(BridgeSettings.load(env, Optional.empty()).mllp()).isPresent();
    }

    @Test
    void an_unknown_key_in_the_file_stops_start_up() throws Exception {
        Path file = dir.resolve("bridge.properties");
        Files.writeString(file, "QUORUM_BRIDGE_EHR_QUERYS=DocumentReference\n");
        assertThatThrownBy(() -> BridgeSettings.load(minimal(), Optional.of(file)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("QUORUM_BRIDGE_EHR_QUERYS: unknown key");
    }

    @Test
    void smart_needs_a_readable_key_file() throws Exception {
        Map<String, String> env = minimal();
        env.put("QUORUM_BRIDGE_QUORUM_KEY_FILE", dir.resolve("none.json").toString());
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_QUORUM_KEY_FILE");
        Path key = dir.resolve("k.json");
        Files.writeString(key, "{}");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        env.put("QUORUM_BRIDGE_QUORUM_KEY_FILE", key.toString());
        assertThat(BridgeSettings.load(env, Optional.empty()).quorum().auth().keyFile())
                .isEqualTo(key);
    }

    @Test
    void pacs_dimse_and_write_back_settings_are_checked_and_named() throws Exception {
        Map<String, String> env = minimal();
        env.put("QUORUM_BRIDGE_PACS_DICOMWEB_URL", "https://pacs.example.org/dicom-web/");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_PACS_START");
        env.put("QUORUM_BRIDGE_PACS_START", "2024-01-01");
        env.put("QUORUM_BRIDGE_PACS_MODALITIES", "CT,mr");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_PACS_MODALITIES");
        env.put("QUORUM_BRIDGE_PACS_MODALITIES", "CT, MR");
        env.put("QUORUM_BRIDGE_PACS_LOOKBACK", "400d");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_PACS_LOOKBACK");
        env.remove("QUORUM_BRIDGE_PACS_LOOKBACK");
        PacsSettings pacs = BridgeSettings.load(env, Optional.empty()).pacs().orElseThrow();
        assertThat(pacs.dicomWebRoot())
                .hasValue(java.net.URI.create("https://pacs.example.org/dicom-web"));
        assertThat(pacs.modalities()).containsExactlyInAnyOrder("CT", "MR");
        assertThat(pacs.lookback()).isEqualTo(Duration.ofDays(7));
        assertThat(pacs.dimse()).isEmpty();
        assertThat(pacs.accessionFromEhr()).isFalse();
        env.put("QUORUM_BRIDGE_PACS_ACCESSION_FROM_EHR", "yes");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_PACS_ACCESSION_FROM_EHR");
        env.put("QUORUM_BRIDGE_PACS_ACCESSION_FROM_EHR", "TRUE");
        assertThat(BridgeSettings.load(env, Optional.empty()).pacs().orElseThrow())
                .matches(PacsSettings::accessionFromEhr);
        // the accession numbers come from the EHR cohort: no EHR, no accession numbers
        Map<String, String> noEhr = new HashMap<>(env);
        noEhr.remove("QUORUM_BRIDGE_EHR_URL");
        noEhr.remove("QUORUM_BRIDGE_EHR_QUERIES");
        assertThat(refused(noEhr).key()).isEqualTo("QUORUM_BRIDGE_PACS_ACCESSION_FROM_EHR");
        env.remove("QUORUM_BRIDGE_PACS_ACCESSION_FROM_EHR");

        env.put("QUORUM_BRIDGE_PACS_DIMSE_HOST", "pacs.example.org");
        env.put("QUORUM_BRIDGE_PACS_DIMSE_AET", "HOSPITAL_PACS");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_PACS_DIMSE_SCP_PORT");
        env.put("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE", "get");
        env.put("QUORUM_BRIDGE_PACS_DIMSE_CALLING_AET", "BACK\\SLASH");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_PACS_DIMSE_CALLING_AET");
        env.remove("QUORUM_BRIDGE_PACS_DIMSE_CALLING_AET");
        DimseSettings dimse =
                BridgeSettings.load(env, Optional.empty())
                        .pacs()
                        .orElseThrow()
                        .dimse()
                        .orElseThrow();
        assertThat(dimse.port()).isEqualTo(104);
        assertThat(dimse.callingAeTitle()).isEqualTo("QUORUM_BRIDGE");
        assertThat(dimse.retrieve()).isEqualTo(DimseSettings.Retrieve.GET);
        assertThat(dimse.pull()).isTrue();
        // a PACS only written back to needs no C-STORE SCP port for C-MOVE
        env.put("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE", "move");
        env.put("QUORUM_BRIDGE_PACS_DIMSE_PULL", "false");
        assertThat(
                        BridgeSettings.load(env, Optional.empty())
                                .pacs()
                                .orElseThrow()
                                .dimse()
                                .orElseThrow()
                                .pull())
                .isFalse();
        env.remove("QUORUM_BRIDGE_PACS_DICOMWEB_URL");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_PACS_DIMSE_PULL");
        env.put("QUORUM_BRIDGE_PACS_DICOMWEB_URL", "https://pacs.example.org/dicom-web/");
        env.remove("QUORUM_BRIDGE_PACS_DIMSE_PULL");
        env.put("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE", "get");

        BridgeSettings quorum = BridgeSettings.load(env, Optional.empty());
        assertThat(quorum.quorum().dicomWebRoot())
                .isEqualTo(java.net.URI.create("https://quorum.example.org/dicomweb"));
        assertThat(quorum.writeBack()).isEmpty();
        env.put("QUORUM_BRIDGE_WRITEBACK_POLL_INTERVAL", "10s");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_WRITEBACK_EHR");
        env.put("QUORUM_BRIDGE_WRITEBACK_EHR", "true");
        env.put("QUORUM_BRIDGE_WRITEBACK_PACS", "true");
        WriteBackSettings writeBack =
                BridgeSettings.load(env, Optional.empty()).writeBack().orElseThrow();
        assertThat(writeBack.ehr()).isTrue();
        assertThat(writeBack.pacs()).isTrue();
        assertThat(writeBack.identifierSystem()).isEqualTo(WriteBackSettings.DEFAULT_SYSTEM);
        assertThat(writeBack.pacsDimse()).isFalse();
        env.put("QUORUM_BRIDGE_WRITEBACK_PACS_DIMSE", "yes please");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_WRITEBACK_PACS_DIMSE");
        env.put("QUORUM_BRIDGE_WRITEBACK_PACS_DIMSE", "true");
        assertThat(BridgeSettings.load(env, Optional.empty()).writeBack().orElseThrow().pacsDimse())
                .isTrue();
        env.remove("QUORUM_BRIDGE_PACS_DICOMWEB_URL");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_WRITEBACK_PACS");
        env.remove("QUORUM_BRIDGE_WRITEBACK_PACS");
        env.put("QUORUM_BRIDGE_PACS_DICOMWEB_URL", "https://pacs.example.org/dicom-web/");
        env.remove("QUORUM_BRIDGE_PACS_DIMSE_HOST");
        env.remove("QUORUM_BRIDGE_PACS_DIMSE_AET");
        env.remove("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE");
        assertThat(refused(env).key()).isEqualTo("QUORUM_BRIDGE_WRITEBACK_PACS_DIMSE");
    }
}
