package org.quorum.security;

import static org.quorum.security.OAuthError.INVALID_CLIENT;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates a registered client by its signed JWT assertion: RFC 7523 §2.2 and §3 ({@code
 * private_key_jwt}, OpenID Connect Core §9) as profiled by SMART Backend Services.
 *
 * <p>An assertion is accepted when it is a JWS signed with RS384 or ES384 (the algorithms SMART
 * requires servers to support) or RS256 or ES256, by a key of the client's JWKS named by the header
 * {@code kid}; {@code iss} and {@code sub} are both the client id; {@code aud} is the token
 * endpoint URL; {@code exp} is present, not past and at most five minutes ahead; and its {@code
 * jti} has not been seen from this client before (replays are remembered until the assertion
 * expires). Every failure is {@link OAuthError#INVALID_CLIENT}.
 *
 * @see <a href="https://hl7.org/fhir/smart-app-launch/STU2/client-confidential-asymmetric.html">
 *     SMART App Launch v2, Client Authentication: Asymmetric (public key)</a>
 */
public final class ClientAssertionVerifier {

    /** The {@code client_assertion_type} of JWT assertions, RFC 7523 §2.2. */
    public static final String ASSERTION_TYPE =
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /** SMART: "exp ... SHALL be no more than five minutes in the future". */
    public static final Duration MAX_ASSERTION_LIFETIME = Duration.ofMinutes(5);

    /** The accepted signature algorithms, SMART's required ones first. */
    public static final List<JWSAlgorithm> ACCEPTED_ALGORITHMS =
            List.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384, JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    private static final int MAX_ASSERTION_LENGTH = 16 * 1024;

    private final ClientRegistry clients;
    private final String tokenEndpoint;
    private final HttpClient http;
    private final Clock clock;
    private final Duration clockSkew;
    private final Map<URI, RemoteJwks> remoteKeys = new ConcurrentHashMap<>();
    private final ReplayCache usedAssertions;

    /**
     * @param clients the registered clients
     * @param tokenEndpoint the token endpoint URL, exactly as clients put it into {@code aud}
     * @param http client for fetching the JWKS of clients registered with a JWKS URL
     * @param clock the time source
     * @param clockSkew tolerance for {@code exp} and {@code nbf}
     * @param usedAssertions the assertion ids already used (shared by the nodes of an installation)
     */
    public ClientAssertionVerifier(
            ClientRegistry clients,
            String tokenEndpoint,
            HttpClient http,
            Clock clock,
            Duration clockSkew,
            ReplayCache usedAssertions) {
        this.clients = Objects.requireNonNull(clients, "clients");
        this.tokenEndpoint = TokenIssuer.requireText(tokenEndpoint, "tokenEndpoint");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
        this.usedAssertions = Objects.requireNonNull(usedAssertions, "usedAssertions");
    }

    /** With a default HTTP client and {@link TokenVerifier#DEFAULT_CLOCK_SKEW}. */
    public ClientAssertionVerifier(
            ClientRegistry clients, String tokenEndpoint, Clock clock, ReplayCache usedAssertions) {
        this(
                clients,
                tokenEndpoint,
                TokenVerifier.defaultHttpClient(),
                clock,
                TokenVerifier.DEFAULT_CLOCK_SKEW,
                usedAssertions);
    }

    /** As above, remembering used assertions in this process only. */
    public ClientAssertionVerifier(ClientRegistry clients, String tokenEndpoint, Clock clock) {
        this(clients, tokenEndpoint, clock, new InMemoryReplayCache());
    }

    public String tokenEndpoint() {
        return tokenEndpoint;
    }

    /**
     * Verifies a client assertion.
     *
     * @param assertion the {@code client_assertion} parameter
     * @param clientIdParameter the {@code client_id} parameter, if the request had one: it must
     *     name the same client (RFC 7523 §3)
     * @return the authenticated client
     * @throws OAuthException {@code invalid_client}, saying why
     */
    public RegisteredClient verify(String assertion, Optional<String> clientIdParameter)
            throws OAuthException {
        if (assertion == null || assertion.isBlank() || assertion.length() > MAX_ASSERTION_LENGTH) {
            throw fail("client_assertion is missing or too long");
        }
        String[] parts = assertion.split("\\.", -1);
        if (parts.length != 3) {
            throw fail(
                    "client_assertion is not a signed JWT (RFC 7515 compact serialization);"
                            + " encrypted assertions are not accepted");
        }
        Header parsedHeader;
        try {
            parsedHeader = Header.parse(new Base64URL(parts[0]));
        } catch (ParseException e) {
            throw fail("client_assertion's header is not a JOSE header");
        }
        if (!(parsedHeader instanceof JWSHeader)
                || !ACCEPTED_ALGORITHMS.contains(((JWSHeader) parsedHeader).getAlgorithm())) {
            // alg none (PlainHeader) and HS* end here, before any key is looked at.
            throw fail("client_assertion must be signed with RS384 or ES384 (or RS256, ES256)");
        }
        if (parts[2].isEmpty()) {
            throw fail("client_assertion has no signature");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(assertion);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw fail("client_assertion is not a signed JWT with a JSON claims set");
        }
        JWSHeader header = jwt.getHeader();
        if (header.getKeyID() == null) {
            throw fail("client_assertion has no kid header naming the signing key (SMART)");
        }
        String issuer = claims.getIssuer();
        if (issuer == null || !issuer.equals(claims.getSubject())) {
            throw fail("client_assertion must have iss and sub both equal to the client id");
        }
        if (clientIdParameter.isPresent() && !clientIdParameter.get().equals(issuer)) {
            throw fail("client_id does not match the client_assertion's iss and sub");
        }
        RegisteredClient client =
                clients.find(issuer)
                        .orElseThrow(() -> fail("the client is not registered with this server"));

        checkSignature(jwt, header, client);

        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(tokenEndpoint)) {
            throw fail("client_assertion's aud must be the token endpoint URL " + tokenEndpoint);
        }
        Instant now = clock.instant();
        if (claims.getExpirationTime() == null) {
            throw fail("client_assertion has no exp");
        }
        Instant expiry = claims.getExpirationTime().toInstant();
        if (now.isAfter(expiry.plus(clockSkew))) {
            throw fail("client_assertion has expired");
        }
        if (expiry.isAfter(now.plus(MAX_ASSERTION_LIFETIME).plus(clockSkew))) {
            throw fail("client_assertion's exp must be at most five minutes ahead");
        }
        if (claims.getNotBeforeTime() != null
                && now.plus(clockSkew).isBefore(claims.getNotBeforeTime().toInstant())) {
            throw fail("client_assertion is not valid yet (nbf)");
        }
        String jti = claims.getJWTID();
        if (jti == null || jti.isEmpty()) {
            throw fail("client_assertion has no jti");
        }
        rememberOnce(client.clientId(), jti, expiry.plus(clockSkew), now);
        return client;
    }

    private void checkSignature(SignedJWT jwt, JWSHeader header, RegisteredClient client)
            throws OAuthException {
        JWKSet keys = clientKeys(client);
        List<JWK> candidates = JwsSignatures.candidates(keys, header);
        if (candidates.isEmpty()
                && client.jwksUri().isPresent()
                && !JwsSignatures.hasKeyId(keys, header.getKeyID())
                && remote(client.jwksUri().get()).refreshForUnknownKey()) {
            keys = clientKeys(client);
            candidates = JwsSignatures.candidates(keys, header);
        }
        if (candidates.isEmpty()) {
            throw fail(
                    JwsSignatures.hasKeyId(keys, header.getKeyID())
                            ? "the key named by kid does not fit the assertion's alg"
                            : "no registered key of the client has the assertion's kid");
        }
        for (JWK key : candidates) {
            try {
                if (JwsSignatures.verify(jwt, key)) {
                    return;
                }
            } catch (JOSEException e) {
                // This key cannot verify the assertion; the next one may.
            }
        }
        throw fail("client_assertion's signature does not verify with the client's key");
    }

    private JWKSet clientKeys(RegisteredClient client) throws OAuthException {
        if (client.jwks().isPresent()) {
            return client.jwks().get();
        }
        try {
            return remote(client.jwksUri().orElseThrow()).current();
        } catch (RemoteJwks.UnavailableException e) {
            throw fail("the client's keys cannot be fetched: " + e.getMessage());
        }
    }

    private RemoteJwks remote(URI uri) {
        return remoteKeys.computeIfAbsent(
                uri,
                u ->
                        new RemoteJwks(
                                u,
                                http,
                                clock,
                                RemoteJwks.DEFAULT_MAX_AGE,
                                RemoteJwks.DEFAULT_MIN_REFRESH_INTERVAL));
    }

    /**
     * RFC 7523 §3 item 7: the server "MAY ensure that JWTs are not replayed by maintaining the set
     * of used jti values for the length of time for which the JWT would be considered valid".
     * Called after the signature verified, so only the client itself can fill this memory.
     */
    private void rememberOnce(String clientId, String jti, Instant forgetAt, Instant now)
            throws OAuthException {
        boolean first;
        try {
            first = usedAssertions.firstUse(clientId, jti, forgetAt, now);
        } catch (StateUnavailableException e) {
            throw e;
        } catch (IllegalStateException e) {
            throw fail(e.getMessage());
        }
        if (!first) {
            throw fail("client_assertion was already used (jti replayed); make a new one");
        }
    }

    private static OAuthException fail(String description) {
        return new OAuthException(INVALID_CLIENT, description);
    }
}
