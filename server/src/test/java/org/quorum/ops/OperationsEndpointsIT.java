package org.quorum.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.testing.RunningServer;

/** {@code /health}, {@code /metrics} and the CapabilityStatement on the running server. */
@ExtendWith(RunningServer.class)
class OperationsEndpointsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void health_reports_ready_with_a_database_check(RunningServer server) throws Exception {
        HttpResponse<String> ready = server.anonymousHttp().get("/health");
        HttpResponse<String> live = server.anonymousHttp().get("/health/live");

        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("UP");
        assertThat(body.path("checks").path("database").path("status").asText()).isEqualTo("UP");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(server.http().get("/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void metrics_are_served_in_prometheus_format(RunningServer server) {
        server.http().get("/fhir/metadata");

        HttpResponse<String> metrics = server.http().get("/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("# TYPE jvm_memory_used_bytes gauge")
                .contains(
                        "http_server_requests_seconds_count{application=\"quorum\",method=\"GET\",route=\"/fhir\",status=\"200\"}")
                .contains("quorum_db_connections_active")
                // The profile package installs CodeSystems at start-up: writes are counted.
                .contains("quorum_fhir_writes_total{application=\"quorum\",operation=");
    }

    @Test
    void metrics_need_a_token(RunningServer server) {
        HttpResponse<String> anonymous = server.anonymousHttp().get("/metrics");

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElse(""))
                .startsWith("Bearer");
    }

    @Test
    void capability_statement_lists_quorum_profiles_as_supported(RunningServer server)
            throws Exception {
        HttpResponse<String> metadata =
                server.http().get("/fhir/metadata", "application/fhir+json");

        assertThat(metadata.statusCode()).isEqualTo(200);
        JsonNode statement = JSON.readTree(metadata.body());
        assertThat(statement.path("software").path("name").asText()).isEqualTo("Quorum");
        for (QuorumProfiles.ProfileRef profile : QuorumProfiles.RESOURCE_PROFILES) {
            JsonNode resource = null;
            for (JsonNode r : statement.path("rest").get(0).path("resource")) {
                if (r.path("type").asText().equals(profile.resourceType())) {
                    resource = r;
                }
            }
            assertThat(resource).as(profile.resourceType()).isNotNull();
            assertThat(resource.path("supportedProfile").toString()).contains(profile.url());
        }
    }

    @Test
    void conformance_resources_are_searchable(RunningServer server) throws Exception {
        HttpResponse<String> search =
                server.http()
                        .get(
                                "/fhir/StructureDefinition?url=" + QuorumProfiles.LABEL,
                                "application/fhir+json");

        JsonNode bundle = JSON.readTree(search.body());
        assertThat(bundle.path("entry")).hasSize(1);
        assertThat(
                        bundle.path("entry")
                                .get(0)
                                .path("resource")
                                .path("snapshot")
                                .path("element")
                                .size())
                .isGreaterThan(40);
    }

    @Test
    void unknown_path_is_404_without_details(RunningServer server) {
        HttpResponse<String> response = server.http().get("/no/such/path");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).doesNotContain("Exception");
    }
}
