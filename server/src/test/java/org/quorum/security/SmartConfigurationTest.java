package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmartConfigurationTest {

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    @Test
    void describes_the_authorization_server_as_smart_v2_asks() throws Exception {
        JsonNode doc =
                new ObjectMapper()
                        .readTree(
                                new SmartConfiguration(
                                                "https://quorum.test",
                                                "https://quorum.test/auth/token",
                                                "https://quorum.test/.well-known/jwks.json",
                                                SmartConfiguration.DEFAULT_SCOPES_SUPPORTED,
                                                false)
                                        .toJson());

        assertThat(doc.get("issuer").asText()).isEqualTo("https://quorum.test");
        assertThat(doc.get("token_endpoint").asText()).isEqualTo("https://quorum.test/auth/token");
        assertThat(doc.get("jwks_uri").asText())
                .isEqualTo("https://quorum.test/.well-known/jwks.json");
        assertThat(strings(doc.get("grant_types_supported"))).containsExactly("client_credentials");
        assertThat(strings(doc.get("token_endpoint_auth_methods_supported")))
                .containsExactly("private_key_jwt");
        assertThat(strings(doc.get("token_endpoint_auth_signing_alg_values_supported")))
                .containsExactly("RS384", "ES384", "RS256", "ES256");
        assertThat(strings(doc.get("scopes_supported"))).contains("system/*.rs", "fhirUser");
        assertThat(strings(doc.get("capabilities")))
                .containsExactly("client-confidential-asymmetric", "permission-v2");
    }

    @Test
    void lists_the_password_grant_when_it_is_on() throws Exception {
        JsonNode doc =
                new ObjectMapper()
                        .readTree(
                                new SmartConfiguration(
                                                "https://quorum.test",
                                                "https://quorum.test/auth/token",
                                                "https://quorum.test/jwks",
                                                List.of("user/*.rs"),
                                                true)
                                        .toJson());

        assertThat(strings(doc.get("grant_types_supported")))
                .containsExactly("client_credentials", "password");
    }
}
