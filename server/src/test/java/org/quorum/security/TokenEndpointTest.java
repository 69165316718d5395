package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenEndpointTest {

    static final String ISSUER = "https://quorum.test";
    static final String AUDIENCE = ISSUER + "/fhir";
    static final String TOKEN_ENDPOINT = ISSUER + "/auth/token";
    static final ECKey CLIENT_KEY = TestJwts.ecKey(Curve.P_384, "client-key");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dataDir;
    final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
    final SigningKeys keys = SigningKeys.ephemeral();
    final TokenVerifier resourceServer =
            new TokenVerifier(keys, ISSUER, AUDIENCE, List.of(), clock);
    final PasswordHasher hasher = new PasswordHasher(PasswordHasher.MIN_ITERATIONS);
    UserRegistry users;
    ClientRegistry clients;
    TokenIssuer issuer;

    @BeforeEach
    void setUp() throws Exception {
        users = new UserRegistry(dataDir, List.of(), hasher);
        users.add(
                User.of("alice", Set.of(Role.ANNOTATOR), Set.of("study-1"))
                        .withFhirUser("PractitionerRole/123")
                        .withPassword(hasher.hash("correct horse".toCharArray())));
        clients = new ClientRegistry(dataDir);
        clients.add(
                RegisteredClient.withJwks(
                        "ehr-bridge",
                        new JWKSet(CLIENT_KEY.toPublicJWK()),
                        ScopeSet.parse("system/Observation.rs system/Patient.r"),
                        Set.of(Role.INTEGRATION),
                        Set.of("study-1")));
        issuer = new TokenIssuer(keys, ISSUER, AUDIENCE, clock);
    }

    private TokenEndpoint endpoint(boolean passwordGrant) {
        return new TokenEndpoint(
                issuer,
                new ClientAssertionVerifier(clients, TOKEN_ENDPOINT, clock),
                users,
                passwordGrant);
    }

    private String assertion() {
        return TestJwts.sign(
                CLIENT_KEY,
                JWSAlgorithm.ES384,
                CLIENT_KEY.getKeyID(),
                JOSEObjectType.JWT,
                ClientAssertionVerifierTest.claims("ehr-bridge", clock.instant())
                        .audience(TOKEN_ENDPOINT)
                        .build());
    }

    private static Map<String, List<String>> form(String... nameValues) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            form.put(nameValues[i], List.of(nameValues[i + 1]));
        }
        return form;
    }

    private Map<String, List<String>> clientCredentials(String scope) {
        return form(
                "grant_type",
                "client_credentials",
                "client_assertion_type",
                ClientAssertionVerifier.ASSERTION_TYPE,
                "client_assertion",
                assertion(),
                "scope",
                scope);
    }

    private static JsonNode body(TokenResponse response) throws Exception {
        return JSON.readTree(response.toJson());
    }

    private static void assertError(TokenResponse response, int status, String error)
            throws Exception {
        assertThat(response).isInstanceOf(TokenResponse.Failure.class);
        assertThat(response.httpStatus()).isEqualTo(status);
        assertThat(body(response).get("error").asText()).isEqualTo(error);
        assertThat(body(response).get("error_description").asText()).isNotBlank();
    }

    @Test
    void issues_a_backend_service_token_for_the_allowed_part_of_the_scope() throws Exception {
        TokenResponse response = endpoint(false).handle(clientCredentials("system/*.rs"));

        assertThat(response.httpStatus()).isEqualTo(200);
        assertThat(response.headers())
                .containsEntry("Cache-Control", "no-store")
                .containsEntry("Pragma", "no-cache");
        JsonNode body = body(response);
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(900);
        assertThat(body.get("scope").asText()).isEqualTo("system/Observation.rs system/Patient.r");
        QuorumPrincipal principal = resourceServer.verify(body.get("access_token").asText());
        assertThat(principal.subject()).isEqualTo("ehr-bridge");
        assertThat(principal.clientId()).isEqualTo("ehr-bridge");
        assertThat(principal.roles()).containsExactly(Role.INTEGRATION);
        assertThat(principal.projectIds()).containsExactly("study-1");
        assertThat(response.toString()).doesNotContain(body.get("access_token").asText());
    }

    @Test
    void refuses_scopes_the_client_may_not_have() throws Exception {
        assertError(
                endpoint(false).handle(clientCredentials("system/Encounter.r")),
                400,
                "invalid_scope");
        assertError(
                endpoint(false).handle(clientCredentials("system/Observation.xyz")),
                400,
                "invalid_scope");
    }

    @Test
    void requires_scope_grant_type_and_single_parameters() throws Exception {
        Map<String, List<String>> noScope = clientCredentials("x");
        noScope.remove("scope");
        Map<String, List<String>> repeated = clientCredentials("system/*.rs");
        repeated.put("scope", List.of("system/*.rs", "system/*.cruds"));

        assertError(endpoint(false).handle(noScope), 400, "invalid_request");
        assertError(endpoint(false).handle(form("scope", "system/*.rs")), 400, "invalid_request");
        assertError(endpoint(false).handle(repeated), 400, "invalid_request");
    }

    @Test
    void refuses_unauthenticated_and_badly_authenticated_clients_with_401() throws Exception {
        Map<String, List<String>> secret =
                form(
                        "grant_type",
                        "client_credentials",
                        "client_secret",
                        "s3cret",
                        "scope",
                        "system/*.rs");
        Map<String, List<String>> wrongType = clientCredentials("system/*.rs");
        wrongType.put("client_assertion_type", List.of("urn:example:other"));
        Map<String, List<String>> garbage = clientCredentials("system/*.rs");
        garbage.put("client_assertion", List.of("garbage"));

        assertError(endpoint(false).handle(secret), 401, "invalid_client");
        assertError(endpoint(false).handle(wrongType), 401, "invalid_client");
        assertError(endpoint(false).handle(garbage), 401, "invalid_client");
        assertThat(endpoint(false).handle(secret).toJson()).doesNotContain("s3cret");
    }

    @Test
    void refuses_unsupported_grant_types() throws Exception {
        assertError(
                endpoint(true).handle(form("grant_type", "authorization_code", "code", "x")),
                400,
                "unsupported_grant_type");
    }

    @Test
    void password_grant_issues_a_user_token_with_user_scopes() throws Exception {
        TokenResponse response =
                endpoint(true)
                        .handle(
                                "grant_type=password&username=alice&password=correct+horse"
                                        + "&scope=user%2FObservation.rs+fhirUser+openid");

        assertThat(response.httpStatus()).isEqualTo(200);
        JsonNode body = body(response);
        assertThat(body.get("scope").asText()).isEqualTo("user/Observation.rs fhirUser");
        assertThat(body.get("expires_in").asLong()).isEqualTo(3600);
        QuorumPrincipal principal = resourceServer.verify(body.get("access_token").asText());
        assertThat(principal.subject()).isEqualTo("alice");
        assertThat(principal.clientId()).isEqualTo(TokenEndpoint.PASSWORD_GRANT_CLIENT_ID);
        assertThat(principal.fhirUser()).contains("PractitionerRole/123");
        assertThat(principal.roles()).containsExactly(Role.ANNOTATOR);
    }

    @Test
    void password_grant_defaults_to_all_user_scopes() throws Exception {
        TokenResponse response =
                endpoint(true)
                        .handle(
                                form(
                                        "grant_type",
                                        "password",
                                        "username",
                                        "alice",
                                        "password",
                                        "correct horse"));

        assertThat(body(response).get("scope").asText()).isEqualTo("user/*.cruds fhirUser");
    }

    @Test
    void password_grant_answers_alike_for_wrong_password_and_unknown_user() throws Exception {
        TokenResponse wrong =
                endpoint(true)
                        .handle(
                                form(
                                        "grant_type",
                                        "password",
                                        "username",
                                        "alice",
                                        "password",
                                        "nope"));
        TokenResponse unknown =
                endpoint(true)
                        .handle(
                                form(
                                        "grant_type",
                                        "password",
                                        "username",
                                        "zed",
                                        "password",
                                        "nope"));

        assertError(wrong, 400, "invalid_grant");
        assertThat(unknown.toJson()).isEqualTo(wrong.toJson());
        assertThat(wrong.toJson()).doesNotContain("nope");
    }

    @Test
    void password_grant_refuses_system_scopes_and_can_be_turned_off() throws Exception {
        assertError(
                endpoint(true)
                        .handle(
                                form(
                                        "grant_type", "password",
                                        "username", "alice",
                                        "password", "correct horse",
                                        "scope", "system/*.rs")),
                400,
                "invalid_scope");
        assertError(
                endpoint(false)
                        .handle(
                                form(
                                        "grant_type",
                                        "password",
                                        "username",
                                        "alice",
                                        "password",
                                        "correct horse")),
                400,
                "unsupported_grant_type");
    }

    @Test
    void a_malformed_form_body_is_an_invalid_request() throws Exception {
        assertError(endpoint(true).handle("grant_type=%zz"), 400, "invalid_request");
    }

    @Test
    void parses_form_bodies_keeping_repeated_names() {
        assertThat(TokenEndpoint.parseForm("a=1&b=x+y%2Fz&a=2&flag"))
                .containsEntry("a", List.of("1", "2"))
                .containsEntry("b", List.of("x y/z"))
                .containsEntry("flag", List.of(""));
    }
}
