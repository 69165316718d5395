package org.quorum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Observation;
import org.quorum.deid.cli.DeidFhirCommand;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.lexicon.PhiLexicon;
import org.quorum.quality.QualityProject;
import org.quorum.security.Role;
import org.quorum.testing.Examples;
import org.quorum.testing.Http;
import org.quorum.testing.RunningServer;
import picocli.CommandLine;

/**
 * Makes the running server emit every kind of resource Quorum creates itself, through its public
 * interfaces (FHIR REST, operations, DICOMweb, the CLI), and records what it sent. Each method is
 * one scenario; {@link EmittedResourcesIT#EXPECTED} lists what each must yield. A new kind of
 * emitted resource (e.g. the review workflow's Task and Provenance) is one more method here and one
 * more line there.
 */
final class Scenarios {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunningServer server;
    private final Emitted emitted;
    private final IParser parser;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    Scenarios(RunningServer server, Emitted emitted) {
        this.server = server;
        this.emitted = emitted;
        this.parser = server.fhirContext().newJsonParser();
    }

    /** {@code GET /fhir/metadata}. */
    void capabilityStatement() {
        emitted.add("GET /fhir/metadata", ok(server.http().get("/fhir/metadata")));
    }

    /**
     * A study arrives by STOW-RS: the ImagingStudy mirror and the Patient it makes; then image
     * labels (final: Quorum writes the SR itself; preliminary: {@code $dicom-sr}), the labels as
     * Quorum stores them (with their SR link), the mirror with the SR series.
     */
    void imagingAndLabels() {
        ImageLabels.StoredImage image =
                ImageLabels.storeImage(
                        server,
                        "pydicom/CT_small.dcm",
                        Map.of("PatientID", "CONFORMANCE-" + run, "PatientSex", "F"));
        JsonNode study = firstEntry(studyMirror(image.study()));
        emitted.add("ImagingStudy mirror of a STOW", study.toString());
        String subject = study.path("subject").path("reference").asText();
        assertThat(subject).as("the mirror's subject").startsWith("Patient/");
        emitted.add(
                "Patient made by the ImagingStudy mirror",
                ok(server.http().get("/fhir/" + subject)));

        ImageLabels.storeExampleFixtures(server);
        String finalLabel = "conformance-final-" + run;
        ImageLabels.put(
                server,
                parser,
                ImageLabels.label(
                        parser,
                        "valid/image-label.json",
                        finalLabel,
                        "final",
                        image.sop(),
                        "POLYLINE",
                        "60 40 80 40 80 60 60 40"));
        String aiLabel = "conformance-ai-" + run;
        ImageLabels.put(
                server,
                parser,
                ImageLabels.label(
                        parser,
                        "valid/ai-label.json",
                        aiLabel,
                        "preliminary",
                        image.sop(),
                        "POINT",
                        "50 50"));
        emitted.add("$dicom-sr", ImageLabels.dicomSr(server, aiLabel));
        emitted.add(
                "label with its SR link", ok(server.http().get("/fhir/Observation/" + finalLabel)));
        emitted.add(
                "label with its SR link", ok(server.http().get("/fhir/Observation/" + aiLabel)));
        emitted.add(
                "ImagingStudy mirror with the SR series",
                firstEntry(studyMirror(image.study())).toString());
    }

    private String studyMirror(String studyUid) {
        return ok(
                server.http()
                        .get("/fhir/ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:" + studyUid));
    }

    /**
     * A project with two annotators, six patients (US Core race and ethnicity), notes, studies and
     * labels: {@code $agreement}, {@code $bias-report}, {@code $class-balance}; a note label and an
     * image label that disagree on laterality raise a DetectedIssue; {@code $consistency}.
     */
    void quality() {
        QualityProject project = QualityProject.create(server.fhirClient(), "conformance " + run);
        String a = project.annotator("A");
        String b = project.annotator("B");
        String[][] patients = {
            {"female", "1950", "2186-5", "2106-3"},
            {"male", "1962", "2135-2", "2054-5"},
            {"female", "1971", "2186-5", "2028-9"},
            {"male", "1985", "2186-5", "2106-3"},
            {"female", "1990", "2135-2", "2106-3"},
            {"male", "2001", "2186-5", "1002-5"},
        };
        String[] codes = {"pneumonia", "effusion", "pneumonia", "nodule", "effusion", "pneumonia"};
        String conflictPatient = null;
        String conflictNote = null;
        String conflictStudy = null;
        for (int i = 0; i < patients.length; i++) {
            String patient =
                    project.patient(patients[i][0], patients[i][1], patients[i][2], patients[i][3]);
            String note = project.note(patient);
            String study = project.study(patient);
            project.label(a, patient, note, codes[i]);
            project.label(b, patient, note, i == 3 ? "effusion" : codes[i]);
            project.label(a, patient, study, codes[i]);
            if (i == 0) {
                conflictPatient = patient;
                conflictNote = note;
                conflictStudy = study;
            }
        }
        project.commit();
        String id = project.reference();
        emitted.add("$agreement", ok(server.http().get("/fhir/" + id + "/$agreement")));
        emitted.add("$bias-report", ok(server.http().get("/fhir/" + id + "/$bias-report")));
        emitted.add("$class-balance", ok(server.http().get("/fhir/" + id + "/$class-balance")));

        // Cross-modal conflict: right lower lobe in the note, left lower lobe on the image.
        Observation noteLabel =
                QualityProject.site(
                        project.label(
                                project.id(a),
                                project.id(conflictPatient),
                                project.id(conflictNote),
                                "pneumonia",
                                "final"),
                        QualityProject.RIGHT_LOWER_LOBE,
                        QualityProject.RIGHT);
        Observation imageLabel =
                QualityProject.site(
                        project.label(
                                project.id(a),
                                project.id(conflictPatient),
                                project.id(conflictStudy),
                                "pneumonia",
                                "final"),
                        QualityProject.LEFT_LOWER_LOBE,
                        QualityProject.LEFT);
        created(
                server.http()
                        .postFhir("/fhir/Observation", parser.encodeResourceToString(noteLabel)));
        created(
                server.http()
                        .postFhir("/fhir/Observation", parser.encodeResourceToString(imageLabel)));
        String consistency = ok(server.http().get("/fhir/" + id + "/$consistency"));
        assertThat(tree(consistency).path("entry").size())
                .as("$consistency lists the conflict")
                .isEqualTo(1);
        emitted.add("$consistency", consistency);
        emitted.addEntries("DetectedIssue from the cross-modal check", consistency);
        emitted.add(
                "search by project with _include",
                ok(
                        server.http()
                                .get(
                                        "/fhir/Observation?project="
                                                + id
                                                + "&_include=Observation:subject&_count=5")));
    }

    /** Two versions of a label schema: {@code $schema-impact}. */
    void schemaImpact() {
        String url = "https://quorum.dev/fhir/CodeSystem/conformance-schema-" + run;
        for (String version : List.of("1.0.0", "2.0.0")) {
            CodeSystem schema = new CodeSystem();
            schema.setUrl(url).setVersion(version).setName("ConformanceSchema");
            schema.setStatus(Enumerations.PublicationStatus.ACTIVE);
            schema.setContent(CodeSystem.CodeSystemContentMode.COMPLETE);
            if (version.equals("1.0.0")) {
                schema.addConcept().setCode("opacity").setDisplay("Opacity");
            } else {
                schema.addProperty()
                        .setCode("status")
                        .setUri("http://hl7.org/fhir/concept-properties#status")
                        .setType(CodeSystem.PropertyType.CODE);
                schema.addConcept()
                        .setCode("opacity")
                        .setDisplay("Opacity")
                        .addProperty()
                        .setCode("status")
                        .setValue(new CodeType("retired"));
                schema.addConcept().setCode("airspace-disease").setDisplay("Airspace disease");
            }
            created(
                    server.http()
                            .postFhir("/fhir/CodeSystem", parser.encodeResourceToString(schema)));
        }
        emitted.add(
                "$schema-impact",
                ok(
                        server.http()
                                .get(
                                        "/fhir/CodeSystem/$schema-impact?url="
                                                + url
                                                + "&fromVersion=1.0.0&toVersion=2.0.0")));
    }

    /**
     * De-identification of whole Synthea patient records (every resource type of the sample):
     * {@code $deidentify} under each date policy, and {@code quorum deid fhir} (NDJSON and Bundle).
     */
    void deidentification(Path work) {
        Http deid =
                server.http(
                        server.token(
                                "conformance-deid",
                                Set.of(Role.DEID_ADMIN),
                                "user/*.rs",
                                Optional.empty(),
                                Set.of()));
        emitted.addEntries(
                "$deidentify safe-harbor",
                ok(
                        deid.postFhir(
                                "/fhir/$deidentify",
                                SyntheaRecords.collection(
                                        SyntheaRecords.record(
                                                SyntheaRecords.PATIENT_WITH_DEVICE)))));
        emitted.addEntries(
                "$deidentify date-shift",
                ok(
                        deid.postFhir(
                                "/fhir/$deidentify?policy=date-shift",
                                SyntheaRecords.collection(
                                        SyntheaRecords.record(
                                                SyntheaRecords.PATIENT_WITH_ALLERGIES)))));
        try {
            Path dir = Files.createDirectories(work.resolve("deid-cli"));
            Path ndjson = SyntheaRecords.folder().resolve("Patient.000.ndjson");
            Path ndjsonOut = dir.resolve("patients.ndjson");
            deidCli(ndjson, ndjsonOut);
            for (String line : Files.readAllLines(ndjsonOut, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    emitted.add("quorum deid fhir (NDJSON)", line);
                }
            }
            List<String> small = new ArrayList<>();
            for (String line : SyntheaRecords.record(SyntheaRecords.PATIENT_WITH_ALLERGIES)) {
                String type = tree(line).path("resourceType").asText();
                if (type.equals("Patient") || type.equals("AllergyIntolerance")) {
                    small.add(line);
                }
            }
            Path bundle = dir.resolve("bundle.json");
            Files.writeString(bundle, SyntheaRecords.collection(small));
            Path bundleOut = dir.resolve("bundle-deid.json");
            deidCli(bundle, bundleOut);
            emitted.add("quorum deid fhir (Bundle)", Files.readString(bundleOut));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deidCli(Path in, Path out) {
        CommandLine cli =
                new CommandLine(
                        new DeidFhirCommand(
                                Map.of(DeidKeyService.SECRET_ENV, RunningServer.DEID_SECRET),
                                PhiLexicon::standard,
                                Clock.systemUTC()));
        java.io.StringWriter err = new java.io.StringWriter();
        cli.setErr(new java.io.PrintWriter(err));
        int exit = cli.execute("--in", in.toString(), "--out", out.toString());
        assertThat(exit).as("quorum deid fhir: %s", err).isZero();
    }

    /** Errors Quorum answers with an OperationOutcome: 400, 401, 403, 404, 422. */
    void operationOutcomes() {
        emitted.add(
                "400 unparsable body",
                status(
                        server.http()
                                .postFhir(
                                        "/fhir/Observation",
                                        "{\"resourceType\":\"Observation\",\"status\":"),
                        400));
        emitted.add("401 no token", status(server.anonymousHttp().get("/fhir/Patient"), 401));
        emitted.add(
                "403 role without the operation",
                status(
                        server.http(
                                        server.token(
                                                "conformance-annotator",
                                                Set.of(Role.ANNOTATOR),
                                                "user/*.rs",
                                                Optional.empty(),
                                                Set.of()))
                                .postFhir(
                                        "/fhir/$deidentify",
                                        "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}"),
                        403));
        emitted.add(
                "404 unknown resource",
                status(server.http().get("/fhir/Observation/no-such-label-" + run), 404));
        emitted.add(
                "422 profile violation",
                status(
                        server.http()
                                .postFhir(
                                        "/fhir/Observation",
                                        Examples.read("invalid/label-without-subject.json")),
                        422));
    }

    /** A transaction and its response; a resource's history. */
    void bundles() {
        String patient = "urn:uuid:" + UUID.randomUUID();
        String transaction =
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                        + "{\"fullUrl\":\""
                        + patient
                        + "\",\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{"
                        + "\"system\":\"https://quorum.dev/fhir/pseudonym\",\"value\":\""
                        + run
                        + "\"}]},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
                        + "{\"resource\":{\"resourceType\":\"DocumentReference\",\"status\":\"current\","
                        + "\"subject\":{\"reference\":\""
                        + patient
                        + "\"},\"content\":[{\"attachment\":{\"contentType\":\"text/plain\","
                        + "\"data\":\"SW1wcmVzc2lvbjogbm9ybWFsLg==\"}}]},"
                        + "\"request\":{\"method\":\"POST\",\"url\":\"DocumentReference\"}}]}";
        String response = ok(server.http().postFhir("/fhir", transaction));
        emitted.add("transaction-response", response);
        String location =
                tree(response).path("entry").get(0).path("response").path("location").asText();
        String patientId = location.substring(0, location.indexOf("/_history"));
        emitted.add("history", ok(server.http().get("/fhir/" + patientId + "/_history")));
    }

    /**
     * The audit trail of everything above: one AuditEvent of each kind (type, subtype, action,
     * outcome), as an auditor reads them.
     */
    void auditEvents() {
        server.flushAudit();
        String searchset =
                ok(
                        server.http(server.auditorToken())
                                .get("/fhir/AuditEvent?_count=1000&_sort=-_lastUpdated"));
        Map<String, JsonNode> kinds = new LinkedHashMap<>();
        for (JsonNode entry : tree(searchset).path("entry")) {
            JsonNode event = entry.path("resource");
            StringBuilder kind = new StringBuilder(event.path("type").path("code").asText());
            event.path("subtype").forEach(s -> kind.append('/').append(s.path("code").asText()));
            kind.append(' ')
                    .append(event.path("action").asText())
                    .append(' ')
                    .append(event.path("outcome").asText());
            kinds.putIfAbsent(kind.toString(), event);
        }
        kinds.values().forEach(e -> emitted.add("audit trail", e.toString()));
    }

    private static String ok(HttpResponse<String> response) {
        return status(response, 200);
    }

    private static void created(HttpResponse<String> response) {
        status(response, 201);
    }

    private static String status(HttpResponse<String> response, int expected) {
        assertThat(response.statusCode())
                .as(
                        "%s %s\n%s",
                        response.request().method(), response.uri(), shorten(response.body()))
                .isEqualTo(expected);
        return response.body();
    }

    private static JsonNode firstEntry(String bundle) {
        JsonNode entries = tree(bundle).path("entry");
        assertThat(entries.size()).as("search result\n%s", shorten(bundle)).isEqualTo(1);
        return entries.get(0).path("resource");
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("Not JSON: " + shorten(json), e);
        }
    }

    static String shorten(String body) {
        return body.length() > 3000 ? body.substring(0, 3000) + "..." : body;
    }
}
