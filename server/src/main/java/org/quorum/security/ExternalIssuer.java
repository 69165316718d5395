package org.quorum.security;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An OpenID Connect provider (Keycloak, Entra ID, ...) whose access tokens Quorum accepts besides
 * its own.
 *
 * <p>Roles of its subjects come from both of, when configured: a claim of the token ({@link
 * #rolesClaim}, a dot-separated path such as {@code roles} or Keycloak's {@code
 * realm_access.roles}; values are role {@linkplain Role#wireName() wire names}, after removing
 * {@link #rolePrefix}; other values are ignored), and the local {@link #membershipBySubject} table
 * keyed by {@code sub}. Projects likewise come from {@link #projectsClaim} and the table.
 *
 * @param issuer the exact {@code iss} of its tokens
 * @param audience the {@code aud} its tokens must carry for Quorum
 * @param jwksUri where its public keys are (https, or http to a loopback address)
 * @param rolesClaim path of the claim holding role names, if roles come from the token
 * @param rolePrefix prefix that marks Quorum roles among the provider's role names (e.g. {@code
 *     quorum-}), or empty
 * @param projectsClaim path of the claim holding project ids, if they come from the token
 * @param membershipBySubject roles and projects granted locally, by {@code sub}
 * @param jwksMaxAge how long fetched keys are used before they are fetched again
 * @param jwksMinRefreshInterval least time between two fetches (unknown {@code kid}s included)
 */
public record ExternalIssuer(
        String issuer,
        String audience,
        URI jwksUri,
        Optional<String> rolesClaim,
        String rolePrefix,
        Optional<String> projectsClaim,
        Map<String, Membership> membershipBySubject,
        Duration jwksMaxAge,
        Duration jwksMinRefreshInterval) {

    public ExternalIssuer {
        TokenIssuer.requireText(issuer, "issuer");
        TokenIssuer.requireText(audience, "audience");
        RemoteJwks.checkUri(jwksUri);
        Objects.requireNonNull(rolesClaim, "rolesClaim");
        Objects.requireNonNull(rolePrefix, "rolePrefix");
        Objects.requireNonNull(projectsClaim, "projectsClaim");
        membershipBySubject = Map.copyOf(membershipBySubject);
        Objects.requireNonNull(jwksMaxAge, "jwksMaxAge");
        Objects.requireNonNull(jwksMinRefreshInterval, "jwksMinRefreshInterval");
    }

    /**
     * A provider with no role source yet: its users authenticate but hold no role until {@link
     * #withRolesClaim} or {@link #withMembership} says otherwise. Keys are refetched at most once a
     * minute and at least once an hour.
     */
    public static ExternalIssuer of(String issuer, String audience, URI jwksUri) {
        return new ExternalIssuer(
                issuer,
                audience,
                jwksUri,
                Optional.empty(),
                "",
                Optional.empty(),
                Map.of(),
                RemoteJwks.DEFAULT_MAX_AGE,
                RemoteJwks.DEFAULT_MIN_REFRESH_INTERVAL);
    }

    public ExternalIssuer withRolesClaim(String claimPath, String prefix) {
        return new ExternalIssuer(
                issuer,
                audience,
                jwksUri,
                Optional.of(TokenIssuer.requireText(claimPath, "rolesClaim")),
                prefix,
                projectsClaim,
                membershipBySubject,
                jwksMaxAge,
                jwksMinRefreshInterval);
    }

    public ExternalIssuer withProjectsClaim(String claimPath) {
        return new ExternalIssuer(
                issuer,
                audience,
                jwksUri,
                rolesClaim,
                rolePrefix,
                Optional.of(TokenIssuer.requireText(claimPath, "projectsClaim")),
                membershipBySubject,
                jwksMaxAge,
                jwksMinRefreshInterval);
    }

    public ExternalIssuer withMembership(Map<String, Membership> bySubject) {
        return new ExternalIssuer(
                issuer,
                audience,
                jwksUri,
                rolesClaim,
                rolePrefix,
                projectsClaim,
                bySubject,
                jwksMaxAge,
                jwksMinRefreshInterval);
    }

    public ExternalIssuer withJwksTiming(Duration maxAge, Duration minRefreshInterval) {
        return new ExternalIssuer(
                issuer,
                audience,
                jwksUri,
                rolesClaim,
                rolePrefix,
                projectsClaim,
                membershipBySubject,
                maxAge,
                minRefreshInterval);
    }
}
