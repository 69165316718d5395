package org.quorum.security;

import java.util.Objects;

/**
 * A token request refused with an RFC 6749 §5.2 error. The message is the {@code
 * error_description}: it says what was wrong and what to do, and never contains a credential.
 */
public final class OAuthException extends Exception {
    private static final long serialVersionUID = 1L;

    private final OAuthError error;

    public OAuthException(OAuthError error, String description) {
        super(description);
        this.error = Objects.requireNonNull(error, "error");
    }

    public OAuthError error() {
        return error;
    }
}
