package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.cli.QuorumCommand;
import org.quorum.testing.RunningServer;

/** The embedded authorisation server over HTTP: discovery, SMART Backend Services, errors. */
@ExtendWith(RunningServer.class)
class TokenEndpointIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void backend_service_gets_a_token_with_a_signed_client_assertion_and_calls_the_api(
            RunningServer server) throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).keyID("ingest-1").generate();
        Path jwks = Files.createTempFile(server.dataDir(), "client", ".jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        String clientId = "ehr-ingest-" + UUID.randomUUID().toString().substring(0, 8);
        int added =
                QuorumCommand.commandLine()
                        .execute(
                                server.cli(
                                        "client",
                                        "add",
                                        clientId,
                                        "--jwks-file",
                                        jwks.toString(),
                                        "--scope",
                                        "system/Patient.cruds system/Observation.rs",
                                        "--role",
                                        "integration"));
        assertThat(added).isZero();
        JsonNode discovery =
                JSON.readTree(
                        server.anonymousHttp().get("/fhir/.well-known/smart-configuration").body());
        String tokenEndpoint = discovery.path("token_endpoint").asText();
        assertThat(discovery.path("token_endpoint_auth_methods_supported").toString())
                .contains("private_key_jwt");

        HttpResponse<String> response =
                postForm(
                        server,
                        "grant_type=client_credentials&scope="
                                + URLEncoder.encode("system/Patient.rs", StandardCharsets.UTF_8)
                                + "&client_assertion_type="
                                + URLEncoder.encode(
                                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                                        StandardCharsets.UTF_8)
                                + "&client_assertion="
                                + assertion(key, clientId, tokenEndpoint));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode token = JSON.readTree(response.body());
        assertThat(token.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(token.path("scope").asText()).isEqualTo("system/Patient.rs");
        String accessToken = token.path("access_token").asText();
        assertThat(server.http(accessToken).get("/fhir/Patient?_count=1").statusCode())
                .isEqualTo(200);
        // The token grants only what was asked: no writes.
        assertThat(
                        server.http(accessToken)
                                .postFhir("/fhir/Patient", "{\"resourceType\":\"Patient\"}")
                                .statusCode())
                .isEqualTo(403);
    }

    @Test
    void assertion_signed_by_an_unregistered_key_is_refused_as_invalid_client(RunningServer server)
            throws Exception {
        ECKey registered = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();
        ECKey attacker = new ECKeyGenerator(Curve.P_384).keyID("k1").generate();
        Path jwks = Files.createTempFile(server.dataDir(), "client", ".jwks.json");
        Files.writeString(jwks, new JWKSet(registered.toPublicJWK()).toString());
        String clientId = "writer-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(
                        QuorumCommand.commandLine()
                                .execute(
                                        server.cli(
                                                "client",
                                                "add",
                                                clientId,
                                                "--jwks-file",
                                                jwks.toString(),
                                                "--scope",
                                                "system/*.rs",
                                                "--role",
                                                "integration")))
                .isZero();
        String tokenEndpoint =
                JSON.readTree(
                                server.anonymousHttp()
                                        .get("/fhir/.well-known/smart-configuration")
                                        .body())
                        .path("token_endpoint")
                        .asText();

        HttpResponse<String> response =
                postForm(
                        server,
                        "grant_type=client_credentials&scope=system%2FPatient.rs"
                                + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                                + "&client_assertion="
                                + assertion(attacker, clientId, tokenEndpoint));

        assertThat(response.statusCode()).isIn(400, 401);
        assertThat(JSON.readTree(response.body()).path("error").asText())
                .isEqualTo("invalid_client");
        assertThat(response.body()).doesNotContain("access_token");
    }

    @Test
    void unsupported_grant_is_an_oauth_error(RunningServer server) throws Exception {
        HttpResponse<String> response = postForm(server, "grant_type=urn:example:grant&code=x");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").asText())
                .isEqualTo("unsupported_grant_type");
    }

    @Test
    void password_grant_gives_a_user_token(RunningServer server) throws Exception {
        String name = "reviewer-" + UUID.randomUUID().toString().substring(0, 8);
        var in = System.in;
        try {
            System.setIn(
                    new java.io.ByteArrayInputStream(
                            "correct horse battery\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(
                            QuorumCommand.commandLine()
                                    .execute(
                                            server.cli(
                                                    "user",
                                                    "add",
                                                    name,
                                                    "--role",
                                                    "reviewer",
                                                    "--password-stdin")))
                    .isZero();
        } finally {
            System.setIn(in);
        }

        HttpResponse<String> good =
                postForm(
                        server,
                        "grant_type=password&username="
                                + name
                                + "&password=correct+horse+battery&scope="
                                + URLEncoder.encode("user/*.rs", StandardCharsets.UTF_8));
        HttpResponse<String> bad =
                postForm(server, "grant_type=password&username=" + name + "&password=wrong");

        assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
        assertThat(JSON.readTree(good.body()).path("access_token").asText()).isNotEmpty();
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).path("error").asText()).isEqualTo("invalid_grant");
    }

    private static HttpResponse<String> postForm(RunningServer server, String form) {
        return server.anonymousHttp()
                .send("POST", "/auth/token", "application/x-www-form-urlencoded", form);
    }

    private static String assertion(ECKey key, String clientId, String audience) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt =
                new SignedJWT(
                        new JWSHeader.Builder(JWSAlgorithm.ES384)
                                .keyID(key.getKeyID())
                                .type(JOSEObjectType.JWT)
                                .build(),
                        new JWTClaimsSet.Builder()
                                .issuer(clientId)
                                .subject(clientId)
                                .audience(audience)
                                .expirationTime(Date.from(now.plusSeconds(240)))
                                .issueTime(Date.from(now))
                                .jwtID(UUID.randomUUID().toString())
                                .build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
