package org.quorum.bridge.writeback;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Labels;
import org.quorum.bridge.testing.Orthanc;
import org.quorum.bridge.testing.Quorum;
import org.quorum.bridge.testing.SrChecks;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.eval.TestData;

/**
 * End to end over DICOMweb: a CT in a real Orthanc is pulled into Quorum de-identified, a final
 * image label drawn on it in Quorum gets its SR there, and the bridge puts that SR, re-identified,
 * into the original study in Orthanc (STOW-RS, confirmed by QIDO-RS): original patient, study and
 * referenced image, passing dciodvfy and dsrdump; once, also after more polls.
 */
class PacsSrWriteBackIT {

    private static final String PROJECT = "pacs-sr";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CT_STUDY = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
    private static final String CT_SOP = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";
    private static final String ROUTE = PacsSrWriteBackService.ROUTE;

    private final Quorum quorum = Quorum.shared();

    @TempDir Path dir;

    @Test
    void the_sr_of_a_final_image_label_joins_the_original_study_in_the_pacs() throws Exception {
        try (Orthanc pacs = Orthanc.start()) {
            pacs.store(
                    Files.readAllBytes(TestData.resolve("dicom").resolve("pydicom/CT_small.dcm")));
            BridgeConfig config =
                    BridgeConfig.forProject(PROJECT, quorum)
                            .set("QUORUM_BRIDGE_PACS_DICOMWEB_URL", pacs.dicomWebRoot())
                            .set("QUORUM_BRIDGE_PACS_START", "2000-01-01")
                            .set("QUORUM_BRIDGE_PACS_POLL_INTERVAL", "1s")
                            .set("QUORUM_BRIDGE_QUORUM_SCOPE", "system/*.crus")
                            .set("QUORUM_BRIDGE_WRITEBACK_PACS", "true")
                            .set("QUORUM_BRIDGE_WRITEBACK_POLL_INTERVAL", "500ms");
            DeidKeyService keys =
                    new DeidKeyService(config.secret().getBytes(StandardCharsets.UTF_8));
            String study = keys.remapUid(CT_STUDY);
            IGenericClient admin = quorum.admin();
            DefaultCamelContext camel = new DefaultCamelContext();
            try (BridgeApp bridge = BridgeApp.start(config.settings(), Clock.systemUTC(), camel)) {
                ImagingStudy mirrored = awaitImagingStudy(admin, study);
                String reader = Labels.projectWithReviewer(admin, PROJECT);
                Observation label =
                        Labels.finalImageLabel(
                                PROJECT,
                                mirrored.getSubject().getReference(),
                                reader,
                                "ImagingStudy/" + mirrored.getIdElement().getIdPart(),
                                keys.remapUid(CT_SOP));
                admin.create().resource(label).execute();

                // the SR appears in the original study in Orthanc
                JsonNode srs = awaitSrInOrthanc(pacs);
                assertThat(srs).hasSize(1);
                String sr = srs.get(0).path("00080018").path("Value").get(0).asText();
                Path file = dir.resolve("sr.dcm");
                Files.write(file, orthancFile(pacs, sr));
                AttributeList list = new AttributeList();
                list.read(file.toFile());
                assertThat(text(list, TagFromName.StudyInstanceUID)).isEqualTo(CT_STUDY);
                assertThat(text(list, TagFromName.PatientID)).isEqualTo("1CT1");
                assertThat(text(list, TagFromName.PatientName)).isEqualTo("CompressedSamples^CT1");
                assertThat(text(list, TagFromName.StudyDate)).isEqualTo("20040119");
                assertThat(list.get(TagFromName.PatientIdentityRemoved)).isNull();
                SequenceAttribute evidence =
                        (SequenceAttribute)
                                list.get(TagFromName.CurrentRequestedProcedureEvidenceSequence);
                String referenced =
                        text(
                                ((SequenceAttribute)
                                                ((SequenceAttribute)
                                                                evidence.getItem(0)
                                                                        .getAttributeList()
                                                                        .get(
                                                                                TagFromName
                                                                                        .ReferencedSeriesSequence))
                                                        .getItem(0)
                                                        .getAttributeList()
                                                        .get(TagFromName.ReferencedSOPSequence))
                                        .getItem(0)
                                        .getAttributeList(),
                                TagFromName.ReferencedSOPInstanceUID);
                assertThat(referenced).isEqualTo(CT_SOP);
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(bytes).doesNotContain(study).doesNotContain(keys.remapUid(CT_SOP));
                // dciodvfy and dsrdump (dicom3tools, dcmtk) accept it
                SrChecks.assertConformant(file);

                // more polls write nothing again
                NotifyBuilder polls =
                        new NotifyBuilder(camel).fromRoute(ROUTE).whenCompleted(3).create();
                assertThat(polls.matches(2, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError()).isNull();
                assertThat(
                                bridge.metrics()
                                        .scrape()
                                        .contains(
                                                "quorum_bridge_delivered_records_total{route=\""
                                                        + ROUTE
                                                        + "\"} 1.0"))
                        .isTrue();
                assertThat(srInOrthanc(pacs)).hasSize(1);
            }
        }
    }

    private ImagingStudy awaitImagingStudy(IGenericClient admin, String study) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            Bundle found =
                    admin.search()
                            .byUrl("ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:" + study)
                            .returnBundle(Bundle.class)
                            .execute();
            if (!found.getEntry().isEmpty()) {
                return (ImagingStudy) found.getEntryFirstRep().getResource();
            }
            LockSupport.parkNanos(300_000_000L);
        }
        throw new AssertionError("the CT never reached Quorum");
    }

    private static JsonNode srInOrthanc(Orthanc pacs) throws Exception {
        HttpResponse<byte[]> response =
                pacs.get(
                        "/dicom-web/studies/" + CT_STUDY + "/instances?Modality=SR",
                        "application/dicom+json");
        assertThat(response.statusCode()).isIn(200, 204);
        return response.body().length == 0
                ? JSON.createArrayNode()
                : JSON.readTree(response.body());
    }

    private static JsonNode awaitSrInOrthanc(Orthanc pacs) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline)) {
            JsonNode found = srInOrthanc(pacs);
            if (!found.isEmpty()) {
                return found;
            }
            LockSupport.parkNanos(300_000_000L);
        }
        throw new AssertionError("no SR in Orthanc's original study:\n" + pacs.log());
    }

    private static byte[] orthancFile(Orthanc pacs, String sop) throws Exception {
        HttpResponse<byte[]> find =
                pacs.post(
                        "/tools/find",
                        "{\"Level\": \"Instance\", \"Query\": {\"SOPInstanceUID\": \""
                                + sop
                                + "\"}}");
        assertThat(find.statusCode()).isEqualTo(200);
        JsonNode ids = JSON.readTree(find.body());
        assertThat(ids).hasSize(1);
        HttpResponse<byte[]> file = pacs.get("/instances/" + ids.get(0).asText() + "/file");
        assertThat(file.statusCode()).isEqualTo(200);
        return file.body();
    }

    private static String text(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }
}
