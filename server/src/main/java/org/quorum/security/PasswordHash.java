package org.quorum.security;

import java.util.Arrays;
import java.util.Base64;

/**
 * A salted PBKDF2-HMAC-SHA256 password hash (RFC 8018 §5.2), written as {@code
 * pbkdf2-sha256$<iterations>$<salt>$<hash>} with base64 (RFC 4648 §4, no padding) salt and hash,
 * the layout of the PHC string format. {@link #toString()} leaves salt and hash out.
 */
public final class PasswordHash {

    /** The scheme name at the start of the encoded form. */
    public static final String SCHEME = "pbkdf2-sha256";

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt.clone();
        this.hash = hash.clone();
    }

    /**
     * Parses the encoded form.
     *
     * @throws IllegalArgumentException when it is not one (the message does not repeat it)
     */
    public static PasswordHash parse(String encoded) {
        String[] parts = encoded == null ? new String[0] : encoded.split("\\$", -1);
        try {
            if (parts.length == 4 && parts[0].equals(SCHEME)) {
                int iterations = Integer.parseInt(parts[1]);
                byte[] salt = Base64.getDecoder().decode(parts[2]);
                byte[] hash = Base64.getDecoder().decode(parts[3]);
                if (iterations >= 1 && salt.length >= 16 && hash.length == 32) {
                    return new PasswordHash(iterations, salt, hash);
                }
            }
        } catch (IllegalArgumentException e) {
            // Not a number or not base64: reported below without repeating the value.
        }
        throw new IllegalArgumentException(
                "not a password hash of the form "
                        + SCHEME
                        + "$<iterations>$<base64 salt of 16+ bytes>$<base64 hash of 32 bytes>");
    }

    /** The encoded form, for the user registry file. */
    public String encoded() {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME
                + "$"
                + iterations
                + "$"
                + b64.encodeToString(salt)
                + "$"
                + b64.encodeToString(hash);
    }

    public int iterations() {
        return iterations;
    }

    byte[] salt() {
        return salt.clone();
    }

    byte[] hash() {
        return hash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordHash
                && ((PasswordHash) o).iterations == iterations
                && Arrays.equals(((PasswordHash) o).salt, salt)
                && Arrays.equals(((PasswordHash) o).hash, hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(salt);
    }

    @Override
    public String toString() {
        return "PasswordHash[" + SCHEME + ", " + iterations + " iterations]";
    }
}
