package org.quorum.deid.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeidKeyServiceTest {

    private static final String SECRET = "unit-test-secret-0123456789abcdef";
    private final DeidKeyService keys = new DeidKeyService(SECRET.getBytes(StandardCharsets.UTF_8));
    private final DeidKeyService otherKeys =
            new DeidKeyService("another-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    @Test
    void same_identifier_gets_the_same_pseudonym_every_time_and_on_every_instance() {
        DeidKeyService sameSecretElsewhere = DeidKeyService.fromEnvironmentValue(SECRET);

        assertThat(keys.pseudonym(IdentifierKind.MRN, "12345"))
                .isEqualTo(keys.pseudonym(IdentifierKind.MRN, "12345"))
                .isEqualTo(sameSecretElsewhere.pseudonym(IdentifierKind.MRN, " 12345 "));
    }

    @Test
    void pseudonyms_are_url_safe_base32_prefixed_by_kind() {
        assertThat(keys.pseudonym(IdentifierKind.MRN, "12345")).matches("MRN-[A-Z2-7]{20}");
        assertThat(keys.pseudonym(IdentifierKind.SSN, "999-94-5397")).matches("SSN-[A-Z2-7]{20}");
    }

    @Test
    void different_secrets_and_different_kinds_give_different_pseudonyms() {
        assertThat(keys.pseudonym(IdentifierKind.MRN, "12345"))
                .isNotEqualTo(otherKeys.pseudonym(IdentifierKind.MRN, "12345"));
        assertThat(keys.pseudonym(IdentifierKind.MRN, "12345").substring(4))
                .isNotEqualTo(keys.pseudonym(IdentifierKind.ACCOUNT, "12345").substring(4));
    }

    @Test
    void date_offset_is_deterministic_within_a_year_and_never_zero() {
        Set<Integer> offsets = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            int offset = keys.dateOffsetDays("MRN" + i);
            assertThat(offset).isBetween(-365, 365).isNotZero();
            offsets.add(offset);
        }
        assertThat(keys.dateOffsetDays("MRN7")).isEqualTo(keys.dateOffsetDays("MRN7"));
        assertThat(offsets).anyMatch(o -> o < 0).anyMatch(o -> o > 0).hasSizeGreaterThan(500);
    }

    @Test
    void date_offset_depends_on_the_secret() {
        int differing = 0;
        for (int i = 0; i < 50; i++) {
            differing +=
                    keys.dateOffsetDays("MRN" + i) != otherKeys.dateOffsetDays("MRN" + i) ? 1 : 0;
        }
        assertThat(differing).isGreaterThan(40);
    }

    @Test
    void remapped_uid_is_a_valid_2_25_dicom_uid_and_stable() {
        String original = "1.2.840.113619.2.55.3.604688119.969.1268071029.320";
        String remapped = keys.remapUid(original);

        // PS3.5 §9.1: digits and dots, at most 64 characters, no leading zero in a component.
        assertThat(remapped).matches("2\\.25\\.(0|[1-9][0-9]*)").hasSizeLessThanOrEqualTo(64);
        assertThat(keys.remapUid(original)).isEqualTo(remapped);
        assertThat(otherKeys.remapUid(original)).isNotEqualTo(remapped);
        assertThat(keys.remapUid(original + "1")).isNotEqualTo(remapped);
    }

    @Test
    void surrogate_choice_is_consistent_and_ignores_case_and_spacing() {
        List<String> pool = List.of("Alpha", "Bravo", "Charlie", "Delta", "Echo");

        assertThat(keys.chooseSurrogate("given-name", "Sumiko", pool))
                .isEqualTo(keys.chooseSurrogate("given-name", " SUMIKO ", pool));
        assertThat(keys.surrogateDigits("telecom", "555-810-7203", 10))
                .isEqualTo(keys.surrogateDigits("telecom", "(555) 810 7203", 10))
                .matches("\\d{10}");
    }

    @Test
    void secret_never_shows_in_to_string_or_errors() {
        assertThat(keys.toString()).doesNotContain(SECRET).contains("redacted");
        assertThatThrownBy(
                        () -> new DeidKeyService("short-secret".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DeidSecretException.class)
                .hasMessageNotContaining("short-secret")
                .hasMessageContaining("at least 16 bytes");
    }

    @Test
    void missing_environment_secret_says_which_variable_to_set() {
        assertThatThrownBy(() -> DeidKeyService.fromEnvironmentValue(null))
                .isInstanceOf(DeidSecretException.class)
                .hasMessageContaining(DeidKeyService.SECRET_ENV);
    }

    @Test
    void key_file_secret_ignores_the_trailing_line_break(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("deid.key");
        Files.writeString(file, SECRET + "\n");

        assertThat(DeidKeyService.fromKeyFile(file).pseudonym(IdentifierKind.MRN, "1"))
                .isEqualTo(keys.pseudonym(IdentifierKind.MRN, "1"));
    }

    @Test
    void unreadable_key_file_is_reported_without_content(@TempDir Path dir) {
        assertThatThrownBy(() -> DeidKeyService.fromKeyFile(dir.resolve("missing.key")))
                .isInstanceOf(DeidSecretException.class)
                .hasMessageContaining("missing.key");
    }
}
