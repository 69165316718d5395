package org.quorum.dicom.sr;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.security.Role;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.DicomValidators;
import org.quorum.testing.Examples;
import org.quorum.testing.Orthanc;
import org.quorum.testing.RunningServer;

/**
 * Image label -> TID 1500 SR in the running server: {@code $dicom-sr} on a label whose source image
 * arrived by STOW, the SR served by WADO-RS and accepted by dciodvfy and dsrdump, mirrored in the
 * study's ImagingStudy, linked from the label; final labels get theirs without asking; a real
 * Orthanc retrieves the SR from Quorum.
 */
@ExtendWith(RunningServer.class)
class DicomSrIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE_REGION =
            "https://quorum.dev/fhir/StructureDefinition/quorum-image-region";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static RunningServer server;
    private static IParser parser;
    private static String study;
    private static String series;
    private static String sop;

    @BeforeAll
    static void storeSourceImageAndFixtures(RunningServer running) throws Exception {
        server = running;
        parser = server.fhirContext().newJsonParser();
        HttpResponse<String> fixtures =
                server.http()
                        .postFhir("/fhir", Examples.read("fixtures/referenced-resources.json"));
        assertThat(fixtures.statusCode()).as(fixtures.body()).isEqualTo(200);

        study = DicomFiles.newUid();
        series = DicomFiles.newUid();
        sop = DicomFiles.newUid();
        byte[] image =
                DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        Map.of(
                                "StudyInstanceUID", study,
                                "SeriesInstanceUID", series,
                                "SOPInstanceUID", sop));
        String boundary = "quorum-sr-it";
        HttpResponse<byte[]> stow =
                send(
                        HttpRequest.newBuilder(server.baseUrl().resolve("/dicomweb/studies"))
                                .header(
                                        "Content-Type",
                                        "multipart/related; type=\"application/dicom\"; boundary="
                                                + boundary)
                                .header("Accept", "application/dicom+json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofByteArray(
                                                DicomFiles.multipart(boundary, image))));
        assertThat(stow.statusCode()).as(new String(stow.body())).isEqualTo(200);
    }

    @Test
    void dicom_sr_makes_a_conformant_sr_served_by_wado_and_mirrored(@TempDir Path dir)
            throws Exception {
        Observation label = imageLabel("sr-it-preliminary", "preliminary", "60 40 80 40 80 60");
        putLabel(label);

        Parameters out = dicomSr("sr-it-preliminary");
        String srStudy = value(out, "studyInstanceUid");
        String srSeries = value(out, "seriesInstanceUid");
        String srSop = value(out, "sopInstanceUid");
        assertThat(srStudy).isEqualTo(study);
        assertThat(srSeries).isNotEqualTo(series);
        assertThat(value(out, "created")).isEqualTo("true");
        String wado = value(out, "wadoRsUrl");
        assertThat(wado)
                .endsWith(
                        "/dicomweb/studies/"
                                + srStudy
                                + "/series/"
                                + srSeries
                                + "/instances/"
                                + srSop);

        // WADO-RS: the SR itself, accepted by the validators, referencing the source image.
        Path sr = dir.resolve("sr.dcm");
        Files.write(sr, retrieve(URI.create(wado)));
        DicomValidators.assertConformant(sr);
        AttributeList dataset = new AttributeList();
        dataset.read(sr.toFile());
        assertThat(dataset.get(TagFromName.SOPClassUID).getSingleStringValueOrEmptyString())
                .isEqualTo("1.2.840.10008.5.1.4.1.1.88.33");
        assertThat(dataset.get(TagFromName.StudyInstanceUID).getSingleStringValueOrEmptyString())
                .isEqualTo(study);
        SequenceAttribute evidence =
                (SequenceAttribute)
                        dataset.get(TagFromName.CurrentRequestedProcedureEvidenceSequence);
        assertThat(evidence).isNotNull();
        assertThat(evidence.toString()).contains(sop).contains(series);

        // Same label, same SR.
        Parameters again = dicomSr("sr-it-preliminary");
        assertThat(value(again, "sopInstanceUid")).isEqualTo(srSop);
        assertThat(value(again, "created")).isEqualTo("false");

        // The label points at its SR; the study's ImagingStudy lists the SR series.
        Observation linked = readLabel("sr-it-preliminary");
        assertThat(linked.getIdentifier())
                .anySatisfy(
                        id -> {
                            assertThat(id.getSystem()).isEqualTo("urn:dicom:uid");
                            assertThat(id.getValue()).isEqualTo("urn:oid:" + srSop);
                        });
        ImagingStudy mirror = imagingStudy(study);
        assertThat(mirror.getSeries())
                .anySatisfy(
                        s -> {
                            assertThat(s.getUid()).isEqualTo(srSeries);
                            assertThat(s.getModality().getCode()).isEqualTo("SR");
                            assertThat(s.getInstance())
                                    .anySatisfy(i -> assertThat(i.getUid()).isEqualTo(srSop));
                        });
        assertThat(linked.getDerivedFrom())
                .anySatisfy(
                        r ->
                                assertThat(r.getReference())
                                        .isEqualTo("ImagingStudy/" + mirror.getIdPart()));
    }

    @Test
    void a_final_label_gets_its_sr_without_asking() throws Exception {
        putLabel(imageLabel("sr-it-final", "final", "20 20 30 30"));

        Observation stored = readLabel("sr-it-final");
        String srSop =
                stored.getIdentifier().stream()
                        .filter(id -> "urn:dicom:uid".equals(id.getSystem()))
                        .map(id -> id.getValue().substring("urn:oid:".length()))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("final label has no SR identifier"));
        HttpResponse<String> qido =
                server.http()
                        .get(
                                "/dicomweb/studies/" + study + "/instances?SOPInstanceUID=" + srSop,
                                "application/dicom+json");
        assertThat(qido.statusCode()).as(qido.body()).isEqualTo(200);
        JsonNode found = JSON.readTree(qido.body());
        assertThat(found).hasSize(1);
        assertThat(found.get(0).path("00080016").path("Value").get(0).asText())
                .isEqualTo("1.2.840.10008.5.1.4.1.1.88.33");
        // The explicit operation finds the same SR.
        assertThat(value(dicomSr("sr-it-final"), "sopInstanceUid")).isEqualTo(srSop);
    }

    @Test
    void a_label_whose_image_is_not_stored_gets_a_clear_404() {
        Observation label = imageLabel("sr-it-no-image", "preliminary", "10 10");
        ((Extension) label.getExtensionByUrl(IMAGE_REGION).getExtensionByUrl("sopInstanceUid"))
                .setValue(new IdType(DicomFiles.newUid()));
        putLabel(label);
        HttpResponse<String> response =
                server.http()
                        .postFhir(
                                "/fhir/Observation/sr-it-no-image/$dicom-sr",
                                "{\"resourceType\":\"Parameters\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
        assertThat(response.body()).contains("OperationOutcome").doesNotContain("Exception");
    }

    @Test
    void dicom_sr_is_for_project_admins_only() {
        putLabel(imageLabel("sr-it-denied", "preliminary", "12 12"));
        String annotator =
                server.token(
                        "sr-it-annotator",
                        Set.of(Role.ANNOTATOR),
                        "user/*.rs",
                        Optional.of("Practitioner/example-annotator-plain"),
                        Set.of());
        HttpResponse<String> response =
                server.http(annotator)
                        .postFhir(
                                "/fhir/Observation/sr-it-denied/$dicom-sr",
                                "{\"resourceType\":\"Parameters\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
    }

    // Orthanc, as an imaging system, retrieves Quorum's SR over DICOMweb.
    private static Orthanc orthanc;

    @AfterAll
    static void stopOrthanc() {
        if (orthanc != null) {
            orthanc.close();
        }
    }

    @Test
    void orthanc_retrieves_quorums_sr() throws Exception {
        putLabel(imageLabel("sr-it-orthanc", "preliminary", "33 44 55 44 55 66 33 44"));
        Parameters out = dicomSr("sr-it-orthanc");
        String srSeries = value(out, "seriesInstanceUid");
        String srSop = value(out, "sopInstanceUid");
        byte[] served = retrieve(URI.create(value(out, "wadoRsUrl")));

        String token =
                server.token(
                        "orthanc-viewer",
                        Set.of(Role.INTEGRATION),
                        "system/ImagingStudy.rs",
                        Optional.empty(),
                        Set.of());
        orthanc =
                Orthanc.start(
                        Optional.of(
                                new Orthanc.Peer(
                                        "quorum", server.baseUrl().resolve("/dicomweb/"), token)));
        HttpResponse<byte[]> retrieve =
                orthanc.postJson(
                        "/dicom-web/servers/quorum/retrieve",
                        "{\"Resources\": [{\"Study\": \""
                                + study
                                + "\", \"Series\": \""
                                + srSeries
                                + "\"}]}");
        assertThat(retrieve.statusCode())
                .as(new String(retrieve.body()) + orthanc.log())
                .isEqualTo(200);
        HttpResponse<byte[]> find =
                orthanc.postJson(
                        "/tools/find",
                        "{\"Level\": \"Instance\", \"Query\": {\"SOPInstanceUID\": \""
                                + srSop
                                + "\"}}");
        JsonNode ids = JSON.readTree(find.body());
        assertThat(ids).as(new String(find.body()) + orthanc.log()).hasSize(1);
        HttpResponse<byte[]> file = orthanc.get("/instances/" + ids.get(0).asText() + "/file");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo(served);
    }

    private static Observation imageLabel(String id, String status, String coordinates) {
        Observation label =
                parser.parseResource(Observation.class, Examples.read("valid/image-label.json"));
        label.setId(id);
        label.setStatus(Observation.ObservationStatus.fromCode(status));
        Extension region = label.getExtensionByUrl(IMAGE_REGION);
        region.getExtension()
                .removeIf(e -> !List.of("sopInstanceUid", "frame").contains(e.getUrl()));
        region.getExtensionByUrl("sopInstanceUid").setValue(new IdType(sop));
        region.addExtension(
                "graphicType",
                new org.hl7.fhir.r4.model.CodeType(
                        coordinates.split(" ").length == 2 ? "POINT" : "POLYLINE"));
        region.addExtension("coordinates", new org.hl7.fhir.r4.model.StringType(coordinates));
        return label;
    }

    private static void putLabel(Observation label) {
        HttpResponse<String> put =
                server.http()
                        .putFhir(
                                "/fhir/Observation/" + label.getIdElement().getIdPart(),
                                parser.encodeResourceToString(label));
        assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
    }

    private static Observation readLabel(String id) {
        HttpResponse<String> read = server.http().get("/fhir/Observation/" + id);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        return parser.parseResource(Observation.class, read.body());
    }

    private static Parameters dicomSr(String id) {
        HttpResponse<String> response =
                server.http()
                        .postFhir(
                                "/fhir/Observation/" + id + "/$dicom-sr",
                                "{\"resourceType\":\"Parameters\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parser.parseResource(Parameters.class, response.body());
    }

    private static ImagingStudy imagingStudy(String studyUid) {
        HttpResponse<String> search =
                server.http()
                        .get("/fhir/ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:" + studyUid);
        Bundle found = parser.parseResource(Bundle.class, search.body());
        assertThat(found.getEntry()).hasSize(1);
        return (ImagingStudy) found.getEntryFirstRep().getResource();
    }

    private static String value(Parameters parameters, String name) {
        return parameters.getParameter(name).getValue().primitiveValue();
    }

    private static byte[] retrieve(URI url) throws Exception {
        HttpResponse<byte[]> response =
                send(
                        HttpRequest.newBuilder(url)
                                .header(
                                        "Accept",
                                        "multipart/related; type=\"application/dicom\";"
                                                + " transfer-syntax=*")
                                .GET());
        assertThat(response.statusCode()).isEqualTo(200);
        List<byte[]> parts =
                DicomFiles.parts(
                        response.body(), response.headers().firstValue("Content-Type").orElse(""));
        assertThat(parts).hasSize(1);
        return parts.get(0);
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(
                request.header("Authorization", "Bearer " + server.adminToken()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
