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
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quorum.testing.Http;
import org.quorum.testing.RunningServer;

/**
 * Role × endpoint × operation → status, with every request of the matrix leaving an AuditEvent with
 * the right outcome; bad tokens → 401; annotators see only their assigned cases.
 */
@ExtendWith(RunningServer.class)
class AccessMatrixIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static RunningServer server;
    private static String patientA;
    private static String patientB;
    private static String docA;
    private static String docB;
    private static String roleA;
    private static String taskA;
    private static String taskB;
    private static String project;

    /**
     * A DICOM study assigned to A (a Task of A focuses on its ImagingStudy), and one that is not.
     */
    private static String studyA;

    private static String studyB;

    /** The clinician whose only case is study A (A's own cases stay as the FHIR rows expect). */
    private static String roleC;

    /** Subject of each matrix row's token → expected status, checked against the audit trail. */
    private static final List<String[]> AUDITED = new ArrayList<>();

    @BeforeAll
    static void createTwoAssignedCases(RunningServer running) throws Exception {
        server = running;
        Http admin = server.http();
        project =
                create(
                        admin,
                        "ResearchStudy",
                        "{\"resourceType\":\"ResearchStudy\",\"status\":\"active\"}");
        patientA = create(admin, "Patient", "{\"resourceType\":\"Patient\",\"gender\":\"female\"}");
        patientB = create(admin, "Patient", "{\"resourceType\":\"Patient\",\"gender\":\"male\"}");
        docA = create(admin, "DocumentReference", document(patientA));
        docB = create(admin, "DocumentReference", document(patientB));
        roleA = create(admin, "PractitionerRole", "{\"resourceType\":\"PractitionerRole\"}");
        String roleB = create(admin, "PractitionerRole", "{\"resourceType\":\"PractitionerRole\"}");
        taskA = create(admin, "Task", task(roleA, docA, patientA));
        taskB = create(admin, "Task", task(roleB, docB, patientB));
        studyA = stowStudy(admin);
        studyB = stowStudy(admin);
        roleC = create(admin, "PractitionerRole", "{\"resourceType\":\"PractitionerRole\"}");
        create(admin, "Task", task(roleC, imagingStudyOf(admin, studyA), patientA));
    }

    /** Stores a fresh copy of a CT image through STOW-RS; returns its Study Instance UID. */
    private static String stowStudy(Http admin) throws Exception {
        String study = org.quorum.testing.DicomFiles.newUid();
        byte[] file =
                org.quorum.testing.DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        java.util.Map.of(
                                "StudyInstanceUID", study,
                                "SeriesInstanceUID", org.quorum.testing.DicomFiles.newUid(),
                                "SOPInstanceUID", org.quorum.testing.DicomFiles.newUid()));
        var response =
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                server.baseUrl().resolve("/dicomweb/studies"))
                                        .header("Authorization", "Bearer " + server.adminToken())
                                        .header(
                                                "Content-Type",
                                                "multipart/related; type=\"application/dicom\"; boundary=m")
                                        .POST(
                                                java.net.http.HttpRequest.BodyPublishers
                                                        .ofByteArray(
                                                                org.quorum.testing.DicomFiles
                                                                        .multipart("m", file)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return study;
    }

    private static String imagingStudyOf(Http admin, String study) throws Exception {
        HttpResponse<String> found =
                admin.get(
                        "/fhir/"
                                + org.quorum.dicom.fhir.ImagingStudyMirror.searchUrl(study)
                                        .replace("|", "%7C"),
                        "application/fhir+json");
        JsonNode bundle = JSON.readTree(found.body());
        return "ImagingStudy/" + bundle.path("entry").get(0).path("resource").path("id").asText();
    }

    private static String document(String patient) {
        return "{\"resourceType\":\"DocumentReference\",\"status\":\"current\",\"subject\":{\"reference\":\""
                + patient
                + "\"},\"content\":[{\"attachment\":{\"contentType\":\"text/plain\",\"data\":\"Tm90ZQ==\"}}]}";
    }

    private static String task(String owner, String focus, String patient) {
        return "{\"resourceType\":\"Task\",\"status\":\"ready\",\"intent\":\"order\","
                + "\"code\":{\"coding\":[{\"system\":\"https://quorum.dev/fhir/CodeSystem/"
                + "quorum-review-task-type\",\"code\":\"review\"}]},\"owner\":{\"reference\":\""
                + owner
                + "\"},\"focus\":{\"reference\":\""
                + focus
                + "\"},\"for\":{\"reference\":\""
                + patient
                + "\"}}";
    }

    private static String label(String source, String patient, String performer) {
        return "{\"resourceType\":\"Observation\",\"status\":\"preliminary\",\"code\":{\"text\":\"finding\"},"
                + "\"subject\":{\"reference\":\""
                + patient
                + "\"},\"performer\":[{\"reference\":\""
                + performer
                + "\"}],\"derivedFrom\":[{\"reference\":\""
                + source
                + "\"}]}";
    }

    /** A small identified Bundle for the {@code $deidentify} rows. */
    private static final String DEID_BUNDLE =
            "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":"
                    + "{\"resourceType\":\"Patient\",\"id\":\"matrix-p1\",\"identifier\":[{\"type\":"
                    + "{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v2-0203\","
                    + "\"code\":\"MR\"}]},\"value\":\"MRN-55501\"}],\"name\":[{\"family\":\"Okafor\","
                    + "\"given\":[\"Adaeze\"]}],\"birthDate\":\"1961-04-12\"}}]}";

    private static String create(Http http, String type, String body) {
        HttpResponse<String> response = http.postFhir("/fhir/" + type, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return response.headers()
                .firstValue("Location")
                .orElseThrow()
                .replaceAll("^.*/fhir/", "")
                .replaceAll("/_history/.*$", "");
    }

    /** A token for one matrix row: its subject names the row in the audit trail. */
    private static String token(
            String who, Set<Role> roles, String scopes, Optional<String> fhirUser) {
        return server.token(who, roles, scopes, fhirUser, Set.of());
    }

    enum Who {
        ADMIN(Set.of(Role.PROJECT_ADMIN), "user/*.cruds", false),
        INTEGRATION(Set.of(Role.INTEGRATION), "user/*.cruds", false),
        ANNOTATOR_A(Set.of(Role.ANNOTATOR), "user/*.cruds", true),
        REVIEWER_A(Set.of(Role.REVIEWER), "user/*.rs user/Task.u", true),
        ANNOTATOR_NARROW_SCOPE(Set.of(Role.ANNOTATOR), "user/Observation.rs", true),
        AUDITOR(Set.of(Role.AUDITOR), "user/*.rs", false),
        DEID_ADMIN(Set.of(Role.DEID_ADMIN), "user/*.cruds", false),
        ANNOTATOR_C(Set.of(Role.ANNOTATOR), "user/*.cruds", true),
        REVIEWER_C(Set.of(Role.REVIEWER), "user/*.rs user/Task.u", true),
        ANNOTATOR_C_NARROW_SCOPE(Set.of(Role.ANNOTATOR), "user/Observation.rs", true);

        final Set<Role> roles;
        final String scopes;
        final boolean caseBound;

        Who(Set<Role> roles, String scopes, boolean caseBound) {
            this.roles = roles;
            this.scopes = scopes;
            this.caseBound = caseBound;
        }
    }

    /** One request of the matrix; {@code {A}} etc. are replaced by the resources made above. */
    record Row(Who who, String method, String path, String body, int expected) {
        @Override
        public String toString() {
            return who + " " + method + " " + path + " -> " + expected;
        }
    }

    static Stream<Arguments> matrix() {
        String label = "{LABEL_A}";
        return Stream.of(
                        // project admin: everything but the audit trail
                        new Row(Who.ADMIN, "GET", "/fhir/{patientA}", null, 200),
                        new Row(
                                Who.ADMIN,
                                "GET",
                                "/fhir/DocumentReference?subject={patientB}",
                                null,
                                200),
                        new Row(
                                Who.ADMIN,
                                "POST",
                                "/fhir/Patient",
                                "{\"resourceType\":\"Patient\"}",
                                201),
                        new Row(Who.ADMIN, "PUT", "/fhir/{patientA}", "{PATIENT_A_BODY}", 200),
                        new Row(Who.ADMIN, "DELETE", "/fhir/{TEMP_DOC}", null, 200),
                        new Row(
                                Who.ADMIN,
                                "POST",
                                "/fhir/Observation/$validate",
                                "{LABEL_A_OWN}",
                                200),
                        new Row(Who.ADMIN, "GET", "/fhir/AuditEvent", null, 403),
                        new Row(Who.ADMIN, "GET", "/fhir/{patientA}/$everything", null, 200),
                        // $deidentify is a pseudonym oracle: not for readers of stored data
                        new Row(Who.ADMIN, "POST", "/fhir/$deidentify", "{DEID_BUNDLE}", 403),
                        // integration: ingest and write-back, no deletes, no audit
                        new Row(
                                Who.INTEGRATION,
                                "POST",
                                "/fhir/Patient",
                                "{\"resourceType\":\"Patient\"}",
                                201),
                        new Row(Who.INTEGRATION, "GET", "/fhir/{docB}", null, 200),
                        new Row(Who.INTEGRATION, "DELETE", "/fhir/{patientB}", null, 403),
                        new Row(Who.INTEGRATION, "GET", "/fhir/AuditEvent", null, 403),
                        new Row(Who.INTEGRATION, "GET", "/fhir/{patientA}/$everything", null, 403),
                        new Row(Who.INTEGRATION, "POST", "/fhir/$deidentify", "{DEID_BUNDLE}", 200),
                        // annotator A: only the case assigned to A
                        new Row(Who.ANNOTATOR_A, "GET", "/fhir/{docA}", null, 200),
                        new Row(Who.ANNOTATOR_A, "GET", "/fhir/{patientA}", null, 200),
                        new Row(Who.ANNOTATOR_A, "GET", "/fhir/{taskA}", null, 200),
                        new Row(Who.ANNOTATOR_A, "GET", "/fhir/{docB}", null, 403),
                        new Row(Who.ANNOTATOR_A, "GET", "/fhir/{patientB}", null, 403),
                        new Row(
                                Who.ANNOTATOR_A,
                                "GET",
                                "/fhir/DocumentReference/does-not-exist",
                                null,
                                403),
                        new Row(Who.ANNOTATOR_A, "GET", "/fhir/DocumentReference", null, 200),
                        new Row(Who.ANNOTATOR_A, "POST", "/fhir/Observation", label, 201),
                        new Row(
                                Who.ANNOTATOR_A,
                                "POST",
                                "/fhir/Patient",
                                "{\"resourceType\":\"Patient\"}",
                                403),
                        new Row(Who.ANNOTATOR_A, "PUT", "/fhir/{taskB}", "{TASK_B_BODY}", 403),
                        new Row(Who.ANNOTATOR_A, "DELETE", "/fhir/{taskA}", null, 403),
                        new Row(Who.ANNOTATOR_A, "GET", "/fhir/AuditEvent", null, 403),
                        new Row(Who.ANNOTATOR_A, "GET", "/fhir/{patientA}/$everything", null, 403),
                        new Row(Who.ANNOTATOR_A, "POST", "/fhir/$deidentify", "{DEID_BUNDLE}", 403),
                        // reviewer A: reads the case, moves its task on
                        new Row(Who.REVIEWER_A, "GET", "/fhir/{docA}", null, 200),
                        new Row(Who.REVIEWER_A, "PUT", "/fhir/{taskA}", "{TASK_A_BODY}", 200),
                        new Row(Who.REVIEWER_A, "POST", "/fhir/Observation", label, 403),
                        // scopes narrow roles: this annotator's token only reads labels
                        new Row(Who.ANNOTATOR_NARROW_SCOPE, "GET", "/fhir/{docA}", null, 403),
                        // auditor: the trail, not the content
                        new Row(Who.AUDITOR, "GET", "/fhir/AuditEvent?_count=1", null, 200),
                        new Row(Who.AUDITOR, "GET", "/fhir/Provenance", null, 200),
                        new Row(Who.AUDITOR, "GET", "/fhir/{docA}", null, 403),
                        new Row(Who.AUDITOR, "GET", "/fhir/DocumentReference", null, 403),
                        new Row(Who.AUDITOR, "GET", "/metrics", null, 200),
                        new Row(Who.AUDITOR, "POST", "/fhir/$deidentify", "{DEID_BUNDLE}", 403),
                        // deid-admin: de-identifies what it is given, sees no stored content
                        new Row(Who.DEID_ADMIN, "GET", "/fhir/{patientA}", null, 403),
                        new Row(Who.DEID_ADMIN, "GET", "/fhir/DocumentReference", null, 403),
                        new Row(Who.DEID_ADMIN, "GET", "/fhir/{patientA}/$everything", null, 403),
                        new Row(
                                Who.DEID_ADMIN,
                                "POST",
                                "/fhir/Patient",
                                "{\"resourceType\":\"Patient\"}",
                                403),
                        new Row(Who.DEID_ADMIN, "POST", "/fhir/$deidentify", "{DEID_BUNDLE}", 200),
                        new Row(Who.DEID_ADMIN, "GET", "/metrics", null, 403),
                        // DICOMweb: images are clinical (ImagingStudy); STOW create, QIDO search,
                        // WADO read
                        new Row(Who.ADMIN, "GET", "/dicomweb/studies/{studyB}/metadata", null, 200),
                        new Row(Who.ADMIN, "GET", "/dicomweb/studies?limit=1", null, 200),
                        new Row(Who.INTEGRATION, "GET", "/dicomweb/studies/{studyB}", null, 200),
                        new Row(Who.INTEGRATION, "GET", "/dicomweb/series?limit=1", null, 200),
                        new Row(Who.ANNOTATOR_C, "GET", "/dicomweb/studies/{studyA}", null, 200),
                        new Row(
                                Who.ANNOTATOR_C,
                                "GET",
                                "/dicomweb/studies/{studyA}/metadata",
                                null,
                                200),
                        new Row(Who.ANNOTATOR_C, "GET", "/dicomweb/studies/{studyB}", null, 403),
                        new Row(
                                Who.ANNOTATOR_C,
                                "GET",
                                "/dicomweb/studies/{studyB}/metadata",
                                null,
                                403),
                        new Row(Who.ANNOTATOR_C, "GET", "/dicomweb/studies", null, 200),
                        new Row(Who.ANNOTATOR_C, "POST", "/dicomweb/studies", "", 403),
                        new Row(
                                Who.REVIEWER_C,
                                "GET",
                                "/dicomweb/studies/{studyA}/metadata",
                                null,
                                200),
                        new Row(
                                Who.ANNOTATOR_C_NARROW_SCOPE,
                                "GET",
                                "/dicomweb/studies/{studyA}",
                                null,
                                403),
                        // A's cases are documents: A's token does not reach C's study
                        new Row(Who.ANNOTATOR_A, "GET", "/dicomweb/studies/{studyA}", null, 403),
                        new Row(Who.AUDITOR, "GET", "/dicomweb/studies", null, 403),
                        new Row(Who.DEID_ADMIN, "GET", "/dicomweb/studies", null, 403))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void role_endpoint_operation_gets_the_expected_status(Row row) throws Exception {
        String subject = "matrix-" + RUN + "-" + AUDITED.size();
        Optional<String> fhirUser =
                row.who().caseBound
                        ? Optional.of(row.who().name().contains("_C") ? roleC : roleA)
                        : Optional.empty();
        Http http = server.http(token(subject, row.who().roles, row.who().scopes, fhirUser));
        String path = substitute(row.path());
        String body = row.body() == null ? null : substitute(row.body());

        String accept = path.startsWith("/dicomweb") ? "*/*" : "application/fhir+json";
        HttpResponse<String> response =
                body == null
                        ? (row.method().equals("GET")
                                ? http.get(path, accept)
                                : http.send(row.method(), path, "application/fhir+json", ""))
                        : http.send(row.method(), path, "application/fhir+json", body);

        assertThat(response.statusCode())
                .as(row + ": " + response.body())
                .isEqualTo(row.expected());
        if (row.expected() == 403) {
            JsonNode outcome = JSON.readTree(response.body());
            assertThat(outcome.path("resourceType").asText()).isEqualTo("OperationOutcome");
            assertThat(response.body()).doesNotContain("HAPI-0334").doesNotContain("not found");
        }
        AUDITED.add(new String[] {subject, Integer.toString(row.expected())});
    }

    private static String substitute(String text) {
        if (text.contains("{TEMP_DOC}")) {
            text =
                    text.replace(
                            "{TEMP_DOC}",
                            create(server.http(), "DocumentReference", document(patientA)));
        }
        return text.replace("{patientA}", patientA)
                .replace("{patientB}", patientB)
                .replace("{docA}", docA)
                .replace("{docB}", docB)
                .replace("{taskA}", taskA)
                .replace("{taskB}", taskB)
                .replace("{studyA}", studyA)
                .replace("{studyB}", studyB)
                .replace("{projectId}", project.replace("ResearchStudy/", ""))
                .replace(
                        "{PATIENT_A_BODY}",
                        "{\"resourceType\":\"Patient\",\"id\":\""
                                + patientA.split("/")[1]
                                + "\",\"gender\":\"female\",\"active\":true}")
                .replace("{TASK_A_BODY}", taskBody(taskA, roleA, docA, patientA))
                .replace("{TASK_B_BODY}", taskBody(taskB, roleA, docB, patientB))
                .replace("{LABEL_A_OWN}", label(docA, patientA, roleA))
                .replace("{LABEL_A}", label(docA, patientA, roleA))
                .replace("{DEID_BUNDLE}", DEID_BUNDLE);
    }

    private static String taskBody(String id, String owner, String focus, String patient) {
        return task(owner, focus, patient)
                .replace(
                        "{\"resourceType\":\"Task\",",
                        "{\"resourceType\":\"Task\",\"id\":\"" + id.split("/")[1] + "\",")
                .replace("\"ready\"", "\"in-progress\"");
    }

    @Test
    void annotator_search_returns_only_assigned_cases_and_counts_nothing_else() throws Exception {
        Http annotator =
                server.http(
                        token(
                                "annotator-search-" + RUN,
                                Set.of(Role.ANNOTATOR),
                                "user/*.cruds",
                                Optional.of(roleA)));

        JsonNode documents = ok(annotator.get("/fhir/DocumentReference", "application/fhir+json"));
        JsonNode patients =
                ok(annotator.get("/fhir/Patient?_summary=count", "application/fhir+json"));
        JsonNode notB =
                ok(
                        annotator.get(
                                "/fhir/DocumentReference?subject=" + patientB + "&_summary=count",
                                "application/fhir+json"));
        JsonNode studies =
                ok(annotator.get("/fhir/ImagingStudy?_summary=count", "application/fhir+json"));

        List<String> ids = new ArrayList<>();
        documents
                .path("entry")
                .forEach(
                        e ->
                                ids.add(
                                        "DocumentReference/"
                                                + e.path("resource").path("id").asText()));
        assertThat(ids).containsExactly(docA);
        assertThat(patients.path("total").asInt()).isEqualTo(1);
        assertThat(notB.path("total").asInt()).isZero();
        assertThat(studies.path("total").asInt()).isZero();
    }

    @Test
    void annotator_b_cannot_read_or_find_annotator_a_cases() throws Exception {
        String roleB = taskBOwner();
        Http annotatorB =
                server.http(
                        token(
                                "annotator-b-" + RUN,
                                Set.of(Role.ANNOTATOR),
                                "user/*.cruds",
                                Optional.of(roleB)));

        assertThat(annotatorB.get("/fhir/" + docA).statusCode()).isEqualTo(403);
        assertThat(annotatorB.get("/fhir/" + taskA).statusCode()).isEqualTo(403);
        // A search naming an unassigned id is refused like a read of it: 403 whether it exists
        // or not.
        HttpResponse<String> byId =
                annotatorB.get(
                        "/fhir/DocumentReference?_id=" + docA.split("/")[1],
                        "application/fhir+json");
        assertThat(byId.statusCode()).as(byId.body()).isEqualTo(403);
        assertThat(byId.body()).contains("OperationOutcome").doesNotContain(docA);
        JsonNode tasks = ok(annotatorB.get("/fhir/Task", "application/fhir+json"));
        assertThat(tasks.path("entry").size()).isEqualTo(1);
        assertThat(tasks.path("entry"))
                .allSatisfy(
                        e ->
                                assertThat("Task/" + e.path("resource").path("id").asText())
                                        .isEqualTo(taskB));
    }

    /** The body of a 200 answer, failing on any other status (an error is not an empty result). */
    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String taskBOwner() throws Exception {
        JsonNode task =
                JSON.readTree(server.http().get("/fhir/" + taskB, "application/fhir+json").body());
        return task.path("owner").path("reference").asText();
    }

    static Stream<Arguments> badTokens() throws Exception {
        SigningKeys keys = SigningKeys.loadOrCreate(server.securityStore());
        String issuer =
                server.baseUrl().toString().replaceAll("/+$", "").replace("localhost", "127.0.0.1");
        String audience = issuer + "/fhir";
        TokenIssuer.Grant grant =
                new TokenIssuer.Grant(
                        "bad-" + RUN,
                        "quorum-tests",
                        Set.of(Role.PROJECT_ADMIN),
                        Set.of(),
                        ScopeSet.parse("user/*.cruds"),
                        Optional.empty());
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(3)), ZoneOffset.UTC);
        Clock future = Clock.fixed(Instant.now().plus(Duration.ofHours(3)), ZoneOffset.UTC);
        String expired =
                new TokenIssuer(keys, issuer, audience, past)
                        .issue(grant, Duration.ofMinutes(10))
                        .accessToken();
        String notYetValid =
                new TokenIssuer(keys, issuer, audience, future)
                        .issue(grant, Duration.ofMinutes(10))
                        .accessToken();
        String wrongIssuer =
                new TokenIssuer(keys, "https://evil.test", audience, Clock.systemUTC())
                        .issue(grant, Duration.ofMinutes(10))
                        .accessToken();
        String wrongAudience =
                new TokenIssuer(keys, issuer, "https://other.test/fhir", Clock.systemUTC())
                        .issue(grant, Duration.ofMinutes(10))
                        .accessToken();
        String valid = server.adminToken();
        String[] parts = valid.split("\\.");
        ECKey otherKey = new ECKeyGenerator(Curve.P_256).keyID(keys.currentKeyId()).generate();
        SignedJWT forged =
                new SignedJWT(
                        new JWSHeader.Builder(JWSAlgorithm.ES256)
                                .keyID(keys.currentKeyId())
                                .type(new JOSEObjectType("at+jwt"))
                                .build(),
                        JWTClaimsSet.parse(
                                new String(
                                        Base64.getUrlDecoder().decode(parts[1]),
                                        StandardCharsets.UTF_8)));
        forged.sign(new ECDSASigner(otherKey));
        String none =
                Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(
                                        "{\"alg\":\"none\",\"typ\":\"at+jwt\"}"
                                                .getBytes(StandardCharsets.UTF_8))
                        + "."
                        + parts[1]
                        + ".";
        return Stream.of(
                Arguments.of("expired", expired),
                Arguments.of("not yet valid", notYetValid),
                Arguments.of("wrong issuer", wrongIssuer),
                Arguments.of("wrong audience", wrongAudience),
                Arguments.of("signed by another key", forged.serialize()),
                Arguments.of("alg none", none),
                Arguments.of("stripped signature", parts[0] + "." + parts[1] + "."),
                Arguments.of("garbage", "not-a-jwt"),
                Arguments.of("missing", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void bad_token_gets_401_with_www_authenticate(String kind, String token) {
        Http http = token == null ? server.anonymousHttp() : server.http(token);

        HttpResponse<String> response = http.get("/fhir/" + patientA, "application/fhir+json");
        HttpResponse<String> metrics = http.get("/metrics");

        assertThat(response.statusCode()).as(kind + ": " + response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate").orElse(""))
                .startsWith("Bearer");
        assertThat(metrics.statusCode()).isEqualTo(401);
        if (token != null && token.length() > 20) {
            assertThat(response.body()).doesNotContain(token);
        }
    }

    @Test
    void only_the_open_endpoints_answer_without_a_token() {
        Http anonymous = server.anonymousHttp();

        assertThat(anonymous.get("/health").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/fhir/metadata").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/fhir/.well-known/smart-configuration").statusCode())
                .isEqualTo(200);
        assertThat(anonymous.get("/fhir/Patient").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/fhir/StructureDefinition").statusCode()).isEqualTo(401);
        assertThat(
                        anonymous
                                .postFhir(
                                        "/fhir",
                                        "{\"resourceType\":\"Bundle\",\"type\":\"transaction\"}")
                                .statusCode())
                .isEqualTo(401);
        assertThat(anonymous.get("/metrics").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/dicomweb/studies").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/dicomweb/studies/" + studyA).statusCode()).isEqualTo(401);
    }

    @Test
    void annotator_qido_finds_only_assigned_studies() throws Exception {
        Http annotator =
                server.http(
                        token(
                                "annotator-qido-" + RUN,
                                Set.of(Role.ANNOTATOR),
                                "user/*.rs",
                                Optional.of(roleC)));
        JsonNode studies =
                JSON.readTree(annotator.get("/dicomweb/studies", "application/dicom+json").body());
        List<String> uids = new ArrayList<>();
        studies.forEach(s -> uids.add(s.path("0020000D").path("Value").get(0).asText()));
        assertThat(uids).containsExactly(studyA);
    }

    @AfterAll
    static void every_matrix_request_left_an_audit_event_with_its_outcome() {
        server.flushAudit();
        var auditor = server.fhirClient(server.auditorToken());
        for (String[] row : AUDITED) {
            Bundle events =
                    auditor.search()
                            .byUrl("AuditEvent?altid=" + row[0])
                            .returnBundle(Bundle.class)
                            .execute();
            assertThat(events.getEntry()).as("AuditEvent for " + row[0]).isNotEmpty();
            AuditEvent event = (AuditEvent) events.getEntryFirstRep().getResource();
            int status = Integer.parseInt(row[1]);
            assertThat(event.getOutcome())
                    .as(row[0])
                    .isEqualTo(
                            status < 400
                                    ? AuditEvent.AuditEventOutcome._0
                                    : AuditEvent.AuditEventOutcome._4);
            assertThat(event.getOutcomeDesc()).as(row[0]).startsWith("HTTP " + status);
        }
        assertThat(AUDITED).hasSizeGreaterThan(30);
    }
}
