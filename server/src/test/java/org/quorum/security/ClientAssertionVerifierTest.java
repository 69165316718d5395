package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SMART Backend Services client authentication (RFC 7523 private_key_jwt). */
class ClientAssertionVerifierTest {

    static final String TOKEN_ENDPOINT = "https://quorum.test/auth/token";
    static final ECKey EC384 = TestJwts.ecKey(Curve.P_384, "ec384");
    static final ECKey EC256 = TestJwts.ecKey(Curve.P_256, "ec256");
    static final RSAKey RSA = TestJwts.rsaKey("rsa");

    @TempDir Path dataDir;
    final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    ClientRegistry clients;
    ClientAssertionVerifier verifier;

    @BeforeEach
    void register() throws Exception {
        clients = new ClientRegistry(dataDir);
        clients.add(
                RegisteredClient.withJwks(
                        "ehr-bridge",
                        new JWKSet(List.of(EC384, EC256, RSA)).toPublicJWKSet(),
                        ScopeSet.parse("system/Observation.rs system/Patient.r"),
                        Set.of(Role.INTEGRATION),
                        Set.of("study-1")));
        verifier = new ClientAssertionVerifier(clients, TOKEN_ENDPOINT, clock);
    }

    static JWTClaimsSet.Builder claims(String clientId, Instant now) {
        return new JWTClaimsSet.Builder()
                .issuer(clientId)
                .subject(clientId)
                .audience(TOKEN_ENDPOINT)
                .expirationTime(TestJwts.at(now.plus(Duration.ofMinutes(4))))
                .jwtID(UUID.randomUUID().toString());
    }

    private String assertion(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
        return TestJwts.sign(key, alg, key.getKeyID(), JOSEObjectType.JWT, claims);
    }

    private String assertion(JWK key, JWSAlgorithm alg) {
        return assertion(key, alg, claims("ehr-bridge", clock.instant()).build());
    }

    private String refusal(String assertion) {
        OAuthException e =
                catchThrowableOfType(
                        OAuthException.class, () -> verifier.verify(assertion, Optional.empty()));
        assertThat(e).as("assertion must be refused").isNotNull();
        assertThat(e.error()).isEqualTo(OAuthError.INVALID_CLIENT);
        if (assertion != null && !assertion.isEmpty()) {
            assertThat(e.getMessage()).doesNotContain(assertion);
        }
        return e.getMessage();
    }

    @Test
    void accepts_es384_rs384_and_also_es256_rs256() throws Exception {
        assertThat(
                        verifier.verify(assertion(EC384, JWSAlgorithm.ES384), Optional.empty())
                                .clientId())
                .isEqualTo("ehr-bridge");
        assertThat(
                        verifier.verify(
                                        assertion(RSA, JWSAlgorithm.RS384),
                                        Optional.of("ehr-bridge"))
                                .roles())
                .containsExactly(Role.INTEGRATION);
        assertThat(verifier.verify(assertion(EC256, JWSAlgorithm.ES256), Optional.empty()))
                .isNotNull();
        assertThat(verifier.verify(assertion(RSA, JWSAlgorithm.RS256), Optional.empty()))
                .isNotNull();
    }

    @Test
    void refuses_a_replayed_assertion_until_it_expires() throws Exception {
        String once = assertion(EC384, JWSAlgorithm.ES384);
        verifier.verify(once, Optional.empty());

        assertThat(refusal(once)).contains("already used");
    }

    @Test
    void refuses_an_assertion_for_another_audience() {
        assertThat(
                        refusal(
                                assertion(
                                        EC384,
                                        JWSAlgorithm.ES384,
                                        claims("ehr-bridge", clock.instant())
                                                .audience("https://quorum.test/fhir")
                                                .build())))
                .contains("aud must be the token endpoint URL " + TOKEN_ENDPOINT);
    }

    @Test
    void refuses_expiry_more_than_five_minutes_ahead_and_expired_assertions() {
        Instant now = clock.instant();
        String tooLong =
                assertion(
                        EC384,
                        JWSAlgorithm.ES384,
                        claims("ehr-bridge", now)
                                .expirationTime(TestJwts.at(now.plus(Duration.ofMinutes(10))))
                                .build());
        String expired =
                assertion(
                        EC384,
                        JWSAlgorithm.ES384,
                        claims("ehr-bridge", now)
                                .expirationTime(TestJwts.at(now.minus(Duration.ofMinutes(2))))
                                .build());
        String noExpiry =
                assertion(
                        EC384,
                        JWSAlgorithm.ES384,
                        claims("ehr-bridge", now).expirationTime(null).build());

        assertThat(refusal(tooLong)).contains("at most five minutes ahead");
        assertThat(refusal(expired)).contains("expired");
        assertThat(refusal(noExpiry)).contains("no exp");
    }

    @Test
    void refuses_when_iss_and_sub_differ_or_client_id_disagrees() {
        String mismatch =
                assertion(
                        EC384,
                        JWSAlgorithm.ES384,
                        claims("ehr-bridge", clock.instant()).subject("someone").build());
        String good = assertion(EC384, JWSAlgorithm.ES384);

        assertThat(refusal(mismatch)).contains("iss and sub");
        assertThat(
                        catchThrowableOfType(
                                        OAuthException.class,
                                        () -> verifier.verify(good, Optional.of("other")))
                                .getMessage())
                .contains("client_id does not match");
    }

    @Test
    void refuses_unknown_clients_unknown_keys_and_other_keys() {
        ECKey stranger = TestJwts.ecKey(Curve.P_384, "ec384");
        ECKey unknownKid = TestJwts.ecKey(Curve.P_384, "nope");

        assertThat(
                        refusal(
                                assertion(
                                        EC384,
                                        JWSAlgorithm.ES384,
                                        claims("unknown-client", clock.instant()).build())))
                .contains("not registered");
        assertThat(refusal(assertion(unknownKid, JWSAlgorithm.ES384))).contains("kid");
        assertThat(refusal(assertion(stranger, JWSAlgorithm.ES384))).contains("does not verify");
    }

    @Test
    void refuses_unaccepted_algorithms_none_and_missing_jti() throws JOSEException {
        SignedJWT hmac =
                new SignedJWT(
                        new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa").build(),
                        claims("ehr-bridge", clock.instant()).build());
        hmac.sign(new MACSigner(RSA.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));

        assertThat(refusal(hmac.serialize())).contains("RS384 or ES384");
        assertThat(refusal(TestJwts.unsigned(claims("ehr-bridge", clock.instant()).build())))
                .contains("RS384 or ES384");
        assertThat(refusal("a.b")).contains("not a signed JWT");
        assertThat(
                        refusal(
                                assertion(
                                        EC384,
                                        JWSAlgorithm.ES384,
                                        claims("ehr-bridge", clock.instant()).jwtID(null).build())))
                .contains("no jti");
        String valid = assertion(EC384, JWSAlgorithm.ES384);
        assertThat(refusal(valid.substring(0, valid.lastIndexOf('.') + 1))).contains("signature");
        assertThat(refusal("")).contains("missing");
    }

    @Test
    void fetches_keys_of_a_client_registered_with_a_jwks_url() throws Exception {
        try (JwksServer client = new JwksServer()) {
            client.serve(List.of(EC384));
            clients.add(
                    RegisteredClient.withJwksUri(
                            "pacs",
                            client.jwksUri(),
                            ScopeSet.parse("system/ImagingStudy.rs"),
                            Set.of(Role.INTEGRATION),
                            Set.of()));

            String assertion =
                    assertion(EC384, JWSAlgorithm.ES384, claims("pacs", clock.instant()).build());

            assertThat(verifier.verify(assertion, Optional.empty()).clientId()).isEqualTo("pacs");
            assertThat(client.requests()).isEqualTo(1);
        }
    }

    @Test
    void the_registry_keeps_public_keys_only_and_is_shared_with_other_processes() throws Exception {
        String json = Files.readString(Path.of(clients.location()));

        assertThat(json).contains("\"client_id\" : \"ehr-bridge\"").doesNotContain("\"d\"");
        assertThat(new ClientRegistry(dataDir).find("ehr-bridge")).isPresent();

        ClientRegistry server = new ClientRegistry(dataDir);
        clients.remove("ehr-bridge");
        assertThat(server.reloadIfChanged()).isTrue();
        assertThat(server.find("ehr-bridge")).isEmpty();
    }

    @Test
    void refuses_to_register_private_keys_or_non_system_scopes() {
        assertThatThrownBy(
                        () ->
                                RegisteredClient.withJwks(
                                        "leaky",
                                        new JWKSet(EC384),
                                        ScopeSet.parse("system/*.rs"),
                                        Set.of(Role.INTEGRATION),
                                        Set.of()))
                .hasMessageContaining("private key material")
                .hasMessageNotContaining(EC384.getD().toString());
        assertThatThrownBy(
                        () ->
                                RegisteredClient.withJwks(
                                        "user-scoped",
                                        new JWKSet(EC384.toPublicJWK()),
                                        ScopeSet.parse("user/*.rs"),
                                        Set.of(Role.INTEGRATION),
                                        Set.of()))
                .hasMessageContaining("use system/ scopes");
    }
}
