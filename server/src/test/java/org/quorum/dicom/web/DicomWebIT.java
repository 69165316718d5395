package org.quorum.dicom.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.dicom.fhir.ImagingStudyMirror;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.RunningServer;

/**
 * DICOMweb against the running server with a plain HTTP client: STOW-RS (whole, chunked, with a
 * broken part, duplicates), QIDO-RS matching on each required key, WADO-RS byte-identical retrieve,
 * metadata and bulk data, the error statuses, and the ImagingStudy mirror.
 */
@ExtendWith(RunningServer.class)
class DicomWebIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8).toUpperCase();

    private static RunningServer server;
    private static String token;

    /** The run's CT study: three slices in one series. */
    private static String ctStudy;

    private static String ctSeries;
    private static final List<String> CT_SOPS = new ArrayList<>();
    private static final List<byte[]> CT_FILES = new ArrayList<>();

    /** The run's MR study. */
    private static String mrStudy;

    private static String mrSop;

    @BeforeAll
    static void stowTwoStudies(RunningServer running) throws Exception {
        server = running;
        token = server.adminToken();
        ctStudy = DicomFiles.newUid();
        ctSeries = DicomFiles.newUid();
        for (String slice : List.of("01", "02", "03")) {
            String sop = DicomFiles.newUid();
            CT_SOPS.add(sop);
            CT_FILES.add(
                    DicomFiles.copy(
                            "dcmqi/ct-3slice/" + slice + ".dcm",
                            Map.of(
                                    "StudyInstanceUID",
                                    ctStudy,
                                    "SeriesInstanceUID",
                                    ctSeries,
                                    "SOPInstanceUID",
                                    sop,
                                    "PatientID",
                                    "QDW-CT-" + RUN,
                                    "PatientName",
                                    "Quorum^Ct" + RUN,
                                    "AccessionNumber",
                                    "A" + RUN,
                                    "StudyDate",
                                    "19990615",
                                    "StudyDescription",
                                    "Run " + RUN)));
        }
        mrStudy = DicomFiles.newUid();
        mrSop = DicomFiles.newUid();
        byte[] mr =
                DicomFiles.copy(
                        "pydicom/MR_small.dcm",
                        Map.of(
                                "StudyInstanceUID",
                                mrStudy,
                                "SeriesInstanceUID",
                                DicomFiles.newUid(),
                                "SOPInstanceUID",
                                mrSop,
                                "PatientID",
                                "QDW-MR-" + RUN,
                                "PatientName",
                                "Quorum^Mr" + RUN,
                                "StudyDate",
                                "19990620"));

        HttpResponse<byte[]> stow =
                stow("/dicomweb/studies", "b" + RUN, CT_FILES.toArray(new byte[0][]));
        assertThat(stow.statusCode()).as(new String(stow.body())).isEqualTo(200);
        JsonNode body = JSON.readTree(stow.body());
        assertThat(body.path("00081199").path("Value")).hasSize(3);
        assertThat(body.path("00081198").isMissingNode()).isTrue();
        assertThat(body.path("00081190").path("Value").get(0).asText())
                .endsWith("/dicomweb/studies/" + ctStudy);

        assertThat(stow("/dicomweb/studies/" + mrStudy, "m" + RUN, mr).statusCode()).isEqualTo(200);
    }

    @Test
    void wado_returns_each_instance_byte_identical_also_with_any_transfer_syntax()
            throws Exception {
        for (int i = 0; i < CT_SOPS.size(); i++) {
            HttpResponse<byte[]> response =
                    get(
                            "/dicomweb/studies/"
                                    + ctStudy
                                    + "/series/"
                                    + ctSeries
                                    + "/instances/"
                                    + CT_SOPS.get(i),
                            "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
            assertThat(response.statusCode()).isEqualTo(200);
            String type = response.headers().firstValue("Content-Type").orElseThrow();
            assertThat(type).startsWith("multipart/related").contains("application/dicom");
            List<byte[]> parts = DicomFiles.parts(response.body(), type);
            assertThat(parts).hasSize(1);
            assertThat(parts.get(0)).isEqualTo(CT_FILES.get(i));
        }
        HttpResponse<byte[]> study =
                get("/dicomweb/studies/" + ctStudy, "multipart/related; type=application/dicom");
        List<byte[]> parts =
                DicomFiles.parts(
                        study.body(), study.headers().firstValue("Content-Type").orElseThrow());
        assertThat(parts).hasSize(3);
        assertThat(parts).anySatisfy(p -> assertThat(p).isEqualTo(CT_FILES.get(2)));
        HttpResponse<byte[]> series =
                get("/dicomweb/studies/" + ctStudy + "/series/" + ctSeries, "*/*");
        assertThat(series.statusCode()).isEqualTo(200);
        assertThat(
                        DicomFiles.parts(
                                series.body(),
                                series.headers().firstValue("Content-Type").orElseThrow()))
                .hasSize(3);
        // The stored transfer syntax by name is fine too (ct-3slice is implicit VR little endian).
        assertThat(
                        get(
                                        "/dicomweb/studies/" + ctStudy,
                                        "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2")
                                .statusCode())
                .isEqualTo(200);
    }

    @Test
    void metadata_has_upper_case_keys_no_meta_group_and_pixel_data_as_bulk_data() throws Exception {
        HttpResponse<byte[]> response =
                get("/dicomweb/studies/" + ctStudy + "/series/" + ctSeries + "/metadata", "*/*");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                .startsWith("application/dicom+json");
        JsonNode datasets = JSON.readTree(response.body());
        assertThat(datasets).hasSize(3);
        JsonNode first = datasets.get(0);
        for (Iterator<String> keys = first.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            assertThat(key).matches("[0-9A-F]{8}").doesNotStartWith("0002");
        }
        assertThat(first.path("0020000D").path("Value").get(0).asText()).isEqualTo(ctStudy);
        assertThat(first.path("00100010").path("Value").get(0).path("Alphabetic").asText())
                .isEqualTo("Quorum^Ct" + RUN);
        assertThat(first.path("00280010").path("Value").get(0).isNumber()).isTrue();
        String bulk = first.path("7FE00010").path("BulkDataURI").asText();
        assertThat(bulk).contains("/dicomweb/studies/" + ctStudy).endsWith("/bulkdata/7FE00010");
        assertThat(first.path("7FE00010").has("InlineBinary")).isFalse();

        HttpResponse<byte[]> pixels =
                get(
                        URI.create(bulk).getPath(),
                        "multipart/related; type=\"application/octet-stream\"");
        assertThat(pixels.statusCode()).isEqualTo(200);
        List<byte[]> parts =
                DicomFiles.parts(
                        pixels.body(), pixels.headers().firstValue("Content-Type").orElseThrow());
        int rows = first.path("00280010").path("Value").get(0).asInt();
        int columns = first.path("00280011").path("Value").get(0).asInt();
        assertThat(parts.get(0)).hasSize(rows * columns * 2);
        AttributeList stored = DicomFiles.read(CT_FILES.get(datasetIndex(first)));
        assertThat(parts.get(0)).isEqualTo(stored.get(TagFromName.PixelData).getByteValues(false));

        HttpResponse<byte[]> single = get(URI.create(bulk).getPath(), "application/octet-stream");
        assertThat(single.body()).isEqualTo(parts.get(0));
    }

    private static int datasetIndex(JsonNode dataset) {
        return CT_SOPS.indexOf(dataset.path("00080018").path("Value").get(0).asText());
    }

    @Test
    void chunked_stow_is_stored() throws Exception {
        String sop = DicomFiles.newUid();
        byte[] file =
                DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        Map.of(
                                "StudyInstanceUID",
                                DicomFiles.newUid(),
                                "SeriesInstanceUID",
                                DicomFiles.newUid(),
                                "SOPInstanceUID",
                                sop));
        byte[] body = DicomFiles.multipart("chunk" + RUN, file);
        HttpRequest request =
                HttpRequest.newBuilder(server.baseUrl().resolve("/dicomweb/studies"))
                        .header("Authorization", "Bearer " + token)
                        .header(
                                "Content-Type",
                                "multipart/related; type=\"application/dicom\"; boundary=chunk"
                                        + RUN)
                        // An input stream of unknown length goes out with Transfer-Encoding:
                        // chunked.
                        .POST(
                                HttpRequest.BodyPublishers.ofInputStream(
                                        () -> new ByteArrayInputStream(body)))
                        .build();
        HttpResponse<byte[]> response =
                CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
        assertThat(qido("/dicomweb/instances?SOPInstanceUID=" + sop)).hasSize(1);
    }

    @Test
    void a_broken_part_fails_alone_with_202_and_a_failure_reason() throws Exception {
        String study = DicomFiles.newUid();
        String good = DicomFiles.newUid();
        byte[] file =
                DicomFiles.copy(
                        "highdicom/dx_image.dcm",
                        Map.of("StudyInstanceUID", study, "SOPInstanceUID", good));
        byte[] broken = java.util.Arrays.copyOf(file, 300);
        HttpResponse<byte[]> response = stow("/dicomweb/studies", "x" + RUN, broken, file);
        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("00081199").path("Value")).hasSize(1);
        assertThat(
                        body.path("00081199")
                                .path("Value")
                                .get(0)
                                .path("00081155")
                                .path("Value")
                                .get(0)
                                .asText())
                .isEqualTo(good);
        JsonNode failed = body.path("00081198").path("Value");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).path("00081197").path("vr").asText()).isEqualTo("US");
        assertThat(failed.get(0).path("00081197").path("Value").get(0).asInt()).isEqualTo(0xC000);
        assertThat(qido("/dicomweb/studies/" + study + "/instances")).hasSize(1);
    }

    @Test
    void same_instance_twice_is_stored_once_and_different_content_conflicts() throws Exception {
        // highdicom/ct_image.dcm and pydicom/CT_small.dcm are one SOP instance with different
        // bytes;
        // fresh UIDs (the same for both) keep the run independent of other tests.
        Map<String, String> uids =
                Map.of(
                        "StudyInstanceUID",
                        DicomFiles.newUid(),
                        "SeriesInstanceUID",
                        DicomFiles.newUid(),
                        "SOPInstanceUID",
                        DicomFiles.newUid());
        byte[] first = DicomFiles.copy("highdicom/ct_image.dcm", uids);
        byte[] second = DicomFiles.copy("pydicom/CT_small.dcm", uids);
        assertThat(first).isNotEqualTo(second);

        assertThat(stow("/dicomweb/studies", "d1" + RUN, first).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> again = stow("/dicomweb/studies", "d2" + RUN, first);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).path("00081199").path("Value")).hasSize(1);
        assertThat(qido("/dicomweb/instances?SOPInstanceUID=" + uids.get("SOPInstanceUID")))
                .hasSize(1);

        HttpResponse<byte[]> conflict = stow("/dicomweb/studies", "d3" + RUN, second);
        assertThat(conflict.statusCode()).isEqualTo(409);
        JsonNode failure = JSON.readTree(conflict.body()).path("00081198").path("Value").get(0);
        assertThat(failure.path("00081197").path("Value").get(0).asInt()).isEqualTo(0x0111);
        assertThat(failure.path("00081155").path("Value").get(0).asText())
                .isEqualTo(uids.get("SOPInstanceUID"));

        // The first content is still the one served.
        HttpResponse<byte[]> served =
                get("/dicomweb/studies/" + uids.get("StudyInstanceUID"), "*/*");
        assertThat(
                        DicomFiles.parts(
                                        served.body(),
                                        served.headers().firstValue("Content-Type").orElseThrow())
                                .get(0))
                .isEqualTo(first);
    }

    @Test
    void stow_to_a_study_refuses_instances_of_another_study() throws Exception {
        byte[] file =
                DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        Map.of(
                                "StudyInstanceUID",
                                DicomFiles.newUid(),
                                "SeriesInstanceUID",
                                DicomFiles.newUid(),
                                "SOPInstanceUID",
                                DicomFiles.newUid()));
        HttpResponse<byte[]> response =
                stow("/dicomweb/studies/" + DicomFiles.newUid(), "s" + RUN, file);
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(
                        JSON.readTree(response.body())
                                .path("00081198")
                                .path("Value")
                                .get(0)
                                .path("00081197")
                                .path("Value")
                                .get(0)
                                .asInt())
                .isEqualTo(0xA900);
    }

    @Test
    void qido_matches_on_each_required_key() throws Exception {
        assertThat(uids(qido("/dicomweb/studies?PatientID=QDW-CT-" + RUN), "0020000D"))
                .containsExactly(ctStudy);
        assertThat(uids(qido("/dicomweb/studies?PatientName=Quorum%5E*" + RUN), "0020000D"))
                .containsExactlyInAnyOrder(ctStudy, mrStudy);
        assertThat(uids(qido("/dicomweb/studies?PatientName=Quorum%5E?r" + RUN), "0020000D"))
                .containsExactly(mrStudy);
        assertThat(uids(qido("/dicomweb/studies?PatientName=quorum%5E*" + RUN), "0020000D"))
                .isEmpty();
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/studies?fuzzymatching=true&PatientName=quorum%5E*"
                                                + RUN),
                                "0020000D"))
                .containsExactlyInAnyOrder(ctStudy, mrStudy);
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/studies?PatientName=Quorum%5E*"
                                                + RUN
                                                + "&StudyDate=19990614-19990616"),
                                "0020000D"))
                .containsExactly(ctStudy);
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/studies?PatientName=Quorum%5E*"
                                                + RUN
                                                + "&StudyDate=19990616-"),
                                "0020000D"))
                .containsExactly(mrStudy);
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/studies?PatientName=Quorum%5E*"
                                                + RUN
                                                + "&StudyDate=-19990615"),
                                "0020000D"))
                .containsExactly(ctStudy);
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/studies?PatientName=Quorum%5E*"
                                                + RUN
                                                + "&StudyDate=19990620"),
                                "0020000D"))
                .containsExactly(mrStudy);
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/studies?StudyInstanceUID="
                                                + ctStudy
                                                + ","
                                                + mrStudy),
                                "0020000D"))
                .containsExactlyInAnyOrder(ctStudy, mrStudy);
        assertThat(uids(qido("/dicomweb/studies?AccessionNumber=A" + RUN), "0020000D"))
                .containsExactly(ctStudy);
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/studies?PatientName=Quorum%5E*"
                                                + RUN
                                                + "&ModalitiesInStudy=MR"),
                                "0020000D"))
                .containsExactly(mrStudy);
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/series?PatientName=Quorum%5E*"
                                                + RUN
                                                + "&Modality=CT"),
                                "0020000E"))
                .containsExactly(ctSeries);
        assertThat(uids(qido("/dicomweb/series?SeriesInstanceUID=" + ctSeries), "0020000E"))
                .containsExactly(ctSeries);
        assertThat(uids(qido("/dicomweb/studies/" + ctStudy + "/series"), "0020000E"))
                .containsExactly(ctSeries);
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/instances?PatientID=QDW-MR-"
                                                + RUN
                                                + "&SOPClassUID=1.2.840.10008.5.1.4.1.1.4"),
                                "00080018"))
                .containsExactly(mrSop);
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/instances?PatientID=QDW-MR-"
                                                + RUN
                                                + "&SOPClassUID=1.2.840.10008.5.1.4.1.1.2"),
                                "00080018"))
                .isEmpty();
        assertThat(
                        uids(
                                qido(
                                        "/dicomweb/studies/"
                                                + ctStudy
                                                + "/series/"
                                                + ctSeries
                                                + "/instances?SOPInstanceUID="
                                                + CT_SOPS.get(1)),
                                "00080018"))
                .containsExactly(CT_SOPS.get(1));
        assertThat(uids(qido("/dicomweb/studies/" + ctStudy + "/instances"), "00080018"))
                .containsExactlyInAnyOrderElementsOf(CT_SOPS);
        // Hex tags work as keys too.
        assertThat(uids(qido("/dicomweb/studies?00100020=QDW-CT-" + RUN), "0020000D"))
                .containsExactly(ctStudy);
    }

    @Test
    void qido_returns_the_default_attributes_and_more_with_includefield() throws Exception {
        JsonNode study = qido("/dicomweb/studies?PatientID=QDW-CT-" + RUN).get(0);
        assertThat(study.path("00080061").path("Value").get(0).asText()).isEqualTo("CT");
        assertThat(study.path("00201206").path("Value").get(0).asInt()).isEqualTo(1);
        assertThat(study.path("00201208").path("Value").get(0).asInt()).isEqualTo(3);
        assertThat(study.path("00081190").path("Value").get(0).asText())
                .endsWith("/dicomweb/studies/" + ctStudy);
        assertThat(study.has("00081030"))
                .as("StudyDescription is not a default attribute")
                .isFalse();

        JsonNode included =
                qido("/dicomweb/studies?PatientID=QDW-CT-" + RUN + "&includefield=StudyDescription")
                        .get(0);
        assertThat(included.path("00081030").path("Value").get(0).asText()).isEqualTo("Run " + RUN);
        JsonNode all =
                qido("/dicomweb/studies?PatientID=QDW-CT-" + RUN + "&includefield=all").get(0);
        assertThat(all.path("00081030").path("Value").get(0).asText()).isEqualTo("Run " + RUN);
        assertThat(all.path("00080062").path("Value").get(0).asText())
                .isEqualTo("1.2.840.10008.5.1.4.1.1.2");

        JsonNode instance = qido("/dicomweb/instances?SOPInstanceUID=" + mrSop).get(0);
        assertThat(instance.path("00100020").path("Value").get(0).asText())
                .as("study attributes on instance results")
                .isEqualTo("QDW-MR-" + RUN);
        assertThat(instance.path("00280010").path("vr").asText()).isEqualTo("US");
    }

    @Test
    void qido_pages_with_limit_and_offset() throws Exception {
        String path = "/dicomweb/studies/" + ctStudy + "/instances";
        List<String> all = uids(qido(path), "00080018");
        assertThat(all).hasSize(3);
        List<String> paged = new ArrayList<>();
        for (int offset = 0; offset < 3; offset++) {
            paged.addAll(uids(qido(path + "?limit=1&offset=" + offset), "00080018"));
        }
        assertThat(paged).containsExactlyElementsOf(all);
        assertThat(qido(path + "?limit=2")).hasSize(2);
        assertThat(qido(path + "?offset=3")).isEmpty();
    }

    @Test
    void bad_requests_get_short_reasons_with_the_right_status() throws Exception {
        assertStatus(
                get("/dicomweb/studies?StudyDate=yesterday", "application/dicom+json"),
                400,
                "StudyDate");
        assertStatus(get("/dicomweb/studies?limit=-1", "application/dicom+json"), 400, "limit");
        assertStatus(
                get("/dicomweb/studies?NoSuchKeyword=1", "application/dicom+json"),
                400,
                "NoSuchKeyword");
        assertStatus(
                get("/dicomweb/studies?StudyInstanceUID=1.2.abc", "application/dicom+json"),
                400,
                "UID");
        assertStatus(get("/dicomweb/studies/not-a-uid", "*/*"), 400, "UID");
        assertStatus(get("/dicomweb/studies/" + DicomFiles.newUid(), "*/*"), 404, "No such study");
        assertStatus(
                get(
                        "/dicomweb/studies/"
                                + ctStudy
                                + "/series/"
                                + DicomFiles.newUid()
                                + "/metadata",
                        "*/*"),
                404,
                "No such series");
        assertStatus(
                get("/dicomweb/studies", "application/dicom+xml"), 406, "application/dicom+json");
        assertStatus(
                get(
                        "/dicomweb/studies/" + ctStudy,
                        "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50"),
                406,
                "transfer syntax");
        assertStatus(
                get("/dicomweb/studies/" + ctStudy, "application/dicom+json"),
                406,
                "multipart/related");
        HttpResponse<byte[]> plain =
                send(
                        HttpRequest.newBuilder(server.baseUrl().resolve("/dicomweb/studies"))
                                .header("Content-Type", "application/dicom")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(CT_FILES.get(0))));
        assertStatus(plain, 415, "multipart/related");
        HttpResponse<byte[]> jsonParts =
                send(
                        HttpRequest.newBuilder(server.baseUrl().resolve("/dicomweb/studies"))
                                .header(
                                        "Content-Type",
                                        "multipart/related; type=\"application/dicom+json\"; boundary=x")
                                .POST(HttpRequest.BodyPublishers.ofString("--x--")));
        assertStatus(jsonParts, 415, "application/dicom");
        HttpResponse<byte[]> truncated =
                send(
                        HttpRequest.newBuilder(server.baseUrl().resolve("/dicomweb/studies"))
                                .header(
                                        "Content-Type",
                                        "multipart/related; type=\"application/dicom\"; boundary=x")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "--x\r\nContent-Type: application/dicom\r\n\r\nabc")));
        assertStatus(truncated, 400, "closing boundary");
    }

    private static void assertStatus(HttpResponse<byte[]> response, int status, String reason) {
        String body = new String(response.body());
        assertThat(response.statusCode()).as(body).isEqualTo(status);
        assertThat(body).contains(reason).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void each_stored_study_has_one_imaging_study_that_follows_new_instances() throws Exception {
        ImagingStudy mirrored = imagingStudy(mrStudy);
        assertThat(mirrored.getNumberOfSeries()).isEqualTo(1);
        assertThat(mirrored.getNumberOfInstances()).isEqualTo(1);
        assertThat(mirrored.getSeriesFirstRep().getModality().getCode()).isEqualTo("MR");
        assertThat(mirrored.getSeriesFirstRep().getInstanceFirstRep().getUid()).isEqualTo(mrSop);
        assertThat(mirrored.getSeriesFirstRep().getInstanceFirstRep().getSopClass().getCode())
                .isEqualTo("urn:oid:1.2.840.10008.5.1.4.1.1.4");
        assertThat(mirrored.getSubject().getReference()).startsWith("Patient/");
        String id = mirrored.getIdElement().getIdPart();

        // A second series arrives through the store interface the SR service uses.
        AttributeList sr =
                DicomFiles.read(
                        DicomFiles.copy(
                                "pydicom/test-SR.dcm",
                                Map.of(
                                        "StudyInstanceUID",
                                        mrStudy,
                                        "SeriesInstanceUID",
                                        DicomFiles.newUid(),
                                        "SOPInstanceUID",
                                        DicomFiles.newUid(),
                                        "PatientID",
                                        "QDW-MR-" + RUN)));
        sr.remove(TagFromName.TransferSyntaxUID);
        assertThat(server.dicomInstances().store(sr).alreadyStored()).isFalse();

        ImagingStudy updated = imagingStudy(mrStudy);
        assertThat(updated.getIdElement().getIdPart()).isEqualTo(id);
        assertThat(updated.getNumberOfSeries()).isEqualTo(2);
        assertThat(updated.getNumberOfInstances()).isEqualTo(2);
        assertThat(updated.getModality())
                .extracting(c -> c.getCode())
                .containsExactlyInAnyOrder("MR", "SR");
        assertThat(updated.getSubject().getReference())
                .isEqualTo(mirrored.getSubject().getReference());
        assertThat(imagingStudy(ctStudy).getNumberOfInstances()).isEqualTo(3);
    }

    @Test
    void a_large_stow_is_stored_and_one_over_the_stow_size_limit_gets_413() throws Exception {
        // Over Undertow's default 2 MiB and over the limit for other requests (FHIR bodies),
        // under STOW-RS's own.
        String stored = DicomFiles.newUid();
        byte[][] large = ctSlicesOver(stored, (long) (RunningServer.MAX_REQUEST_MB + 1) << 20);
        HttpResponse<byte[]> ok = stow("/dicomweb/studies", "large-5c2", large);
        assertThat(ok.statusCode())
                .as(new String(ok.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(qido("/dicomweb/studies/" + stored + "/instances")).hasSize(large.length);

        String study = DicomFiles.newUid();
        byte[][] files = ctSlicesOver(study, (long) RunningServer.MAX_STOW_MB << 20);

        HttpResponse<byte[]> response = stow("/dicomweb/studies", "too-large-7c1", files);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(new String(response.body(), StandardCharsets.UTF_8))
                .as(response.headers().map().toString())
                .contains("QUORUM_HTTP_MAX_STOW_MB")
                .contains((RunningServer.MAX_STOW_MB) + " MiB")
                .doesNotContain("Exception");
        assertThat(
                        get("/dicomweb/studies?StudyInstanceUID=" + study, "application/dicom+json")
                                .body())
                .asString(StandardCharsets.UTF_8)
                .isIn("", "[]");
    }

    /** Copies of one CT slice in the study, each its own series, together over {@code bytes}. */
    private static byte[][] ctSlicesOver(String study, long bytes) {
        List<byte[]> files = new ArrayList<>();
        long total = 0;
        while (total <= bytes) {
            byte[] file =
                    DicomFiles.copy(
                            "dcmqi/ct-3slice/01.dcm",
                            Map.of(
                                    "StudyInstanceUID", study,
                                    "SeriesInstanceUID", DicomFiles.newUid(),
                                    "SOPInstanceUID", DicomFiles.newUid()));
            files.add(file);
            total += file.length;
        }
        return files.toArray(byte[][]::new);
    }

    private static ImagingStudy imagingStudy(String studyUid) {
        Bundle bundle =
                server.fhirClient()
                        .search()
                        .byUrl(ImagingStudyMirror.searchUrl(studyUid))
                        .returnBundle(Bundle.class)
                        .execute();
        assertThat(bundle.getEntry()).hasSize(1);
        return (ImagingStudy) bundle.getEntryFirstRep().getResource();
    }

    // ---- HTTP ---------------------------------------------------------------------------------

    static HttpResponse<byte[]> stow(String path, String boundary, byte[]... files) {
        return send(
                HttpRequest.newBuilder(server.baseUrl().resolve(path))
                        .header(
                                "Content-Type",
                                "multipart/related; type=\"application/dicom\"; boundary="
                                        + boundary)
                        .header("Accept", "application/dicom+json")
                        .POST(
                                HttpRequest.BodyPublishers.ofByteArray(
                                        DicomFiles.multipart(boundary, files))));
    }

    static HttpResponse<byte[]> get(String path, String accept) {
        return send(
                HttpRequest.newBuilder(server.baseUrl().resolve(path))
                        .header("Accept", accept)
                        .GET());
    }

    static JsonNode qido(String path) throws Exception {
        HttpResponse<byte[]> response = get(path, "application/dicom+json");
        assertThat(response.statusCode())
                .as(path + ": " + new String(response.body()))
                .isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static List<String> uids(JsonNode results, String key) {
        List<String> uids = new ArrayList<>();
        results.forEach(r -> uids.add(r.path(key).path("Value").get(0).asText()));
        return uids;
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(
                    request.header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(120))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
