package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.Http;
import org.quorum.testing.RunningServer;

/**
 * The escalation found on main (an annotator widening their own access by writing a label or moving
 * their Task) and its variants: each is refused with 403 and an OperationOutcome naming the
 * reference, nothing is stored, and the other patient's data stays 403 afterwards, over FHIR and
 * DICOMweb. Also the other ways a clinician could look past their cases: conditional references,
 * chained and reverse-chained searches, type history, includes.
 */
@ExtendWith(RunningServer.class)
class CaseEscalationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String TASK_TYPE =
            "https://quorum.dev/fhir/CodeSystem/quorum-review-task-type";

    private static RunningServer server;
    private static String patientA;
    private static String patientB;
    private static String docA;
    private static String docB;
    private static String encounterB;
    private static String role;
    private static String otherRole;
    private static String task;
    private static String studyB;
    private static Http annotator;

    @BeforeAll
    static void twoPatientsOneAssigned(RunningServer running) throws Exception {
        server = running;
        Http admin = server.http();
        patientA = create(admin, "Patient", "{\"resourceType\":\"Patient\",\"gender\":\"female\"}");
        patientB = create(admin, "Patient", "{\"resourceType\":\"Patient\",\"gender\":\"male\"}");
        docA = create(admin, "DocumentReference", document(patientA));
        docB = create(admin, "DocumentReference", document(patientB));
        encounterB =
                create(
                        admin,
                        "Encounter",
                        "{\"resourceType\":\"Encounter\",\"status\":\"finished\",\"class\":{\"code\":\"AMB\"},"
                                + "\"subject\":{\"reference\":\""
                                + patientB
                                + "\"}}");
        role = create(admin, "PractitionerRole", "{\"resourceType\":\"PractitionerRole\"}");
        otherRole = create(admin, "PractitionerRole", "{\"resourceType\":\"PractitionerRole\"}");
        task = create(admin, "Task", task("annotate", role, docA, patientA, "ready"));
        studyB = stowStudyFor(admin, patientB);
        annotator = clinician("escalating-annotator", Role.ANNOTATOR, role);
    }

    @Test
    void the_reported_escalation_is_refused_and_nothing_is_stored() throws Exception {
        String code = "escalation-" + RUN;
        HttpResponse<String> response =
                annotator.postFhir("/fhir/Observation", label(code, patientB, docB, role, null));

        assertForbidden(response, patientB);
        assertThat(annotator.get("/fhir/" + docB).statusCode()).isEqualTo(403);
        assertThat(annotator.get("/fhir/" + patientB).statusCode()).isEqualTo(403);
        assertNoLabelWithCode(code);
    }

    @Test
    void a_label_on_the_assigned_case_is_created() {
        HttpResponse<String> response =
                annotator.postFhir(
                        "/fhir/Observation", label("own-" + RUN, patientA, docA, role, null));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    @Test
    void a_label_deriving_from_the_other_patients_note_is_refused() throws Exception {
        String code = "derived-" + RUN;
        assertForbidden(
                annotator.postFhir("/fhir/Observation", label(code, patientA, docB, role, null)),
                docB);
        assertThat(annotator.get("/fhir/" + docB).statusCode()).isEqualTo(403);
        assertNoLabelWithCode(code);
    }

    @Test
    void a_label_pointing_at_the_other_patients_encounter_is_refused() throws Exception {
        String code = "encounter-" + RUN;
        assertForbidden(
                annotator.postFhir(
                        "/fhir/Observation", label(code, patientA, docA, role, encounterB)),
                encounterB);
        assertThat(annotator.get("/fhir/" + encounterB).statusCode()).isEqualTo(403);
        assertNoLabelWithCode(code);
    }

    @Test
    void a_reference_hidden_in_an_extension_is_refused() throws Exception {
        String code = "extension-" + RUN;
        String body =
                label(code, patientA, docA, role, null)
                        .replaceFirst(
                                "\\{\"resourceType\":\"Observation\",",
                                "{\"resourceType\":\"Observation\",\"extension\":[{\"url\":"
                                        + "\"https://example.org/related\",\"valueReference\":"
                                        + "{\"reference\":\""
                                        + patientB
                                        + "\"}}],");
        assertForbidden(annotator.postFhir("/fhir/Observation", body), patientB);
        assertThat(annotator.get("/fhir/" + patientB).statusCode()).isEqualTo(403);
        assertNoLabelWithCode(code);
    }

    @Test
    void a_reference_to_a_resource_that_does_not_exist_gets_the_same_refusal() throws Exception {
        // 403, not the 400 "not found" of referential integrity: no existence oracle.
        String missing = "Patient/999999" + (System.nanoTime() % 1000);
        assertForbidden(
                annotator.postFhir(
                        "/fhir/Observation", label("missing-" + RUN, missing, docA, role, null)),
                missing);
    }

    @Test
    void a_label_naming_another_clinician_as_performer_is_refused() throws Exception {
        String code = "performer-" + RUN;
        HttpResponse<String> response =
                annotator.postFhir(
                        "/fhir/Observation", label(code, patientA, docA, otherRole, null));
        assertForbidden(response, "only performer");
        assertNoLabelWithCode(code);
    }

    @Test
    void moving_the_task_to_the_other_patients_note_is_refused() throws Exception {
        HttpResponse<String> response =
                annotator.putFhir(
                        "/fhir/" + task,
                        taskWithId(task, "annotate", role, docB, patientB, "ready"));

        assertForbidden(response, "Task.focus");
        assertThat(annotator.get("/fhir/" + docB).statusCode()).isEqualTo(403);
        assertThat(annotator.get("/fhir/" + patientB).statusCode()).isEqualTo(403);
        JsonNode stored = JSON.readTree(server.http().get("/fhir/" + task).body());
        assertThat(stored.path("focus").path("reference").asText()).isEqualTo(docA);
    }

    @Test
    void handing_the_task_to_someone_else_is_refused() throws Exception {
        HttpResponse<String> response =
                annotator.putFhir(
                        "/fhir/" + task,
                        taskWithId(task, "annotate", otherRole, docA, patientA, "ready"));

        assertForbidden(response, "Task.owner");
        JsonNode stored = JSON.readTree(server.http().get("/fhir/" + task).body());
        assertThat(stored.path("owner").path("reference").asText()).isEqualTo(role);
    }

    @Test
    void the_escalation_inside_a_transaction_refuses_the_whole_bundle() throws Exception {
        String good = "tx-good-" + RUN;
        String bad = "tx-bad-" + RUN;
        String bundle =
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                        + entry(label(good, patientA, docA, role, null))
                        + ","
                        + entry(label(bad, patientB, docB, role, null))
                        + "]}";

        HttpResponse<String> response = annotator.postFhir("/fhir", bundle);

        assertForbidden(response, patientB);
        assertNoLabelWithCode(good);
        assertNoLabelWithCode(bad);
        assertThat(annotator.get("/fhir/" + docB).statusCode()).isEqualTo(403);
    }

    @Test
    void a_label_and_its_provenance_in_one_transaction_are_accepted() throws Exception {
        String code = "tx-provenance-" + RUN;
        String labelUuid = "urn:uuid:" + UUID.randomUUID();
        String provenance =
                "{\"resourceType\":\"Provenance\",\"target\":[{\"reference\":\""
                        + labelUuid
                        + "\"}],\"recorded\":\"2026-12-04T10:00:00Z\",\"agent\":[{\"who\":"
                        + "{\"reference\":\""
                        + role
                        + "\"}}]}";
        String bundle =
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                        + "{\"fullUrl\":\""
                        + labelUuid
                        + "\",\"resource\":"
                        + label(code, patientA, docA, role, null)
                        + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}},"
                        + "{\"resource\":"
                        + provenance
                        + ",\"request\":{\"method\":\"POST\",\"url\":\"Provenance\"}}]}";

        HttpResponse<String> response = annotator.postFhir("/fhir", bundle);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode found =
                JSON.readTree(
                        server.http()
                                .get(
                                        "/fhir/Observation?code=" + code + "&_summary=count",
                                        "application/fhir+json")
                                .body());
        assertThat(found.path("total").asInt()).isEqualTo(1);
    }

    @Test
    void dicomweb_of_the_other_patient_stays_closed_after_the_attempts() throws Exception {
        annotator.postFhir("/fhir/Observation", label("dicom-" + RUN, patientB, docB, role, null));

        HttpResponse<String> wado = annotator.get("/dicomweb/studies/" + studyB, "*/*");
        assertThat(wado.statusCode()).as(wado.body()).isEqualTo(403);
        HttpResponse<String> qido =
                annotator.get(
                        "/dicomweb/studies?StudyInstanceUID=" + studyB, "application/dicom+json");
        assertThat(qido.statusCode()).isIn(200, 204);
        assertThat(qido.body()).doesNotContain(studyB);
    }

    @Test
    void a_conditional_reference_is_refused_before_it_is_resolved() throws Exception {
        String body = label("conditional-" + RUN, "Patient?gender=male", docA, role, null);
        assertForbidden(annotator.postFhir("/fhir/Observation", body), "conditional");
    }

    @Test
    void a_batch_with_a_conditional_reference_is_refused() throws Exception {
        String code = "batch-conditional-" + RUN;
        String bundle =
                "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
                        + entry(label(code, "Patient?gender=male", docA, role, null))
                        + "]}";
        assertForbidden(annotator.postFhir("/fhir", bundle), "conditional");
        assertNoLabelWithCode(code);
    }

    @Test
    void graphql_is_not_a_way_around_the_cases() throws Exception {
        HttpResponse<String> response =
                annotator.get("/fhir/$graphql?query=%7BPatientList%7Bid%7D%7D", "application/json");
        assertThat(response.statusCode()).as(response.body()).isIn(400, 403, 404);
        assertThat(response.body()).doesNotContain(patientB.split("/")[1] + "\"");
    }

    @Test
    void a_conditional_create_is_refused() throws Exception {
        HttpResponse<String> response =
                annotator.send(
                        "POST",
                        "/fhir/Observation",
                        "application/fhir+json",
                        label("if-none-" + RUN, patientA, docA, role, null),
                        "If-None-Exist",
                        "subject=" + patientB);
        assertForbidden(response, "conditional");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/fhir/DocumentReference?subject.gender=male",
                "/fhir/Patient?_has:Observation:subject:code=finding",
                "/fhir/DocumentReference?subject:Patient.gender=male",
                "/fhir/Patient/_history",
                "/fhir/Observation?_filter=subject%20eq%20Patient/1"
            })
    void searches_that_look_past_the_cases_are_refused(String path) throws Exception {
        assertForbidden(annotator.get(path, "application/fhir+json"), "");
    }

    @Test
    void an_include_of_an_unassigned_resource_is_refused_as_a_whole() throws Exception {
        // Admin writes a label by someone else on the assigned note pointing at patient B.
        create(
                server.http(),
                "Observation",
                label("include-" + RUN, patientB, docA, otherRole, null));
        HttpResponse<String> response =
                annotator.get(
                        "/fhir/DocumentReference?_id="
                                + docA.split("/")[1]
                                + "&_revinclude=Observation:derived-from",
                        "application/fhir+json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(response.body()).doesNotContain(patientB);
    }

    @Test
    void the_quality_report_of_a_project_the_user_is_not_in_is_refused() throws Exception {
        String project =
                create(
                        server.http(),
                        "ResearchStudy",
                        "{\"resourceType\":\"ResearchStudy\",\"status\":\"active\"}");
        String projectId = project.split("/")[1];
        Http outsider =
                server.http(
                        server.token(
                                "outsider-admin-" + RUN,
                                Set.of(Role.PROJECT_ADMIN),
                                "user/*.cruds",
                                Optional.empty(),
                                Set.of("another-project")));
        Http member =
                server.http(
                        server.token(
                                "member-auditor-" + RUN,
                                Set.of(Role.AUDITOR),
                                "user/*.rs",
                                Optional.empty(),
                                Set.of(projectId)));

        HttpResponse<String> report = outsider.get("/quality/report/" + projectId, "text/html");
        assertThat(report.statusCode()).as(report.body()).isEqualTo(403);
        assertThat(report.body()).contains("not a member");
        HttpResponse<String> agreement =
                outsider.get("/fhir/" + project + "/$agreement", "application/fhir+json");
        assertForbidden(agreement, "not a member");
        HttpResponse<String> clinicianReport =
                annotator.get("/quality/report/" + projectId, "text/html");
        assertThat(clinicianReport.statusCode()).isEqualTo(403);
        HttpResponse<String> memberReport = member.get("/quality/report/" + projectId, "text/html");
        assertThat(memberReport.statusCode()).as(memberReport.body()).isEqualTo(200);
        assertThat(memberReport.body()).contains("<html");
    }

    // --- helpers

    static void assertForbidden(HttpResponse<String> response, String named) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        JsonNode outcome = JSON.readTree(response.body());
        assertThat(outcome.path("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(outcome.path("issue").get(0).path("diagnostics").asText()).contains(named);
    }

    private static void assertNoLabelWithCode(String code) throws Exception {
        HttpResponse<String> found =
                server.http()
                        .get(
                                "/fhir/Observation?code=" + code + "&_summary=count",
                                "application/fhir+json");
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(found.body()).path("total").asInt()).isZero();
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

    static String create(Http http, String type, String body) {
        HttpResponse<String> response = http.postFhir("/fhir/" + type, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return response.headers()
                .firstValue("Location")
                .orElseThrow()
                .replaceAll("^.*/fhir/", "")
                .replaceAll("/_history/.*$", "");
    }

    static String document(String patient) {
        return "{\"resourceType\":\"DocumentReference\",\"status\":\"current\",\"subject\":{\"reference\":\""
                + patient
                + "\"},\"content\":[{\"attachment\":{\"contentType\":\"text/plain\",\"data\":\"Tm90ZQ==\"}}]}";
    }

    static String task(String stage, String owner, String focus, String patient, String status) {
        return "{\"resourceType\":\"Task\",\"status\":\""
                + status
                + "\",\"intent\":\"order\",\"code\":{\"coding\":[{\"system\":\""
                + TASK_TYPE
                + "\",\"code\":\""
                + stage
                + "\"}]},\"owner\":{\"reference\":\""
                + owner
                + "\"},\"focus\":{\"reference\":\""
                + focus
                + "\"},\"for\":{\"reference\":\""
                + patient
                + "\"}}";
    }

    static String taskWithId(
            String id, String stage, String owner, String focus, String patient, String status) {
        return task(stage, owner, focus, patient, status)
                .replace(
                        "{\"resourceType\":\"Task\",",
                        "{\"resourceType\":\"Task\",\"id\":\"" + id.split("/")[1] + "\",");
    }

    static String label(
            String code, String subject, String source, String performer, String encounter) {
        return "{\"resourceType\":\"Observation\",\"status\":\"preliminary\",\"code\":{\"coding\":"
                + "[{\"system\":\"urn:quorum:test\",\"code\":\""
                + code
                + "\"}]},\"subject\":{\"reference\":\""
                + subject
                + "\"},"
                + (encounter == null ? "" : "\"encounter\":{\"reference\":\"" + encounter + "\"},")
                + "\"performer\":[{\"reference\":\""
                + performer
                + "\"}],\"derivedFrom\":[{\"reference\":\""
                + source
                + "\"}]}";
    }

    private static String entry(String resource) {
        return "{\"resource\":"
                + resource
                + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}";
    }

    /** A CT image STOWed as the other patient's study, mirrored as an ImagingStudy of B. */
    private static String stowStudyFor(Http admin, String patient) throws Exception {
        String study = DicomFiles.newUid();
        byte[] file =
                DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        java.util.Map.of(
                                "StudyInstanceUID",
                                study,
                                "SeriesInstanceUID",
                                DicomFiles.newUid(),
                                "SOPInstanceUID",
                                DicomFiles.newUid(),
                                "PatientID",
                                "escalation-" + RUN));
        HttpResponse<String> response =
                admin.post(
                        "/dicomweb/studies",
                        "multipart/related; type=\"application/dicom\"; boundary=m",
                        DicomFiles.multipart("m", file));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return study;
    }
}
