package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quorum.security.CaseEscalationIT.create;
import static org.quorum.security.CaseEscalationIT.document;
import static org.quorum.security.CaseEscalationIT.label;
import static org.quorum.security.CaseEscalationIT.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.testing.Http;
import org.quorum.testing.RunningServer;

/**
 * The three clinical roles, each cell of docs/security.md's "Clinical roles" table over HTTP:
 * (create label, set status final, amend another's label, update Task status, read unassigned) ×
 * (annotator, reviewer, adjudicator), with the status and the OperationOutcome of each answer.
 */
@ExtendWith(RunningServer.class)
class ClinicalRoleMatrixIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static RunningServer server;
    private static String patient;
    private static String doc;
    private static String unassignedDoc;
    private static String annotatorRole;
    private static String reviewerRole;
    private static String adjudicatorRole;
    private static String annotateTask;
    private static String reviewTask;
    private static String adjudicateTask;
    private static String reviewedLabel;
    private static String adjudicatedLabel;
    private static String ownLabel;
    private static Http annotator;
    private static Http reviewer;
    private static Http adjudicator;

    @BeforeAll
    static void oneCaseThroughThreeStages(RunningServer running) {
        server = running;
        Http admin = server.http();
        patient = create(admin, "Patient", "{\"resourceType\":\"Patient\"}");
        String other = create(admin, "Patient", "{\"resourceType\":\"Patient\"}");
        doc = create(admin, "DocumentReference", document(patient));
        unassignedDoc = create(admin, "DocumentReference", document(other));
        annotatorRole =
                create(admin, "PractitionerRole", "{\"resourceType\":\"PractitionerRole\"}");
        reviewerRole = create(admin, "PractitionerRole", "{\"resourceType\":\"PractitionerRole\"}");
        adjudicatorRole =
                create(admin, "PractitionerRole", "{\"resourceType\":\"PractitionerRole\"}");
        annotateTask =
                create(admin, "Task", task("annotate", annotatorRole, doc, patient, "ready"));
        annotator = clinician("matrix-annotator", Role.ANNOTATOR, annotatorRole);
        reviewer = clinician("matrix-reviewer", Role.REVIEWER, reviewerRole);
        adjudicator = clinician("matrix-adjudicator", Role.ADJUDICATOR, adjudicatorRole);

        reviewedLabel =
                create(
                        annotator,
                        "Observation",
                        label("reviewed-" + RUN, patient, doc, annotatorRole, null));
        adjudicatedLabel =
                create(
                        annotator,
                        "Observation",
                        label("adjudicated-" + RUN, patient, doc, annotatorRole, null));
        ownLabel =
                create(
                        annotator,
                        "Observation",
                        label("own-" + RUN, patient, doc, annotatorRole, null));
        reviewTask =
                create(
                        admin,
                        "Task",
                        task("review", reviewerRole, reviewedLabel, patient, "ready"));
        adjudicateTask =
                create(
                        admin,
                        "Task",
                        task("adjudicate", adjudicatorRole, doc, patient, "ready")
                                .replaceFirst(
                                        "\\}$",
                                        ",\"input\":[{\"type\":{\"text\":\"label\"},"
                                                + "\"valueReference\":{\"reference\":\""
                                                + adjudicatedLabel
                                                + "\"}}]}"));
    }

    @Test
    void annotator_labels_drafts_moves_own_task_and_decides_nothing() throws Exception {
        assertStatus(
                "create label",
                annotator.postFhir(
                        "/fhir/Observation",
                        label("a-new-" + RUN, patient, doc, annotatorRole, null)),
                201);
        assertStatus(
                "create a final label",
                annotator.postFhir(
                        "/fhir/Observation",
                        label("a-final-" + RUN, patient, doc, annotatorRole, null)
                                .replace("\"preliminary\"", "\"final\"")),
                403);
        assertStatus("set own label final", withStatus(annotator, ownLabel, "final"), 403);
        assertStatus("amend a label", withStatus(annotator, ownLabel, "amended"), 403);
        assertStatus(
                "update own Task status", taskStatus(annotator, annotateTask, "in-progress"), 200);
        assertStatus("cancel own Task", taskStatus(annotator, annotateTask, "cancelled"), 403);
        assertStatus("read unassigned", annotator.get("/fhir/" + unassignedDoc), 403);
    }

    @Test
    void reviewer_decides_on_the_labels_of_their_review_task_only() throws Exception {
        assertStatus(
                "create label",
                reviewer.postFhir(
                        "/fhir/Observation",
                        label("r-new-" + RUN, patient, doc, reviewerRole, null)),
                201);
        assertStatus(
                "create a final label",
                reviewer.postFhir(
                        "/fhir/Observation",
                        label("r-final-" + RUN, patient, doc, reviewerRole, null)
                                .replace("\"preliminary\"", "\"final\"")),
                403);
        assertStatus(
                "set a label outside the review final",
                withStatus(reviewer, ownLabel, "final"),
                403);
        assertStatus(
                "set the reviewed label final", withStatus(reviewer, reviewedLabel, "final"), 200);
        assertStatus("amend another's label", withStatus(reviewer, reviewedLabel, "amended"), 200);
        assertStatus(
                "update own Task status", taskStatus(reviewer, reviewTask, "in-progress"), 200);
        assertStatus(
                "change own Task's code",
                update(reviewer, reviewTask, task -> codeOf(task).put("code", "adjudicate")),
                403);
        assertStatus("read unassigned", reviewer.get("/fhir/" + unassignedDoc), 403);
    }

    @Test
    void adjudicator_decides_on_the_labels_their_adjudication_covers() throws Exception {
        assertStatus(
                "create label",
                adjudicator.postFhir(
                        "/fhir/Observation",
                        label("j-new-" + RUN, patient, doc, adjudicatorRole, null)),
                201);
        assertStatus(
                "create a final label",
                adjudicator.postFhir(
                        "/fhir/Observation",
                        label("j-final-" + RUN, patient, doc, adjudicatorRole, null)
                                .replace("\"preliminary\"", "\"final\"")),
                403);
        assertStatus(
                "set the adjudicated label final",
                withStatus(adjudicator, adjudicatedLabel, "final"),
                200);
        assertStatus(
                "amend another's label",
                withStatus(adjudicator, adjudicatedLabel, "corrected"),
                200);
        assertStatus(
                "update own Task status",
                taskStatus(adjudicator, adjudicateTask, "in-progress"),
                200);
        assertStatus(
                "hand own Task to someone else",
                update(
                        adjudicator,
                        adjudicateTask,
                        task -> ((ObjectNode) task.path("owner")).put("reference", reviewerRole)),
                403);
        assertStatus("read unassigned", adjudicator.get("/fhir/" + unassignedDoc), 403);
    }

    @Test
    void nobody_reaches_a_case_through_another_roles_task() throws Exception {
        // The reviewer's review Task covers the reviewed label, not the adjudicator's.
        assertStatus(
                "reviewer reads the adjudicate Task", reviewer.get("/fhir/" + adjudicateTask), 403);
        assertStatus(
                "adjudicator reads the review Task", adjudicator.get("/fhir/" + reviewTask), 403);
        assertStatus(
                "annotator deletes own label",
                annotator.send("DELETE", "/fhir/" + ownLabel, "application/fhir+json", ""),
                403);
    }

    // --- helpers

    private static void assertStatus(String cell, HttpResponse<String> response, int expected)
            throws Exception {
        assertThat(response.statusCode()).as(cell + ": " + response.body()).isEqualTo(expected);
        JsonNode body = JSON.readTree(response.body());
        if (expected >= 400) {
            assertThat(body.path("resourceType").asText()).as(cell).isEqualTo("OperationOutcome");
            assertThat(body.path("issue").get(0).path("diagnostics").asText())
                    .as(cell)
                    .contains("Access denied");
        } else if (expected == 201 || expected == 200) {
            assertThat(body.path("resourceType").asText()).as(cell).isIn("Observation", "Task");
        }
    }

    private static HttpResponse<String> withStatus(Http http, String label, String status)
            throws Exception {
        return update(http, label, resource -> resource.put("status", status));
    }

    private static HttpResponse<String> taskStatus(Http http, String task, String status)
            throws Exception {
        return update(http, task, resource -> resource.put("status", status));
    }

    private static ObjectNode codeOf(ObjectNode task) {
        return (ObjectNode) ((ArrayNode) task.path("code").path("coding")).get(0);
    }

    /** Reads the current version (as admin) and PUTs it back changed, as {@code http}. */
    private static HttpResponse<String> update(
            Http http, String reference, java.util.function.Consumer<ObjectNode> change)
            throws Exception {
        ObjectNode resource =
                (ObjectNode)
                        JSON.readTree(
                                server.http()
                                        .get("/fhir/" + reference, "application/fhir+json")
                                        .body());
        resource.remove("meta");
        change.accept(resource);
        return http.putFhir("/fhir/" + reference, JSON.writeValueAsString(resource));
    }

    private static Http clinician(String name, Role role, String fhirUser) {
        return server.http(
                server.token(
                        name + "-" + RUN,
                        Set.of(role),
                        "user/*.cruds",
                        Optional.of(fhirUser),
                        Set.of()));
    }
}
