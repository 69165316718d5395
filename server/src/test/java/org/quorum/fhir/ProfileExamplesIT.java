package org.quorum.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.quorum.testing.Examples;
import org.quorum.testing.RunningServer;

/**
 * Every file in {@code fhir-profiles/examples/valid} is stored; every file in {@code
 * examples/invalid} is refused with 422 and an OperationOutcome naming the failing element, and
 * nothing of it is stored.
 */
@ExtendWith(RunningServer.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProfileExamplesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void storeReferencedResources(RunningServer server) {
        HttpResponse<String> response =
                server.http()
                        .postFhir("/fhir", Examples.read("fixtures/referenced-resources.json"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    static Stream<Path> validExamples() {
        // Labels before the review task that focuses one of them.
        return Examples.jsonFiles("valid")
                .sorted(
                        (a, b) ->
                                Boolean.compare(
                                        a.toString().contains("task"),
                                        b.toString().contains("task")));
    }

    static Stream<Path> invalidExamples() {
        return Examples.jsonFiles("invalid");
    }

    @Order(1) // the invalid review tasks focus a label stored here
    @ParameterizedTest
    @MethodSource("validExamples")
    void valid_example_is_stored(Path example, RunningServer server) throws Exception {
        JsonNode resource = JSON.readTree(example.toFile());
        String path =
                "/fhir/"
                        + resource.get("resourceType").asText()
                        + "/"
                        + resource.get("id").asText();
        HttpResponse<String> response = server.http().putFhir(path, resource.toString());
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        assertThat(server.http().get(path).statusCode()).isEqualTo(200);
    }

    @Order(2)
    @ParameterizedTest
    @MethodSource("invalidExamples")
    void invalid_example_is_refused_with_422_naming_the_element_and_not_stored(
            Path example, RunningServer server) throws Exception {
        JsonNode expected =
                JSON.readTree(Examples.ROOT.resolve("invalid/expected-elements.json").toFile());
        String element = expected.path(example.getFileName().toString()).asText(null);
        assertThat(element).as("expected-elements.json names " + example.getFileName()).isNotNull();
        JsonNode resource = JSON.readTree(example.toFile());
        String path =
                "/fhir/"
                        + resource.get("resourceType").asText()
                        + "/"
                        + resource.get("id").asText();

        HttpResponse<String> response = server.http().putFhir(path, resource.toString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode outcome = JSON.readTree(response.body());
        assertThat(outcome.path("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(outcome.path("issue"))
                .anySatisfy(issue -> assertThat(issue.path("severity").asText()).isEqualTo("error"))
                .anySatisfy(
                        issue ->
                                assertThat(
                                                issue.path("diagnostics").asText()
                                                        + " "
                                                        + issue.path("location"))
                                        .contains(element));
        assertThat(response.body()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(server.http().get(path).statusCode()).isEqualTo(404);
    }
}
