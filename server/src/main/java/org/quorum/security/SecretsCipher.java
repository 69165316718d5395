package org.quorum.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secret security documents (private signing keys, local secrets) before they are stored
 * in the shared database, so that a database dump or a read-only database account does not give
 * away the key that signs every access token. AES-256-GCM (NIST SP 800-38D) with a random 96-bit
 * nonce per write and the document's name as associated data (a ciphertext cannot be moved to
 * another document); the key is derived from the installation's secrets key file with HMAC-SHA256
 * (the extract step of HKDF, RFC 5869 §2.2), so the file may hold any high-entropy text.
 *
 * <p>Stored form: {@code aes256gcm:v1:<base64 nonce>:<base64 ciphertext and tag>}.
 */
public final class SecretsCipher {

    /** The secrets key must hold at least this many bytes (256 bits if random). */
    public static final int MIN_KEY_BYTES = 32;

    private static final String PREFIX = "aes256gcm:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] SALT = "quorum-secrets-key-v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param secret the secrets key file's content (at least {@value #MIN_KEY_BYTES} bytes); not
     *     kept
     */
    public SecretsCipher(byte[] secret) {
        if (secret.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "the secrets key must hold at least " + MIN_KEY_BYTES + " bytes");
        }
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(SALT, "HmacSHA256"));
            byte[] derived = hmac.doFinal(secret);
            this.key = new SecretKeySpec(derived, "AES");
            Arrays.fill(derived, (byte) 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks HmacSHA256", e);
        }
    }

    /** Encrypts {@code plaintext} of the document {@code name}. */
    public String seal(String name, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            Base64.Encoder base64 = Base64.getEncoder();
            return PREFIX + base64.encodeToString(nonce) + ":" + base64.encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Decrypts what {@link #seal} made for the same document.
     *
     * @throws java.io.IOException when it is not sealed, was sealed with another key or for another
     *     document, or was altered
     */
    public byte[] open(String name, String stored) throws java.io.IOException {
        if (!stored.startsWith(PREFIX)) {
            throw new java.io.IOException(
                    "the secret document " + name + " in the database is not encrypted");
        }
        String[] parts = stored.substring(PREFIX.length()).split(":", -1);
        try {
            if (parts.length != 2) {
                throw new IllegalArgumentException("two parts expected");
            }
            Base64.Decoder base64 = Base64.getDecoder();
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    key,
                    new GCMParameterSpec(TAG_BITS, base64.decode(parts[0])));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(base64.decode(parts[1]));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // Never chained: the cause says nothing the operator can use, and names no secret.
            throw new java.io.IOException(
                    "the secret document "
                            + name
                            + " in the database cannot be decrypted: every node and the CLI need"
                            + " the same QUORUM_SECRETS_KEY_FILE");
        }
    }
}
