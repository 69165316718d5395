package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    final PasswordHasher hasher = new PasswordHasher(PasswordHasher.MIN_ITERATIONS);

    @Test
    void defaults_to_the_owasp_iteration_count() {
        assertThat(new PasswordHasher().iterations()).isEqualTo(600_000);
    }

    @Test
    void verifies_the_right_password_only() {
        PasswordHash hash = hasher.hash("correct horse".toCharArray());

        assertThat(hasher.verify("correct horse".toCharArray(), hash)).isTrue();
        assertThat(hasher.verify("correct horsE".toCharArray(), hash)).isFalse();
        assertThat(hasher.verify(new char[0], hash)).isFalse();
    }

    @Test
    void salts_every_hash() {
        PasswordHash a = hasher.hash("same password".toCharArray());
        PasswordHash b = hasher.hash("same password".toCharArray());

        assertThat(a.encoded()).isNotEqualTo(b.encoded());
    }

    @Test
    void encodes_and_parses_the_phc_like_form_without_showing_it() {
        PasswordHash hash = hasher.hash("correct horse".toCharArray());

        assertThat(hash.encoded()).startsWith("pbkdf2-sha256$210000$");
        assertThat(PasswordHash.parse(hash.encoded())).isEqualTo(hash);
        assertThat(hash.toString()).doesNotContain(hash.encoded().split("\\$")[3]);
    }

    @Test
    void refuses_weak_settings_and_short_passwords() {
        assertThatThrownBy(() -> new PasswordHasher(100_000))
                .hasMessageContaining("at least 210000");
        assertThatThrownBy(() -> hasher.hash("short".toCharArray()))
                .hasMessageContaining("8 to 1024 characters");
        assertThatThrownBy(() -> PasswordHash.parse("md5$abc"))
                .hasMessageNotContaining("abc")
                .hasMessageContaining("pbkdf2-sha256$<iterations>");
    }
}
