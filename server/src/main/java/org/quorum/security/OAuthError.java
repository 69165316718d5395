package org.quorum.security;

/**
 * The error codes of the token endpoint, RFC 6749 §5.2, with the HTTP status Quorum answers them
 * with.
 */
public enum OAuthError {
    /** A parameter is missing, repeated or malformed. */
    INVALID_REQUEST("invalid_request", 400),
    /**
     * Client authentication failed: unknown client, bad assertion. RFC 6749 §5.2 allows 401 here;
     * Quorum uses it so that clients can tell "who are you" from "what you asked is wrong".
     */
    INVALID_CLIENT("invalid_client", 401),
    /** The password (resource owner credentials) is wrong. */
    INVALID_GRANT("invalid_grant", 400),
    /** The client may not use this grant type. */
    UNAUTHORIZED_CLIENT("unauthorized_client", 400),
    /** Quorum does not support this grant type. */
    UNSUPPORTED_GRANT_TYPE("unsupported_grant_type", 400),
    /** The scope is malformed or nothing of it can be granted. */
    INVALID_SCOPE("invalid_scope", 400),
    /**
     * The server cannot answer now (its database is away). RFC 6749 §4.1.2.1 defines the code for
     * the authorization endpoint; the token endpoint uses it with 503 and {@code Retry-After}.
     */
    TEMPORARILY_UNAVAILABLE("temporarily_unavailable", 503);

    private final String code;
    private final int httpStatus;

    OAuthError(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The {@code error} value on the wire. */
    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
