package org.quorum.dicom.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.security.Role;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.Orthanc;
import org.quorum.testing.RunningServer;

/**
 * Orthanc's DICOMweb client as a strict real peer: Orthanc STOWs an image to Quorum, finds it with
 * QIDO through Quorum and retrieves it from Quorum with WADO-RS; the instance comes back identical.
 */
@ExtendWith(RunningServer.class)
class OrthancDicomWebIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunningServer server;
    private static Orthanc orthanc;

    @BeforeAll
    static void startOrthancWithQuorumAsPeer(RunningServer running) {
        server = running;
        String token =
                server.token(
                        "orthanc-peer",
                        Set.of(Role.INTEGRATION),
                        "system/ImagingStudy.crs",
                        Optional.empty(),
                        Set.of());
        orthanc =
                Orthanc.start(
                        Optional.of(
                                new Orthanc.Peer(
                                        "quorum", server.baseUrl().resolve("/dicomweb/"), token)));
    }

    @AfterAll
    static void stopOrthanc() {
        if (orthanc != null) {
            orthanc.close();
        }
    }

    @Test
    void orthanc_stows_finds_and_retrieves_an_instance_unchanged() throws Exception {
        String study = DicomFiles.newUid();
        String series = DicomFiles.newUid();
        String sop = DicomFiles.newUid();
        byte[] original =
                DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        Map.of(
                                "StudyInstanceUID", study,
                                "SeriesInstanceUID", series,
                                "SOPInstanceUID", sop));
        HttpResponse<byte[]> upload = orthanc.post("/instances", "application/dicom", original);
        assertThat(upload.statusCode()).as(new String(upload.body())).isEqualTo(200);
        JsonNode uploaded = JSON.readTree(upload.body());
        String orthancInstance = uploaded.path("ID").asText();
        String orthancStudy = uploaded.path("ParentStudy").asText();

        // STOW: Orthanc -> Quorum (chunked, multipart/related; type="application/dicom").
        HttpResponse<byte[]> stow =
                orthanc.postJson(
                        "/dicom-web/servers/quorum/stow",
                        "{\"Resources\": [\"" + orthancStudy + "\"]}");
        assertThat(stow.statusCode()).as(new String(stow.body()) + orthanc.log()).isEqualTo(200);
        HttpResponse<String> qidoDirect =
                server.http()
                        .get("/dicomweb/instances?SOPInstanceUID=" + sop, "application/dicom+json");
        assertThat(JSON.readTree(qidoDirect.body())).hasSize(1);

        // QIDO through Orthanc (it sends Accept: */*).
        HttpResponse<byte[]> qido =
                orthanc.postJson(
                        "/dicom-web/servers/quorum/qido",
                        "{\"Uri\": \"/studies\", \"Arguments\": {\"StudyInstanceUID\": \""
                                + study
                                + "\"}}");
        assertThat(qido.statusCode()).as(new String(qido.body())).isEqualTo(200);
        JsonNode found = JSON.readTree(qido.body());
        assertThat(found).as(found + orthanc.log()).hasSize(1);
        // Orthanc hands QIDO answers back in its own tag format ("0020,000d": {"Value": ...}).
        assertThat(found.get(0).toString()).contains(study);

        // Metadata through Orthanc's generic GET.
        HttpResponse<byte[]> metadata =
                orthanc.postJson(
                        "/dicom-web/servers/quorum/get",
                        "{\"Uri\": \"/studies/"
                                + study
                                + "/series/"
                                + series
                                + "/instances/"
                                + sop
                                + "/metadata\"}");
        assertThat(metadata.statusCode()).as(new String(metadata.body())).isEqualTo(200);
        assertThat(
                        JSON.readTree(metadata.body())
                                .get(0)
                                .path("00080018")
                                .path("Value")
                                .get(0)
                                .asText())
                .isEqualTo(sop);

        // WADO-RS: remove it from Orthanc, then have Orthanc retrieve it from Quorum.
        assertThat(
                        java.net.http.HttpClient.newHttpClient()
                                .send(
                                        java.net.http.HttpRequest.newBuilder(
                                                        orthanc.baseUrl()
                                                                .resolve(
                                                                        "/instances/"
                                                                                + orthancInstance))
                                                .DELETE()
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode())
                .isEqualTo(200);
        assertThat(orthanc.get("/instances/" + orthancInstance).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> retrieve =
                orthanc.postJson(
                        "/dicom-web/servers/quorum/retrieve",
                        "{\"Resources\": [{\"Study\": \"" + study + "\"}]}");
        assertThat(retrieve.statusCode())
                .as(new String(retrieve.body()) + orthanc.log())
                .isEqualTo(200);
        HttpResponse<byte[]> file = orthanc.get("/instances/" + orthancInstance + "/file");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo(original);
    }
}
