package org.quorum.security;

import java.time.Instant;
import java.util.Objects;

/**
 * An access token Quorum issued. {@link #toString()} leaves the token out: it is a bearer
 * credential (RFC 6750 §5.3, "Don't store bearer tokens in ... logs").
 *
 * @param accessToken the signed JWT, compact serialization
 * @param tokenId its {@code jti}
 * @param expiresAt its {@code exp}
 * @param lifetimeSeconds seconds from issue to expiry: the token response's {@code expires_in}
 * @param scope the granted scopes
 */
public record IssuedToken(
        String accessToken,
        String tokenId,
        Instant expiresAt,
        long lifetimeSeconds,
        ScopeSet scope) {

    public IssuedToken {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(scope, "scope");
    }

    @Override
    public String toString() {
        return "IssuedToken[jti=" + tokenId + ", expiresAt=" + expiresAt + ", scope=" + scope + "]";
    }
}
