package org.quorum.deid.keys;

/**
 * The de-identification secret is missing or unusable. The message says what to fix; it never
 * contains the secret, nor any part of it.
 */
public final class DeidSecretException extends RuntimeException {

    public DeidSecretException(String message) {
        super(message);
    }

    public DeidSecretException(String message, Throwable cause) {
        super(message, cause);
    }
}
