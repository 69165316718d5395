package org.quorum.security;

import static org.quorum.security.AuthenticationException.Reason.BAD_SIGNATURE;
import static org.quorum.security.AuthenticationException.Reason.EXPIRED;
import static org.quorum.security.AuthenticationException.Reason.INVALID_CLAIM;
import static org.quorum.security.AuthenticationException.Reason.KEY_SOURCE_UNAVAILABLE;
import static org.quorum.security.AuthenticationException.Reason.MALFORMED;
import static org.quorum.security.AuthenticationException.Reason.MISSING;
import static org.quorum.security.AuthenticationException.Reason.MISSING_CLAIM;
import static org.quorum.security.AuthenticationException.Reason.NOT_YET_VALID;
import static org.quorum.security.AuthenticationException.Reason.UNKNOWN_KEY;
import static org.quorum.security.AuthenticationException.Reason.UNSUPPORTED_ALGORITHM;
import static org.quorum.security.AuthenticationException.Reason.WRONG_AUDIENCE;
import static org.quorum.security.AuthenticationException.Reason.WRONG_ISSUER;
import static org.quorum.security.AuthenticationException.Reason.WRONG_TYPE;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.http.HttpClient;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies bearer tokens (RFC 6750) and turns them into a {@link QuorumPrincipal}.
 *
 * <p>Accepted are JWTs signed with RS256 or ES256 (RFC 7515 compact serialization) by Quorum itself
 * ({@link SigningKeys}, {@code iss} = this server's issuer, header {@code typ at+jwt}) or by one of
 * the configured {@link ExternalIssuer}s, whose keys are fetched from their JWKS URL. Every other
 * algorithm is refused before any key is touched: {@code none} (an unsigned token), HS* (a public
 * key misused as an HMAC secret) and the rest (RFC 8725 §2.1, §3.1).
 *
 * <p>Checks, in order: form, algorithm, issuer, key ({@code kid}), signature, then claims — {@code
 * exp} and {@code nbf}/{@code iat} with a clock skew allowance (RFC 7519 §4.1.4-4.1.6), {@code aud}
 * (RFC 7519 §4.1.3; RFC 9068 §4), and the claims Quorum needs. Claims are believed only after the
 * signature verified, except {@code iss}, which only selects the keys to verify with.
 *
 * <p>Failures throw {@link AuthenticationException} with a stable reason; messages never include
 * the token or values from it.
 */
public final class TokenVerifier {

    /** Allowed difference between our clock and the issuer's. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

    /** Longer tokens are refused unparsed (JWTs Quorum issues are about 1 KB). */
    public static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private static final Set<JWSAlgorithm> ACCEPTED_ALGORITHMS =
            Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    private final SigningKeys ownKeys;
    private final String issuer;
    private final String audience;
    private final Map<String, External> externals;
    private final Clock clock;
    private final Duration clockSkew;

    private record External(ExternalIssuer config, RemoteJwks jwks) {}

    /** How many verified own tokens are remembered (about 1 KB each). */
    static final int VERIFIED_CACHE_SIZE = 4096;

    /**
     * A verified own token: what it was verified into, with the key and times to check again.
     * Verification is a function of the exact token text, the key and the time; a hit re-checks the
     * last two and skips the signature (an ES256 verification costs about a millisecond of CPU per
     * request).
     */
    private record Verified(QuorumPrincipal principal, String kid, JWTClaimsSet claims) {}

    private final Map<String, Verified> verified = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param ownKeys Quorum's signing keys
     * @param issuer Quorum's issuer URL, as {@link TokenIssuer} writes it into {@code iss}
     * @param audience Quorum's audience, as {@link TokenIssuer} writes it into {@code aud}
     * @param externalIssuers other identity providers to trust, possibly none
     * @param http client used to fetch external JWKS documents
     * @param clock the time source (tests fix it)
     * @param clockSkew tolerance for {@code exp}, {@code nbf} and {@code iat}
     */
    public TokenVerifier(
            SigningKeys ownKeys,
            String issuer,
            String audience,
            List<ExternalIssuer> externalIssuers,
            HttpClient http,
            Clock clock,
            Duration clockSkew) {
        this.ownKeys = Objects.requireNonNull(ownKeys, "ownKeys");
        this.issuer = TokenIssuer.requireText(issuer, "issuer");
        this.audience = TokenIssuer.requireText(audience, "audience");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
        Map<String, External> byIssuer = new LinkedHashMap<>();
        for (ExternalIssuer external : externalIssuers) {
            if (external.issuer().equals(issuer) || byIssuer.containsKey(external.issuer())) {
                throw new IllegalArgumentException(
                        "issuer '" + external.issuer() + "' is configured twice");
            }
            byIssuer.put(
                    external.issuer(),
                    new External(
                            external,
                            new RemoteJwks(
                                    external.jwksUri(),
                                    http,
                                    clock,
                                    external.jwksMaxAge(),
                                    external.jwksMinRefreshInterval())));
        }
        this.externals = Map.copyOf(byIssuer);
    }

    /**
     * With a default HTTP client (5 s connect timeout, no redirects) and {@link
     * #DEFAULT_CLOCK_SKEW}.
     */
    public TokenVerifier(
            SigningKeys ownKeys,
            String issuer,
            String audience,
            List<ExternalIssuer> externalIssuers,
            Clock clock) {
        this(
                ownKeys,
                issuer,
                audience,
                externalIssuers,
                defaultHttpClient(),
                clock,
                DEFAULT_CLOCK_SKEW);
    }

    static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Verifies the value of an {@code Authorization} request header: {@code Bearer <token>} (RFC
     * 6750 §2.1; the scheme name is case-insensitive, RFC 9110 §11.1).
     *
     * @param authorization the header value, or null when the request had none
     */
    public QuorumPrincipal verifyAuthorizationHeader(String authorization)
            throws AuthenticationException {
        if (authorization == null || authorization.isBlank()) {
            throw new AuthenticationException(MISSING, "no Authorization header");
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw new AuthenticationException(
                    MISSING, "the Authorization header does not carry a Bearer token");
        }
        return verify(value.substring(space + 1).strip());
    }

    /**
     * Verifies a bearer token.
     *
     * @return who the token speaks for
     * @throws AuthenticationException why the token is not accepted
     */
    public QuorumPrincipal verify(String token) throws AuthenticationException {
        if (token == null || token.isBlank()) {
            throw new AuthenticationException(MISSING, "no bearer token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new AuthenticationException(
                    MALFORMED, "the token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        Verified known = verified.get(token);
        if (known != null) {
            if (stillValid(known)) {
                return known.principal();
            }
            // Expired, or its key is gone: the full path below says why.
            verified.remove(token);
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new AuthenticationException(
                    MALFORMED,
                    parts.length == 5
                            ? "encrypted tokens (JWE) are not accepted"
                            : "the token is not a signed JWT (header.payload.signature,"
                                    + " RFC 7515 section 7.1)");
        }
        JWSHeader header = signatureHeader(parts[0]);
        if (parts[2].isEmpty()) {
            throw new AuthenticationException(BAD_SIGNATURE, "the token has no signature");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new AuthenticationException(
                    MALFORMED, "the token's payload is not a valid JWT claims set");
        }
        String tokenIssuer = claims.getIssuer();
        if (tokenIssuer == null) {
            throw new AuthenticationException(MISSING_CLAIM, "the token has no 'iss' claim");
        }
        if (tokenIssuer.equals(issuer)) {
            QuorumPrincipal principal = verifyOwn(jwt, header, claims);
            if (verified.size() >= VERIFIED_CACHE_SIZE) {
                verified.clear();
            }
            verified.put(token, new Verified(principal, header.getKeyID(), claims));
            return principal;
        }
        External external = externals.get(tokenIssuer);
        if (external == null) {
            throw new AuthenticationException(
                    WRONG_ISSUER, "the token's issuer is not one this server trusts");
        }
        return verifyExternal(jwt, header, claims, external);
    }

    private static JWSHeader signatureHeader(String encodedHeader) throws AuthenticationException {
        Header header;
        try {
            header = Header.parse(new Base64URL(encodedHeader));
        } catch (ParseException e) {
            throw new AuthenticationException(MALFORMED, "the token's header is not a JOSE header");
        }
        if (header instanceof PlainHeader) {
            throw new AuthenticationException(
                    UNSUPPORTED_ALGORITHM, "unsigned tokens (alg none) are not accepted");
        }
        if (!(header instanceof JWSHeader)) {
            throw new AuthenticationException(MALFORMED, "the token's header is not a JWS header");
        }
        JWSHeader jws = (JWSHeader) header;
        if (!ACCEPTED_ALGORITHMS.contains(jws.getAlgorithm())) {
            throw new AuthenticationException(
                    UNSUPPORTED_ALGORITHM,
                    "the token's signature algorithm is not accepted; use RS256 or ES256");
        }
        return jws;
    }

    private QuorumPrincipal verifyOwn(SignedJWT jwt, JWSHeader header, JWTClaimsSet claims)
            throws AuthenticationException {
        if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())) {
            throw new AuthenticationException(
                    UNSUPPORTED_ALGORITHM, "Quorum's own tokens are signed with ES256 only");
        }
        // RFC 9068 §4: "Resource servers MUST verify that the typ header value is at+jwt or
        // application/at+jwt"; this keeps other JWTs signed by the same key out.
        JOSEObjectType type = header.getType();
        String typ = type == null ? "" : type.getType().toLowerCase(Locale.ROOT);
        if (!typ.equals(ClaimNames.ACCESS_TOKEN_TYPE)
                && !typ.equals("application/" + ClaimNames.ACCESS_TOKEN_TYPE)) {
            throw new AuthenticationException(WRONG_TYPE, "the token is not an access token (typ)");
        }
        String kid = header.getKeyID();
        if (kid == null) {
            throw new AuthenticationException(UNKNOWN_KEY, "the token has no key id (kid)");
        }
        Optional<? extends JWK> key = ownKeys.publicKey(kid);
        if (key.isEmpty()) {
            try {
                // The key may have been rotated by the other process (CLI or server).
                ownKeys.reloadIfChanged();
            } catch (IOException e) {
                throw new AuthenticationException(
                        KEY_SOURCE_UNAVAILABLE, "Quorum's signing key file cannot be read", e);
            }
            key = ownKeys.publicKey(kid);
        }
        if (key.isEmpty()) {
            throw new AuthenticationException(
                    UNKNOWN_KEY, "the token was signed with a key this server does not have");
        }
        checkSignature(jwt, List.of(key.get()));
        checkTimes(claims);
        checkAudience(claims, audience);
        String subject = requiredString(claims, "sub");
        String jti = requiredString(claims, "jti");
        String clientId = requiredString(claims, ClaimNames.CLIENT_ID);
        Set<Role> roles = new HashSet<>();
        for (String name : stringList(claims, ClaimNames.ROLES)) {
            roles.add(
                    Role.fromWireName(name)
                            .orElseThrow(
                                    () ->
                                            new AuthenticationException(
                                                    INVALID_CLAIM,
                                                    "the token names a role this server does not"
                                                            + " know")));
        }
        ScopeSet scopes;
        try {
            scopes = ScopeSet.parse(optionalString(claims, ClaimNames.SCOPE).orElse(""));
        } catch (InvalidScopeException e) {
            throw new AuthenticationException(INVALID_CLAIM, "the token's scope is not valid");
        }
        return new QuorumPrincipal(
                subject,
                clientId,
                issuer,
                roles,
                Set.copyOf(stringList(claims, ClaimNames.PROJECTS)),
                scopes,
                optionalString(claims, ClaimNames.FHIR_USER),
                jti,
                claims.getExpirationTime().toInstant());
    }

    private QuorumPrincipal verifyExternal(
            SignedJWT jwt, JWSHeader header, JWTClaimsSet claims, External external)
            throws AuthenticationException {
        JWKSet keys = externalKeys(external);
        List<JWK> candidates = JwsSignatures.candidates(keys, header);
        if (candidates.isEmpty() && !JwsSignatures.hasKeyId(keys, header.getKeyID())) {
            // RFC 7517 §4.5 / OIDC Core §10.1.1: an unknown kid usually means the provider
            // rotated its keys; refetch, rate-limited by RemoteJwks.
            if (external.jwks().refreshForUnknownKey()) {
                keys = externalKeys(external);
                candidates = JwsSignatures.candidates(keys, header);
            }
        }
        if (candidates.isEmpty()) {
            throw JwsSignatures.hasKeyId(keys, header.getKeyID())
                    ? new AuthenticationException(
                            BAD_SIGNATURE, "the key named by kid does not fit the algorithm")
                    : new AuthenticationException(
                            UNKNOWN_KEY,
                            "the token was signed with a key the issuer does not publish");
        }
        checkSignature(jwt, candidates);
        checkTimes(claims);
        ExternalIssuer config = external.config();
        checkAudience(claims, config.audience());
        String subject = requiredString(claims, "sub");
        Membership local = config.membershipBySubject().getOrDefault(subject, Membership.none());
        Set<Role> roles = new HashSet<>(local.roles());
        if (config.rolesClaim().isPresent()) {
            for (String name : claimValues(claims, config.rolesClaim().get())) {
                if (name.startsWith(config.rolePrefix())) {
                    Role.fromWireName(name.substring(config.rolePrefix().length()))
                            .ifPresent(roles::add);
                }
            }
        }
        Set<String> projects = new HashSet<>(local.projects());
        if (config.projectsClaim().isPresent()) {
            projects.addAll(claimValues(claims, config.projectsClaim().get()));
        }
        // OAuth providers put scopes in "scope" (RFC 8693 §4.2) or, like Entra ID, in "scp".
        List<String> scopeValues = claimValues(claims, ClaimNames.SCOPE);
        if (scopeValues.isEmpty()) {
            scopeValues = claimValues(claims, "scp");
        }
        // OIDC Core §2: "azp" names the client when the provider writes no client_id.
        Optional<String> clientId = optionalString(claims, ClaimNames.CLIENT_ID);
        if (clientId.isEmpty()) {
            clientId = optionalString(claims, "azp");
        }
        return new QuorumPrincipal(
                subject,
                clientId.orElse(""),
                config.issuer(),
                roles,
                projects,
                ScopeSet.parseLenient(String.join(" ", scopeValues)),
                optionalString(claims, ClaimNames.FHIR_USER),
                Optional.ofNullable(claims.getJWTID()).orElse(""),
                claims.getExpirationTime().toInstant());
    }

    private static JWKSet externalKeys(External external) throws AuthenticationException {
        try {
            return external.jwks().current();
        } catch (RemoteJwks.UnavailableException e) {
            throw new AuthenticationException(
                    KEY_SOURCE_UNAVAILABLE,
                    "the keys of the token's issuer cannot be fetched: " + e.getMessage());
        }
    }

    private static void checkSignature(SignedJWT jwt, List<JWK> candidates)
            throws AuthenticationException {
        for (JWK key : candidates) {
            try {
                if (JwsSignatures.verify(jwt, key)) {
                    return;
                }
            } catch (JOSEException e) {
                // A key that cannot verify this token (e.g. unusable parameters): try the next.
            }
        }
        throw new AuthenticationException(BAD_SIGNATURE, "the token's signature does not verify");
    }

    private boolean stillValid(Verified known) {
        if (ownKeys.publicKey(known.kid()).isEmpty()) {
            return false;
        }
        try {
            checkTimes(known.claims());
            return true;
        } catch (AuthenticationException e) {
            return false;
        }
    }

    private void checkTimes(JWTClaimsSet claims) throws AuthenticationException {
        Instant now = clock.instant();
        if (claims.getExpirationTime() == null) {
            throw new AuthenticationException(MISSING_CLAIM, "the token has no 'exp' claim");
        }
        if (now.isAfter(claims.getExpirationTime().toInstant().plus(clockSkew))) {
            throw new AuthenticationException(EXPIRED, "the token has expired");
        }
        if (claims.getNotBeforeTime() != null
                && now.plus(clockSkew).isBefore(claims.getNotBeforeTime().toInstant())) {
            throw new AuthenticationException(NOT_YET_VALID, "the token is not valid yet (nbf)");
        }
        if (claims.getIssueTime() != null
                && now.plus(clockSkew).isBefore(claims.getIssueTime().toInstant())) {
            throw new AuthenticationException(
                    NOT_YET_VALID, "the token was issued in the future (iat)");
        }
    }

    private static void checkAudience(JWTClaimsSet claims, String expected)
            throws AuthenticationException {
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(expected)) {
            throw new AuthenticationException(
                    WRONG_AUDIENCE, "the token is not meant for this server (aud)");
        }
    }

    private static String requiredString(JWTClaimsSet claims, String name)
            throws AuthenticationException {
        Optional<String> value = optionalString(claims, name);
        if (value.isEmpty() || value.get().isEmpty()) {
            throw new AuthenticationException(
                    MISSING_CLAIM, "the token has no '" + name + "' claim");
        }
        return value.get();
    }

    private static Optional<String> optionalString(JWTClaimsSet claims, String name)
            throws AuthenticationException {
        try {
            return Optional.ofNullable(claims.getStringClaim(name));
        } catch (ParseException e) {
            throw new AuthenticationException(
                    INVALID_CLAIM, "the token's '" + name + "' claim is not a string");
        }
    }

    private static List<String> stringList(JWTClaimsSet claims, String name)
            throws AuthenticationException {
        try {
            List<String> values = claims.getStringListClaim(name);
            return values == null ? List.of() : values;
        } catch (ParseException e) {
            throw new AuthenticationException(
                    INVALID_CLAIM, "the token's '" + name + "' claim is not an array of strings");
        }
    }

    /**
     * The string values at a dot-separated claim path: an array of strings, or one string split at
     * spaces. Anything else gives no value (external providers' claims are not Quorum's to judge).
     */
    static List<String> claimValues(JWTClaimsSet claims, String path) {
        Object node = claims.getClaims();
        for (String step : path.split("\\.")) {
            if (!(node instanceof Map)) {
                return List.of();
            }
            node = ((Map<?, ?>) node).get(step);
        }
        List<String> values = new ArrayList<>();
        if (node instanceof String) {
            for (String value : ((String) node).trim().split(" +")) {
                if (!value.isEmpty()) {
                    values.add(value);
                }
            }
        } else if (node instanceof Collection) {
            for (Object item : (Collection<?>) node) {
                if (item instanceof String) {
                    values.add((String) item);
                }
            }
        }
        return values;
    }

    /** How many times the JWKS of {@code issuer} was fetched (tests and metrics). */
    int jwksFetchCount(String externalIssuer) {
        External external = externals.get(externalIssuer);
        return external == null ? 0 : external.jwks().fetchCount();
    }
}
