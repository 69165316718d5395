package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.security.AuthenticationException.Reason;

class TokenVerifierTest {

    static final String ISSUER = "https://quorum.test";
    static final String AUDIENCE = ISSUER + "/fhir";

    final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    final SigningKeys keys = SigningKeys.ephemeral();
    final TokenIssuer issuer = new TokenIssuer(keys, ISSUER, AUDIENCE, clock);
    final TokenVerifier verifier = new TokenVerifier(keys, ISSUER, AUDIENCE, List.of(), clock);

    final User alice =
            new User(
                    "alice",
                    Set.of(Role.ANNOTATOR, Role.REVIEWER),
                    Set.of("study-1"),
                    Optional.of("PractitionerRole/123"),
                    Optional.empty());

    private IssuedToken aliceToken() {
        return issuer.issueForUser(alice, "quorum-cli", ScopeSet.parse("user/*.rs fhirUser"));
    }

    private AuthenticationException rejection(String token) {
        AuthenticationException e =
                catchThrowableOfType(AuthenticationException.class, () -> verifier.verify(token));
        assertThat(e).as("token must be rejected").isNotNull();
        if (token != null && token.length() > 10) {
            assertThat(e.getMessage()).doesNotContain(token);
            for (String part : token.split("\\.")) {
                if (part.length() > 8) {
                    assertThat(e.getMessage()).doesNotContain(part);
                }
            }
        }
        return e;
    }

    private JWTClaimsSet.Builder validClaims() {
        return new JWTClaimsSet.Builder(TestJwts.claimsOf(aliceToken().accessToken()));
    }

    @Test
    void accepts_its_own_token_and_reads_every_claim() throws Exception {
        IssuedToken token = aliceToken();

        QuorumPrincipal principal = verifier.verify(token.accessToken());

        assertThat(principal.subject()).isEqualTo("alice");
        assertThat(principal.clientId()).isEqualTo("quorum-cli");
        assertThat(principal.issuer()).isEqualTo(ISSUER);
        assertThat(principal.roles()).containsExactlyInAnyOrder(Role.ANNOTATOR, Role.REVIEWER);
        assertThat(principal.projectIds()).containsExactly("study-1");
        assertThat(principal.scopes()).hasToString("user/*.rs fhirUser");
        assertThat(principal.fhirUser()).contains("PractitionerRole/123");
        assertThat(principal.tokenId()).isEqualTo(token.tokenId());
        assertThat(principal.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        assertThat(principal.allows("Observation", Operation.SEARCH)).isTrue();
        assertThat(principal.allows("Observation", Operation.CREATE)).isFalse();
    }

    @Test
    void writes_the_documented_header_and_claims() throws Exception {
        SignedJWT jwt = SignedJWT.parse(aliceToken().accessToken());
        JWTClaimsSet claims = jwt.getJWTClaimsSet();

        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getType().getType()).isEqualTo("at+jwt");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(keys.currentKeyId());
        assertThat(claims.getClaims().keySet())
                .containsExactlyInAnyOrder(
                        "iss",
                        "sub",
                        "aud",
                        "exp",
                        "nbf",
                        "iat",
                        "jti",
                        "client_id",
                        "scope",
                        "quorum_roles",
                        "quorum_projects",
                        "fhirUser");
        assertThat(claims.getStringListClaim("quorum_roles"))
                .containsExactly("annotator", "reviewer");
    }

    @Test
    void accepts_an_authorization_header_with_any_case_of_bearer() throws Exception {
        String token = aliceToken().accessToken();

        assertThat(verifier.verifyAuthorizationHeader("bearer " + token).subject())
                .isEqualTo("alice");
        assertThat(verifier.verifyAuthorizationHeader("Bearer " + token).subject())
                .isEqualTo("alice");
    }

    @Test
    void a_request_without_a_token_is_missing_with_a_challenge_without_error_code() {
        AuthenticationException none =
                catchThrowableOfType(
                        AuthenticationException.class,
                        () -> verifier.verifyAuthorizationHeader(null));
        AuthenticationException basic =
                catchThrowableOfType(
                        AuthenticationException.class,
                        () -> verifier.verifyAuthorizationHeader("Basic YWxpY2U6c2VjcmV0"));

        assertThat(none.reason()).isEqualTo(Reason.MISSING);
        assertThat(basic.reason()).isEqualTo(Reason.MISSING);
        assertThat(basic.getMessage()).doesNotContain("YWxpY2U6c2VjcmV0");
        assertThat(none.wwwAuthenticate("quorum")).isEqualTo("Bearer realm=\"quorum\"");
        assertThat(rejection("").reason()).isEqualTo(Reason.MISSING);
    }

    @Test
    void rejects_an_expired_token_after_the_clock_skew() throws Exception {
        String token = aliceToken().accessToken();

        clock.advance(Duration.ofHours(1).plusSeconds(59));
        assertThat(verifier.verify(token).subject()).isEqualTo("alice");

        clock.advance(Duration.ofSeconds(2));
        AuthenticationException e = rejection(token);
        assertThat(e.reason()).isEqualTo(Reason.EXPIRED);
        assertThat(e.httpStatus()).isEqualTo(401);
        assertThat(e.wwwAuthenticate("quorum"))
                .isEqualTo(
                        "Bearer realm=\"quorum\", error=\"invalid_token\","
                                + " error_description=\"the token has expired\"");
    }

    @Test
    void rejects_a_token_that_is_not_yet_valid() {
        MutableClock ahead = new MutableClock(clock.instant().plus(Duration.ofMinutes(5)));
        String token =
                new TokenIssuer(keys, ISSUER, AUDIENCE, ahead)
                        .issueForUser(alice, "quorum-cli", User.DEFAULT_SCOPE)
                        .accessToken();

        assertThat(rejection(token).reason()).isEqualTo(Reason.NOT_YET_VALID);
    }

    @Test
    void rejects_a_token_from_another_issuer_even_with_our_key() {
        String token =
                new TokenIssuer(keys, "https://evil.test", AUDIENCE, clock)
                        .issueForUser(alice, "quorum-cli", User.DEFAULT_SCOPE)
                        .accessToken();

        assertThat(rejection(token).reason()).isEqualTo(Reason.WRONG_ISSUER);
    }

    @Test
    void rejects_a_token_for_another_audience() {
        String token =
                new TokenIssuer(keys, ISSUER, "https://other.test/fhir", clock)
                        .issueForUser(alice, "quorum-cli", User.DEFAULT_SCOPE)
                        .accessToken();

        assertThat(rejection(token).reason()).isEqualTo(Reason.WRONG_AUDIENCE);
    }

    @Test
    void rejects_a_token_signed_with_another_key_under_our_kid() {
        ECKey attacker = TestJwts.ecKey(Curve.P_256, keys.currentKeyId());
        String token =
                TestJwts.sign(
                        attacker,
                        JWSAlgorithm.ES256,
                        keys.currentKeyId(),
                        new JOSEObjectType("at+jwt"),
                        validClaims().claim("quorum_roles", List.of("project-admin")).build());

        assertThat(rejection(token).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void rejects_a_token_signed_with_a_key_it_does_not_know() {
        ECKey attacker = TestJwts.ecKey(Curve.P_256, "attacker");
        String token =
                TestJwts.sign(
                        attacker,
                        JWSAlgorithm.ES256,
                        "attacker",
                        new JOSEObjectType("at+jwt"),
                        validClaims().build());

        assertThat(rejection(token).reason()).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void rejects_a_tampered_payload_also_after_the_original_verified() throws Exception {
        String original = aliceToken().accessToken();
        // Verified (and remembered) first: the tampered copy must not pass as the original.
        assertThat(verifier.verify(original).subject()).isEqualTo("alice");
        String[] parts = original.split("\\.");
        String payload =
                Base64URL.encode(
                                validClaims()
                                        .claim("quorum_roles", List.of("project-admin"))
                                        .build()
                                        .toString()
                                        .getBytes(StandardCharsets.UTF_8))
                        .toString();

        assertThat(rejection(parts[0] + "." + payload + "." + parts[2]).reason())
                .isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void rejects_alg_none() {
        assertThat(rejection(TestJwts.unsigned(validClaims().build())).reason())
                .isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
    }

    @Test
    void rejects_a_stripped_signature() {
        String token = aliceToken().accessToken();
        String stripped = token.substring(0, token.lastIndexOf('.') + 1);

        assertThat(rejection(stripped).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void rejects_hs256_signed_with_the_public_key_as_secret() throws JOSEException {
        SignedJWT forged =
                new SignedJWT(
                        new JWSHeader.Builder(JWSAlgorithm.HS256)
                                .keyID(keys.currentKeyId())
                                .type(new JOSEObjectType("at+jwt"))
                                .build(),
                        validClaims().build());
        forged.sign(new MACSigner(keys.publicJwksJson().getBytes(StandardCharsets.UTF_8)));

        assertThat(rejection(forged.serialize()).reason()).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
    }

    @Test
    void rejects_a_jwt_of_another_type_signed_by_our_key() {
        SignedJWT idToken =
                keys.sign(
                        SigningKeys.es256Header().type(JOSEObjectType.JWT), validClaims().build());

        assertThat(rejection(idToken.serialize()).reason()).isEqualTo(Reason.WRONG_TYPE);
    }

    @Test
    void rejects_a_token_without_required_claims() {
        SignedJWT noJti =
                keys.sign(
                        SigningKeys.es256Header().type(new JOSEObjectType("at+jwt")),
                        validClaims().jwtID(null).build());
        SignedJWT noExp =
                keys.sign(
                        SigningKeys.es256Header().type(new JOSEObjectType("at+jwt")),
                        validClaims().expirationTime(null).build());

        assertThat(rejection(noJti.serialize()).reason()).isEqualTo(Reason.MISSING_CLAIM);
        assertThat(rejection(noExp.serialize()).reason()).isEqualTo(Reason.MISSING_CLAIM);
    }

    @Test
    void rejects_a_token_naming_an_unknown_role() {
        SignedJWT token =
                keys.sign(
                        SigningKeys.es256Header().type(new JOSEObjectType("at+jwt")),
                        validClaims().claim("quorum_roles", List.of("superuser")).build());

        assertThat(rejection(token.serialize()).reason()).isEqualTo(Reason.INVALID_CLAIM);
    }

    @Test
    void rejects_what_is_not_a_signed_jwt() {
        assertThat(rejection("not-a-token").reason()).isEqualTo(Reason.MALFORMED);
        assertThat(rejection("a.b").reason()).isEqualTo(Reason.MALFORMED);
        assertThat(rejection("a.b.c.d.e").reason()).isEqualTo(Reason.MALFORMED);
        assertThat(rejection("%%%.e30.c2ln").reason()).isEqualTo(Reason.MALFORMED);
        assertThat(rejection("x".repeat(TokenVerifier.MAX_TOKEN_LENGTH + 1)).reason())
                .isEqualTo(Reason.MALFORMED);
    }

    @Test
    void accepts_tokens_of_the_previous_key_after_rotation(@TempDir Path dataDir) throws Exception {
        SigningKeys server = SigningKeys.loadOrCreate(dataDir);
        TokenVerifier serverVerifier =
                new TokenVerifier(server, ISSUER, AUDIENCE, List.of(), clock);
        String before =
                new TokenIssuer(server, ISSUER, AUDIENCE, clock)
                        .issueForUser(alice, "quorum-cli", User.DEFAULT_SCOPE)
                        .accessToken();

        // The CLI, another process, rotates the key and issues a token with the new one.
        SigningKeys cli = SigningKeys.loadOrCreate(dataDir);
        cli.rotate();
        String after =
                new TokenIssuer(cli, ISSUER, AUDIENCE, clock)
                        .issueForUser(alice, "quorum-cli", User.DEFAULT_SCOPE)
                        .accessToken();

        assertThat(serverVerifier.verify(after).subject()).isEqualTo("alice");
        assertThat(serverVerifier.verify(before).subject()).isEqualTo("alice");
        assertThat(server.currentKeyId()).isEqualTo(cli.currentKeyId());
    }

    @Test
    void issued_token_does_not_show_itself_in_to_string() {
        IssuedToken token = aliceToken();

        assertThat(token.toString()).doesNotContain(token.accessToken()).contains(token.tokenId());
    }
}
