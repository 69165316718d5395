package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quorum.security.AuthenticationException.Reason;

/** Tokens of an external OpenID Connect provider, whose JWKS a fake serves on 127.0.0.1. */
class ExternalIssuerTest {

    static final String KEYCLOAK = "https://idp.test/realms/quorum";

    // Key generation is slow for RSA: once for the class.
    static final RSAKey FIRST = TestJwts.rsaKey("rsa-1");
    static final ECKey SECOND = TestJwts.ecKey(Curve.P_256, "ec-2");

    final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    JwksServer idp;
    TokenVerifier verifier;

    @BeforeEach
    void start() throws Exception {
        idp = new JwksServer();
        idp.serve(List.of(FIRST));
        ExternalIssuer keycloak =
                ExternalIssuer.of(KEYCLOAK, "quorum-api", idp.jwksUri())
                        .withRolesClaim("realm_access.roles", "")
                        .withProjectsClaim("quorum_projects")
                        .withMembership(
                                Map.of(
                                        "bob",
                                        new Membership(Set.of(Role.AUDITOR), Set.of("study-9"))));
        verifier =
                new TokenVerifier(
                        SigningKeys.ephemeral(),
                        "https://quorum.test",
                        "https://quorum.test/fhir",
                        List.of(keycloak),
                        clock);
    }

    @AfterEach
    void stop() {
        assertThat(idp.unexpectedRequests()).isZero();
        idp.close();
    }

    private JWTClaimsSet.Builder claims(String subject) {
        return new JWTClaimsSet.Builder()
                .issuer(KEYCLOAK)
                .subject(subject)
                .audience(List.of("quorum-api", "account"))
                .issueTime(TestJwts.at(clock.instant()))
                .expirationTime(TestJwts.at(clock.instant().plus(Duration.ofMinutes(30))))
                .jwtID(UUID.randomUUID().toString())
                .claim("azp", "labeling-ui")
                .claim("scope", "openid profile email user/Observation.rs");
    }

    private String signed(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
        return TestJwts.sign(key, alg, key.getKeyID(), null, claims);
    }

    @Test
    void accepts_a_provider_token_and_maps_roles_projects_and_scopes() throws Exception {
        String token =
                signed(
                        FIRST,
                        JWSAlgorithm.RS256,
                        claims("carol")
                                .claim(
                                        "realm_access",
                                        Map.of(
                                                "roles",
                                                List.of(
                                                        "annotator",
                                                        "offline_access",
                                                        "uma_authorization")))
                                .claim("quorum_projects", List.of("study-1"))
                                .build());

        QuorumPrincipal principal = verifier.verify(token);

        assertThat(principal.subject()).isEqualTo("carol");
        assertThat(principal.issuer()).isEqualTo(KEYCLOAK);
        assertThat(principal.clientId()).isEqualTo("labeling-ui");
        assertThat(principal.roles()).containsExactly(Role.ANNOTATOR);
        assertThat(principal.projectIds()).containsExactly("study-1");
        assertThat(principal.scopes()).hasToString("openid user/Observation.rs");
        assertThat(idp.requests()).isEqualTo(1);

        verifier.verify(token);
        assertThat(idp.requests()).as("keys are cached").isEqualTo(1);
    }

    @Test
    void takes_roles_from_the_local_mapping_by_subject() throws Exception {
        QuorumPrincipal bob =
                verifier.verify(signed(FIRST, JWSAlgorithm.RS256, claims("bob").build()));

        assertThat(bob.roles()).containsExactly(Role.AUDITOR);
        assertThat(bob.projectIds()).containsExactly("study-9");
    }

    @Test
    void refetches_the_keys_when_the_provider_rotated_them() throws Exception {
        verifier.verify(signed(FIRST, JWSAlgorithm.RS256, claims("carol").build()));
        idp.serve(List.of(SECOND));
        clock.advance(Duration.ofMinutes(2));

        QuorumPrincipal principal =
                verifier.verify(signed(SECOND, JWSAlgorithm.ES256, claims("carol").build()));

        assertThat(principal.subject()).isEqualTo("carol");
        assertThat(idp.requests()).isEqualTo(2);
        assertThat(verifier.jwksFetchCount(KEYCLOAK)).isEqualTo(2);
    }

    @Test
    void unknown_key_ids_cannot_make_it_refetch_on_every_request() {
        ECKey stranger = TestJwts.ecKey(Curve.P_256, "made-up");
        clock.advance(Duration.ofMinutes(1));

        for (int i = 0; i < 5; i++) {
            String token = signed(stranger, JWSAlgorithm.ES256, claims("mallory").build());
            AuthenticationException e =
                    catchThrowableOfType(
                            AuthenticationException.class, () -> verifier.verify(token));
            assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY);
        }
        assertThat(idp.requests()).as("first fetch only; refresh rate-limited").isEqualTo(1);

        clock.advance(Duration.ofSeconds(61));
        String later = signed(stranger, JWSAlgorithm.ES256, claims("mallory").build());
        assertThat(
                        catchThrowableOfType(
                                        AuthenticationException.class, () -> verifier.verify(later))
                                .reason())
                .isEqualTo(Reason.UNKNOWN_KEY);
        assertThat(idp.requests()).as("one refresh after the interval").isEqualTo(2);
    }

    @Test
    void rejects_a_provider_token_signed_by_another_key_under_its_kid() {
        RSAKey impostor = TestJwts.rsaKey(FIRST.getKeyID());
        String token = signed(impostor, JWSAlgorithm.RS256, claims("carol").build());

        assertThat(
                        catchThrowableOfType(
                                        AuthenticationException.class, () -> verifier.verify(token))
                                .reason())
                .isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void rejects_a_provider_token_for_another_audience() {
        String token =
                signed(FIRST, JWSAlgorithm.RS256, claims("carol").audience("account").build());

        assertThat(
                        catchThrowableOfType(
                                        AuthenticationException.class, () -> verifier.verify(token))
                                .reason())
                .isEqualTo(Reason.WRONG_AUDIENCE);
    }

    @Test
    void rejects_rs384_which_only_client_assertions_use() {
        String token = signed(FIRST, JWSAlgorithm.RS384, claims("carol").build());

        assertThat(
                        catchThrowableOfType(
                                        AuthenticationException.class, () -> verifier.verify(token))
                                .reason())
                .isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
    }

    @Test
    void answers_503_when_the_provider_keys_cannot_be_fetched() {
        idp.status.set(500);
        String token = signed(FIRST, JWSAlgorithm.RS256, claims("carol").build());

        AuthenticationException e =
                catchThrowableOfType(AuthenticationException.class, () -> verifier.verify(token));

        assertThat(e.reason()).isEqualTo(Reason.KEY_SOURCE_UNAVAILABLE);
        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(e.getMessage()).contains("HTTP status 500");
    }

    @Test
    void requires_https_for_keys_except_on_loopback() {
        assertThatThrownBy(
                        () ->
                                ExternalIssuer.of(
                                        KEYCLOAK,
                                        "quorum-api",
                                        URI.create("http://idp.example.org/jwks")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must use https");
    }
}
