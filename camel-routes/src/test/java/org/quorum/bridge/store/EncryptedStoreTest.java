package org.quorum.bridge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.bridge.config.StoreSettings;
import org.quorum.config.ConfigSource;

class EncryptedStoreTest {

    @TempDir Path dir;

    @Test
    void values_decrypt_only_in_their_own_context_and_with_their_own_key() {
        Path file = dir.resolve("k");
        Encryptor.create(file);
        Encryptor encryptor = Encryptor.fromKeyFile(file, false);
        byte[] sealed = encryptor.encrypt("MRN 12345", "crosswalk:a");
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("12345");
        assertThat(encryptor.decryptString(sealed, "crosswalk:a")).isEqualTo("MRN 12345");
        assertThatThrownBy(() -> encryptor.decrypt(sealed, "crosswalk:b"))
                .isInstanceOf(Encryptor.TamperedException.class);
        byte[] altered = sealed.clone();
        altered[altered.length - 1] ^= 1;
        assertThatThrownBy(() -> encryptor.decrypt(altered, "crosswalk:a"))
                .isInstanceOf(Encryptor.TamperedException.class);
        Path other = dir.resolve("other");
        Encryptor.create(other);
        assertThatThrownBy(() -> Encryptor.fromKeyFile(other, false).decrypt(sealed, "crosswalk:a"))
                .isInstanceOf(Encryptor.TamperedException.class);
        assertThat(encryptor.encrypt("same", "c")).isNotEqualTo(encryptor.encrypt("same", "c"));
        assertThat(encryptor.digest("x")).isEqualTo(encryptor.digest("x")).hasSize(64);
    }

    @Test
    void the_key_file_is_made_owner_only_and_refused_when_others_can_read_it() throws Exception {
        Path file = dir.resolve("k");
        Encryptor.fromKeyFile(file, true);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThatThrownBy(() -> Encryptor.create(file)).hasMessageContaining("not overwritten");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> Encryptor.fromKeyFile(file, false))
                .isInstanceOf(Encryptor.KeyFileException.class)
                .hasMessageContaining("chmod 600");
        Path bad = dir.resolve("bad");
        Files.writeString(bad, "c2hvcnQ=\n");
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> Encryptor.fromKeyFile(bad, false)).hasMessageContaining("32");
    }

    @Test
    void crosswalk_and_dead_letters_keep_originals_encrypted_in_the_database() throws Exception {
        StoreSettings settings =
                StoreSettings.from(
                        ConfigSource.of(
                                Map.of("QUORUM_BRIDGE_DATA_DIR", dir.resolve("data").toString())));
        Encryptor encryptor = Encryptor.fromKeyFile(settings.encryptionKeyFile(), true);
        try (BridgeDatabase database = BridgeDatabase.open(settings)) {
            Crosswalk crosswalk = new Crosswalk(database, encryptor, Clock.systemUTC());
            crosswalk.record(
                    List.of(
                            new Crosswalk.Entry(
                                    Crosswalk.Kind.RESOURCE,
                                    "Patient/original-77",
                                    "Patient/MRN-ABC",
                                    "https://ehr/fhir"),
                            new Crosswalk.Entry(
                                    Crosswalk.Kind.IDENTIFIER,
                                    "urn:mrn|SECRET-MRN-4711",
                                    "urn:mrn|MRN-ABC",
                                    "https://ehr/fhir")));
            crosswalk.record(
                    List.of(
                            new Crosswalk.Entry(
                                    Crosswalk.Kind.RESOURCE,
                                    "Patient/original-77",
                                    "Patient/MRN-ABC",
                                    "https://ehr/fhir")));
            assertThat(crosswalk.size()).isEqualTo(2);
            assertThat(crosswalk.originalsOf(Crosswalk.Kind.RESOURCE, "Patient/MRN-ABC"))
                    .extracting(Crosswalk.Entry::original, Crosswalk.Entry::source)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "Patient/original-77", "https://ehr/fhir"));
            assertThat(crosswalk.pseudonymOf(Crosswalk.Kind.IDENTIFIER, "urn:mrn|SECRET-MRN-4711"))
                    .isEqualTo(Optional.of("urn:mrn|MRN-ABC"));

            DeadLetterStore letters = new DeadLetterStore(database, encryptor, Clock.systemUTC());
            letters.park(
                    "hl7-mllp",
                    "FAC|1",
                    DeadLetterStore.PayloadKind.HL7_V2,
                    "PID|1||SECRET-MRN-4711",
                    "no text",
                    1);
            letters.park(
                    "hl7-mllp",
                    "FAC|1",
                    DeadLetterStore.PayloadKind.HL7_V2,
                    "PID|1||SECRET-MRN-4711",
                    "still no text",
                    1);
            assertThat(letters.list())
                    .singleElement()
                    .satisfies(
                            l -> {
                                assertThat(l.attempts()).isEqualTo(2);
                                assertThat(l.reason()).isEqualTo("still no text");
                                assertThat(l.state()).isEqualTo(DeadLetterStore.State.PARKED);
                            });
            long id = letters.list().get(0).id();
            assertThat(letters.retriesRequested(10)).isEmpty();
            assertThat(letters.requestRetry(id)).isTrue();
            assertThat(letters.retriesRequested(10))
                    .singleElement()
                    .satisfies(r -> assertThat(r.payload()).isEqualTo("PID|1||SECRET-MRN-4711"));
            assertThat(letters.requestRetry(id + 100)).isFalse();
            assertThat(letters.drop(id)).isTrue();
            assertThat(letters.count()).isZero();
        }
        byte[] file = Files.readAllBytes(dir.resolve("data").resolve("db").resolve("bridge.mv.db"));
        String raw = new String(file, StandardCharsets.ISO_8859_1);
        assertThat(raw).doesNotContain("SECRET-MRN-4711").doesNotContain("original-77");
    }
}
