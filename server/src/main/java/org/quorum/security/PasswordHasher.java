package org.quorum.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes and checks passwords with the JDK's PBKDF2WithHmacSHA256, a 16-byte random salt per
 * password and {@value #DEFAULT_ITERATIONS} iterations by default, the OWASP Password Storage Cheat
 * Sheet's figure for PBKDF2-HMAC-SHA256 (a hash takes a few hundred milliseconds here, which is the
 * point). Each hash records its own iteration count, so raising the default later does not
 * invalidate stored hashes.
 */
public final class PasswordHasher {

    /** Iterations for new hashes (OWASP Password Storage Cheat Sheet, PBKDF2-HMAC-SHA256). */
    public static final int DEFAULT_ITERATIONS = 600_000;

    /** The least iteration count accepted for new hashes. */
    public static final int MIN_ITERATIONS = 210_000;

    /** NIST SP 800-63B §5.1.1.2: at least 8 characters. */
    public static final int MIN_PASSWORD_LENGTH = 8;

    /** Longer passwords are refused rather than hashed (a cheap request must not cost much CPU). */
    public static final int MAX_PASSWORD_LENGTH = 1024;

    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    private final int iterations;
    private final SecureRandom random = new SecureRandom();
    private final PasswordHash dummy;

    public PasswordHasher() {
        this(DEFAULT_ITERATIONS);
    }

    /**
     * @param iterations iterations for new hashes, at least {@value #MIN_ITERATIONS}
     */
    public PasswordHasher(int iterations) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException(
                    "PBKDF2 iterations must be at least " + MIN_ITERATIONS);
        }
        this.iterations = iterations;
        this.dummy = new PasswordHash(iterations, new byte[SALT_BYTES], new byte[HASH_BITS / 8]);
    }

    /**
     * Hashes a new password. The caller should clear the array afterwards.
     *
     * @throws IllegalArgumentException when shorter than {@value #MIN_PASSWORD_LENGTH} or longer
     *     than {@value #MAX_PASSWORD_LENGTH} characters
     */
    public PasswordHash hash(char[] password) {
        if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException(
                    "a password must have "
                            + MIN_PASSWORD_LENGTH
                            + " to "
                            + MAX_PASSWORD_LENGTH
                            + " characters");
        }
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /** Whether {@code password} matches {@code hash}, compared in constant time. */
    public boolean verify(char[] password, PasswordHash hash) {
        // Empty is refused outright (the JDK's PBKDF2 rejects an empty key), for every user alike.
        if (password.length == 0 || password.length > MAX_PASSWORD_LENGTH) {
            return false;
        }
        byte[] derived = derive(password, hash.salt(), hash.iterations());
        return MessageDigest.isEqual(derived, hash.hash());
    }

    /**
     * Spends the time of one verification without a stored hash, so that an unknown user name
     * answers as slowly as a wrong password and does not reveal which names exist.
     */
    void verifyNothing(char[] password) {
        verify(password, dummy);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            // Every Java SE 8+ runtime has PBKDF2WithHmacSHA256.
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        } finally {
            spec.clearPassword();
        }
    }

    public int iterations() {
        return iterations;
    }

    @Override
    public String toString() {
        return "PasswordHasher[" + ALGORITHM + ", " + iterations + " iterations]";
    }

    /** Overwrites a password array (null is ignored). */
    public static void clear(char[] password) {
        if (password != null) {
            Arrays.fill(password, '\0');
        }
    }
}
