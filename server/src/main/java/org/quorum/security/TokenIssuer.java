package org.quorum.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Issues Quorum's access tokens: JWTs signed ES256 with {@link SigningKeys}, header {@code typ}
 * {@value ClaimNames#ACCESS_TOKEN_TYPE} (RFC 9068 §2.1).
 *
 * <p><b>Claims.</b> {@code iss} (this server's issuer URL), {@code sub}, {@code aud} (the FHIR base
 * URL), {@code exp}, {@code nbf}, {@code iat}, {@code jti} (RFC 7519 §4.1; RFC 9068 §2.2), {@value
 * ClaimNames#CLIENT_ID}, {@value ClaimNames#SCOPE} (space-delimited), {@value ClaimNames#ROLES}
 * (array of role wire names), {@value ClaimNames#PROJECTS} (array of project ids) and, for users
 * who have one, {@value ClaimNames#FHIR_USER}.
 *
 * <p>There is no revocation list: a token is valid until it expires, so lifetimes are short.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9068">RFC 9068, JWT Profile for OAuth 2.0 Access
 *     Tokens</a>
 */
public final class TokenIssuer {

    /** Lifetime of tokens for registered clients (SMART Backend Services suggests 5 minutes). */
    public static final Duration DEFAULT_CLIENT_TOKEN_LIFETIME = Duration.ofMinutes(15);

    /** Lifetime of tokens for users (password grant and {@code quorum user token}). */
    public static final Duration DEFAULT_USER_TOKEN_LIFETIME = Duration.ofMinutes(60);

    /** The longest lifetime Quorum issues: tokens cannot be revoked. */
    public static final Duration MAX_TOKEN_LIFETIME = Duration.ofHours(24);

    /**
     * What a token says about its subject.
     *
     * @param subject {@code sub}: a user name or, for backend services, the client id
     * @param clientId {@code client_id}
     * @param fhirUser the {@code fhirUser} claim, if any
     */
    public record Grant(
            String subject,
            String clientId,
            Set<Role> roles,
            Set<String> projects,
            ScopeSet scope,
            Optional<String> fhirUser) {

        public Grant {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(clientId, "clientId");
            roles = Set.copyOf(roles);
            projects = Set.copyOf(projects);
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(fhirUser, "fhirUser");
        }
    }

    private final SigningKeys keys;
    private final String issuer;
    private final String audience;
    private final Duration clientTokenLifetime;
    private final Duration userTokenLifetime;
    private final Clock clock;

    /**
     * @param keys the signing key
     * @param issuer this server's issuer URL ({@code iss}), e.g. {@code https://quorum.example.org}
     * @param audience the resource server ({@code aud}), e.g. {@code
     *     https://quorum.example.org/fhir}
     * @param clientTokenLifetime lifetime of tokens for registered clients
     * @param userTokenLifetime lifetime of tokens for users
     */
    public TokenIssuer(
            SigningKeys keys,
            String issuer,
            String audience,
            Duration clientTokenLifetime,
            Duration userTokenLifetime,
            Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.issuer = requireText(issuer, "issuer");
        this.audience = requireText(audience, "audience");
        this.clientTokenLifetime = checkLifetime(clientTokenLifetime, "clientTokenLifetime");
        this.userTokenLifetime = checkLifetime(userTokenLifetime, "userTokenLifetime");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** With the default lifetimes (15 minutes for clients, 60 for users). */
    public TokenIssuer(SigningKeys keys, String issuer, String audience, Clock clock) {
        this(
                keys,
                issuer,
                audience,
                DEFAULT_CLIENT_TOKEN_LIFETIME,
                DEFAULT_USER_TOKEN_LIFETIME,
                clock);
    }

    /** A token for a registered client (SMART Backend Services): {@code sub = client_id}. */
    public IssuedToken issueForClient(RegisteredClient client, ScopeSet scope) {
        return issue(
                new Grant(
                        client.clientId(),
                        client.clientId(),
                        client.roles(),
                        client.projects(),
                        scope,
                        Optional.empty()),
                clientTokenLifetime);
    }

    /** A token for a user, requested through OAuth client {@code clientId}. */
    public IssuedToken issueForUser(User user, String clientId, ScopeSet scope) {
        return issueForUser(user, clientId, scope, userTokenLifetime);
    }

    /**
     * A token for a user with a lifetime of its own (e.g. {@code quorum user token --lifetime}).
     */
    public IssuedToken issueForUser(User user, String clientId, ScopeSet scope, Duration lifetime) {
        return issue(
                new Grant(
                        user.name(),
                        clientId,
                        user.roles(),
                        user.projects(),
                        scope,
                        user.fhirUser()),
                lifetime);
    }

    /** Issues a token for {@code grant}, valid from now for {@code lifetime}. */
    public IssuedToken issue(Grant grant, Duration lifetime) {
        checkLifetime(lifetime, "lifetime");
        // JWT NumericDate has whole seconds (RFC 7519 §2); truncate so that exp - iat = lifetime.
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        Instant expiry = now.plus(lifetime);
        String jti = UUID.randomUUID().toString();
        JWTClaimsSet.Builder claims =
                new JWTClaimsSet.Builder()
                        .issuer(issuer)
                        .subject(grant.subject())
                        .audience(audience)
                        .issueTime(Date.from(now))
                        .notBeforeTime(Date.from(now))
                        .expirationTime(Date.from(expiry))
                        .jwtID(jti)
                        .claim(ClaimNames.CLIENT_ID, grant.clientId())
                        .claim(ClaimNames.SCOPE, grant.scope().toString())
                        .claim(
                                ClaimNames.ROLES,
                                grant.roles().stream().sorted().map(Role::wireName).toList())
                        .claim(ClaimNames.PROJECTS, grant.projects().stream().sorted().toList());
        grant.fhirUser().ifPresent(f -> claims.claim(ClaimNames.FHIR_USER, f));
        String token =
                keys.sign(
                                SigningKeys.es256Header()
                                        .type(new JOSEObjectType(ClaimNames.ACCESS_TOKEN_TYPE)),
                                claims.build())
                        .serialize();
        return new IssuedToken(token, jti, expiry, lifetime.toSeconds(), grant.scope());
    }

    public String issuer() {
        return issuer;
    }

    public String audience() {
        return audience;
    }

    public Duration clientTokenLifetime() {
        return clientTokenLifetime;
    }

    public Duration userTokenLifetime() {
        return userTokenLifetime;
    }

    static Duration checkLifetime(Duration lifetime, String name) {
        Objects.requireNonNull(lifetime, name);
        if (lifetime.toSeconds() < 1 || lifetime.compareTo(MAX_TOKEN_LIFETIME) > 0) {
            throw new IllegalArgumentException(
                    name
                            + " must be between 1 second and "
                            + MAX_TOKEN_LIFETIME.toHours()
                            + " hours");
        }
        return lifetime;
    }

    static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }
}
