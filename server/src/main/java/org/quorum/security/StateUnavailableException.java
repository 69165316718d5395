package org.quorum.security;

/**
 * The security state (registries, keys, used assertions) cannot be read right now, typically
 * because the shared database is away: the request is answered 503 with {@code Retry-After}, not
 * refused as if the caller were wrong, and succeeds once the database is back.
 */
public final class StateUnavailableException extends RuntimeException {

    public StateUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
