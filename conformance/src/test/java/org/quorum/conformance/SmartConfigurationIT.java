package org.quorum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.testing.RunningServer;

/**
 * The SMART configuration ({@code /.well-known/smart-configuration}, SMART App Launch v2,
 * Conformance, "Metadata") against a JSON Schema written from that section ({@code
 * schema/smart-configuration.schema.json}), served alike at the server root and under {@code
 * /fhir}, its key set and token endpoint answering as RFC 7517 and RFC 6749 §5.2 say.
 */
@ExtendWith({RunningServer.class, ConformanceReport.class})
class SmartConfigurationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static RunningServer server;
    private static ConformanceReport report;
    private static Schema schema;
    private static JsonNode configuration;
    private static final List<String> rows = new ArrayList<>();

    @BeforeAll
    static void fetch(RunningServer running, ConformanceReport conformanceReport) throws Exception {
        server = running;
        report = conformanceReport;
        try (InputStream in =
                SmartConfigurationIT.class.getResourceAsStream(
                        "/schema/smart-configuration.schema.json")) {
            schema =
                    SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                            .getSchema(in);
        }
        HttpResponse<String> response =
                get(server.baseUrl().resolve("/.well-known/smart-configuration"));
        assertThat(response.statusCode()).isEqualTo(200);
        configuration = JSON.readTree(response.body());
    }

    @AfterAll
    static void writeSection() {
        report.section(
                ConformanceReport.SMART,
                "SMART configuration",
                "JSON Schema (draft 2020-12, networknt json-schema-validator 2.0.8) written from"
                        + " SMART App Launch 2.0.0, Conformance, Metadata:"
                        + " conformance/src/test/resources/schema/smart-configuration.schema.json.\n\n"
                        + "| check | result |\n|---|---|\n"
                        + String.join("\n", rows)
                        + "\n\nServed document:\n\n```json\n"
                        + (configuration == null ? "(none)" : configuration.toPrettyString())
                        + "\n```");
    }

    @Test
    void the_document_is_valid_against_the_smart_v2_schema() {
        List<Error> errors = schema.validate(configuration);
        rows.add(
                "| schema | "
                        + (errors.isEmpty()
                                ? "valid"
                                : "**"
                                        + errors.size()
                                        + " errors: "
                                        + ConformanceReport.cell(errors.toString())
                                        + "**")
                        + " |");
        assertThat(errors).extracting(Error::toString).isEmpty();
    }

    @Test
    void the_schema_rejects_what_smart_v2_forbids() throws IOException {
        // Without the schema failing on these, a passing document would prove nothing.
        for (String broken :
                List.of(
                        "{\"grant_types_supported\":[\"client_credentials\"],\"capabilities\":[],"
                                + "\"code_challenge_methods_supported\":[]}",
                        "{\"token_endpoint\":\"https://a/token\",\"grant_types_supported\":[\"authorization_code\"],"
                                + "\"authorization_endpoint\":\"https://a/authorize\",\"capabilities\":[\"launch-standalone\"],"
                                + "\"code_challenge_methods_supported\":[\"plain\"]}",
                        "{\"token_endpoint\":\"https://a/token\",\"grant_types_supported\":[\"client_credentials\"],"
                                + "\"capabilities\":[\"sso-openid-connect\"],\"code_challenge_methods_supported\":[]}",
                        "{\"token_endpoint\":\"not a url\",\"grant_types_supported\":[\"client_credentials\"],"
                                + "\"capabilities\":[\"no-such-capability\"],\"code_challenge_methods_supported\":[]}")) {
            assertThat(schema.validate(JSON.readTree(broken))).as(broken).isNotEmpty();
        }
        rows.add("| the schema rejects 4 documents that break §Metadata | yes |");
    }

    @Test
    void it_is_served_alike_at_the_root_and_under_fhir_as_json() throws Exception {
        HttpResponse<String> root =
                get(server.baseUrl().resolve("/.well-known/smart-configuration"));
        HttpResponse<String> fhir =
                get(server.baseUrl().resolve("/fhir/.well-known/smart-configuration"));
        assertThat(root.headers().firstValue("Content-Type").orElse(""))
                .startsWith("application/json");
        assertThat(fhir.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(fhir.body())).isEqualTo(JSON.readTree(root.body()));
        rows.add("| same document at /.well-known and /fhir/.well-known, application/json | yes |");
    }

    @Test
    void its_key_set_and_token_endpoint_answer() throws Exception {
        HttpResponse<String> jwks = get(URI.create(configuration.path("jwks_uri").asText()));
        assertThat(jwks.statusCode()).isEqualTo(200);
        JsonNode keys = JSON.readTree(jwks.body()).path("keys");
        assertThat(keys.isArray() && keys.size() > 0).as(jwks.body()).isTrue();
        keys.forEach(
                k -> assertThat(k.has("d")).as("no private key material in the JWKS").isFalse());

        HttpResponse<String> token =
                CLIENT.send(
                        HttpRequest.newBuilder(
                                        URI.create(configuration.path("token_endpoint").asText()))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "grant_type=client_credentials"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isIn(400, 401);
        assertThat(JSON.readTree(token.body()).path("error").asText()).isNotEmpty();
        rows.add(
                "| jwks_uri serves public keys; token_endpoint answers a bad request with an OAuth error (RFC 6749 §5.2) | yes |");
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(uri).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
