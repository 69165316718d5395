package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.testing.Http;
import org.quorum.testing.RunningServer;

/**
 * The authorization rules of tokens that are not case-bound are built once per roles and scopes and
 * reused (QuorumAuthorizationInterceptor): a token whose scopes or roles differ must never get
 * another token's rules. The resources pulled in by {@code _include} are checked by those rules
 * only (the first gate looks at the searched type), so they show a wrongly shared rule list.
 */
@ExtendWith(RunningServer.class)
class AuthorizationRuleCacheIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void tokens_with_other_scopes_or_roles_never_share_a_rule_list(RunningServer server)
            throws Exception {
        String patient = created(server, "Patient", "{\"resourceType\":\"Patient\"}");
        String observation =
                created(
                        server,
                        "Observation",
                        "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"rule"
                                + " cache\"},\"subject\":{\"reference\":\""
                                + patient
                                + "\"}}");
        String search =
                "/fhir/Observation?_id="
                        + observation.split("/")[1]
                        + "&_include=Observation:subject";
        String run = UUID.randomUUID().toString().substring(0, 8);
        Http everything =
                server.http(token(server, "cache-all-" + run, Role.PROJECT_ADMIN, "user/*.cruds"));
        Http observationsOnly =
                server.http(
                        token(
                                server,
                                "cache-obs-" + run,
                                Role.PROJECT_ADMIN,
                                "user/Observation.rs"));
        Http auditor = server.http(token(server, "cache-aud-" + run, Role.AUDITOR, "user/*.rs"));

        // The broad token's rule list is built and kept first.
        assertThat(types(ok(everything.get(search)))).contains(observation, patient);
        // Same role, narrower scopes: the included Patient is refused.
        assertThat(observationsOnly.get(search).statusCode()).isEqualTo(403);
        // Same scopes, another role: refused at once.
        assertThat(auditor.get(search).statusCode()).isEqualTo(403);
        // And the broad token still gets its own rules, also for a new token with them.
        assertThat(types(ok(everything.get(search)))).contains(observation, patient);
        Http everythingAgain =
                server.http(token(server, "cache-all2-" + run, Role.PROJECT_ADMIN, "user/*.cruds"));
        assertThat(types(ok(everythingAgain.get(search)))).contains(observation, patient);
        assertThat(observationsOnly.get(search).statusCode()).isEqualTo(403);
    }

    private static String token(RunningServer server, String subject, Role role, String scopes) {
        return server.token(subject, Set.of(role), scopes, Optional.empty(), Set.of());
    }

    private static String created(RunningServer server, String type, String body) {
        HttpResponse<String> response = server.http().postFhir("/fhir/" + type, body);
        assertThat(response.statusCode()).isEqualTo(201);
        return response.headers()
                .firstValue("Location")
                .orElseThrow()
                .replaceAll("^.*/fhir/", "")
                .replaceAll("/_history/.*$", "");
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> types(JsonNode bundle) {
        List<String> references = new ArrayList<>();
        bundle.path("entry")
                .forEach(
                        e ->
                                references.add(
                                        e.path("resource").path("resourceType").asText()
                                                + "/"
                                                + e.path("resource").path("id").asText()));
        return references;
    }
}
