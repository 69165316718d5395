package org.quorum.security;

import java.util.Objects;

/**
 * A bearer token was not accepted. The {@link #reason()} is a stable code for audit records and
 * metrics; the message says what was wrong in words, and never contains the token or any value
 * taken from it.
 *
 * <p>On the wire this is RFC 6750 §3.1: HTTP 401 with {@code WWW-Authenticate: Bearer
 * error="invalid_token"} ({@link #wwwAuthenticate(String)}), except {@link Reason#MISSING} (no
 * error code, §3.1) and {@link Reason#KEY_SOURCE_UNAVAILABLE} (503: the fault is ours or the
 * identity provider's, not the client's).
 */
public final class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a token was rejected. Codes are stable: dashboards and audit queries use them. */
    public enum Reason {
        /** No token was sent. */
        MISSING,
        /** Not a compact JWS JWT (RFC 7515 §7.1), or its header or claims are not JSON. */
        MALFORMED,
        /** {@code alg} is not one Quorum accepts ({@code none}, HS*, ...). */
        UNSUPPORTED_ALGORITHM,
        /** The signature is missing or does not verify with the issuer's key. */
        BAD_SIGNATURE,
        /** No key of the issuer has the token's {@code kid}, even after refreshing the JWKS. */
        UNKNOWN_KEY,
        /** The issuer's keys could not be fetched. */
        KEY_SOURCE_UNAVAILABLE,
        /** {@code iss} names no trusted issuer. */
        WRONG_ISSUER,
        /** {@code aud} does not name this server. */
        WRONG_AUDIENCE,
        /** {@code exp} has passed (beyond the allowed clock skew). */
        EXPIRED,
        /** {@code nbf} or {@code iat} is in the future (beyond the allowed clock skew). */
        NOT_YET_VALID,
        /** The header {@code typ} is not {@code at+jwt} for Quorum's own tokens (RFC 9068 §4). */
        WRONG_TYPE,
        /** A claim the token must carry is absent. */
        MISSING_CLAIM,
        /** A claim has a value of the wrong type or form. */
        INVALID_CLAIM
    }

    private final Reason reason;

    public AuthenticationException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public AuthenticationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    /** The HTTP status to answer with: 401, or 503 for {@link Reason#KEY_SOURCE_UNAVAILABLE}. */
    public int httpStatus() {
        return reason == Reason.KEY_SOURCE_UNAVAILABLE ? 503 : 401;
    }

    /**
     * The {@code WWW-Authenticate} header value, RFC 6750 §3. Without a token the challenge has no
     * error code (§3.1: "the resource server SHOULD NOT include an error code").
     *
     * @param realm the protection space, e.g. {@code quorum}
     */
    public String wwwAuthenticate(String realm) {
        String challenge = "Bearer realm=\"" + realm + "\"";
        if (reason == Reason.MISSING) {
            return challenge;
        }
        // RFC 6750 §3: error_description uses %x20-21 / %x23-5B / %x5D-7E only.
        return challenge
                + ", error=\"invalid_token\", error_description=\""
                + getMessage().replaceAll("[^\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]", "?")
                + "\"";
    }
}
