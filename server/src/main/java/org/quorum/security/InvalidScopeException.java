package org.quorum.security;

/**
 * A scope string that is not a SMART App Launch v2 (or v1) scope Quorum understands. The message
 * says which scope and what is wrong; it becomes the {@code error_description} of an OAuth {@code
 * invalid_scope} error (RFC 6749 §5.2).
 */
public final class InvalidScopeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidScopeException(String message) {
        super(message);
    }
}
