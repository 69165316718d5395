package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {

    @TempDir Path dataDir;

    private Path keyFile() {
        return dataDir.resolve("security").resolve(SigningKeys.FILE_NAME);
    }

    @Test
    void creates_a_p256_key_once_in_an_owner_only_file_and_loads_it_next_time() throws Exception {
        SigningKeys first = SigningKeys.loadOrCreate(dataDir);
        SigningKeys second = SigningKeys.loadOrCreate(dataDir);

        assertThat(second.currentKeyId()).isEqualTo(first.currentKeyId());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile())))
                .isEqualTo("rw-------");
        assertThat(
                        PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(keyFile().getParent())))
                .isEqualTo("rwx------");
        JWK stored = JWKSet.parse(Files.readString(keyFile())).getKeys().get(0);
        assertThat(stored.isPrivate()).isTrue();
        assertThat(((ECKey) stored).getCurve()).isEqualTo(Curve.P_256);
    }

    @Test
    void key_id_is_the_rfc7638_thumbprint() throws Exception {
        SigningKeys keys = SigningKeys.loadOrCreate(dataDir);

        JWK published = keys.publicJwks().getKeys().get(0);
        assertThat(keys.currentKeyId()).isEqualTo(published.computeThumbprint().toString());
    }

    @Test
    void publishes_public_keys_only_and_never_shows_the_private_key() throws Exception {
        SigningKeys keys = SigningKeys.loadOrCreate(dataDir);
        String privateD =
                ((ECKey) JWKSet.parse(Files.readString(keyFile())).getKeys().get(0))
                        .getD()
                        .toString();

        assertThat(keys.publicJwks().containsNonPublicKeys()).isFalse();
        assertThat(keys.publicJwksJson()).doesNotContain(privateD).doesNotContain("\"d\"");
        assertThat(keys.toString()).doesNotContain(privateD).contains(keys.currentKeyId());
    }

    @Test
    void rotation_keeps_the_previous_public_key_and_drops_older_ones() throws Exception {
        SigningKeys keys = SigningKeys.loadOrCreate(dataDir);
        String first = keys.currentKeyId();

        keys.rotate();
        String second = keys.currentKeyId();

        assertThat(second).isNotEqualTo(first);
        assertThat(keys.publicJwks().getKeys())
                .extracting(JWK::getKeyID)
                .containsExactly(second, first);
        assertThat(SigningKeys.loadOrCreate(dataDir).currentKeyId()).isEqualTo(second);

        keys.rotate();

        assertThat(keys.publicJwks().getKeys())
                .extracting(JWK::getKeyID)
                .containsExactly(keys.currentKeyId(), second);
    }

    @Test
    void another_process_sees_a_rotation_on_reload() throws Exception {
        SigningKeys server = SigningKeys.loadOrCreate(dataDir);
        SigningKeys cli = SigningKeys.loadOrCreate(dataDir);

        cli.rotate();

        assertThat(server.reloadIfChanged()).isTrue();
        assertThat(server.currentKeyId()).isEqualTo(cli.currentKeyId());
        assertThat(server.reloadIfChanged()).isFalse();
    }

    @Test
    void refuses_a_key_file_other_users_can_read() throws Exception {
        SigningKeys.loadOrCreate(dataDir);
        Files.setPosixFilePermissions(keyFile(), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> SigningKeys.loadOrCreate(dataDir))
                .hasMessageContaining("chmod 600");
    }

    @Test
    void refuses_a_corrupt_key_file_without_quoting_it() throws Exception {
        SigningKeys.loadOrCreate(dataDir);
        String secretLooking = "{\"keys\": [ {\"kty\":\"EC\",\"d\":\"SECRET-PART\"";
        Files.writeString(keyFile(), secretLooking, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> SigningKeys.loadOrCreate(dataDir))
                .hasMessageContaining("not a JWK Set")
                .hasMessageNotContaining("SECRET-PART")
                .hasNoCause();
    }
}
