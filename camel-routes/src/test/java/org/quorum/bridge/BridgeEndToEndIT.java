package org.quorum.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.TagFromName;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.bridge.config.WriteBackSettings;
import org.quorum.bridge.store.Crosswalk;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Dcmqrscp;
import org.quorum.bridge.testing.Ehr;
import org.quorum.bridge.testing.JavaProcess;
import org.quorum.bridge.testing.Labels;
import org.quorum.bridge.testing.Orthanc;
import org.quorum.bridge.testing.PhiCheck;
import org.quorum.bridge.testing.Quorum;
import org.quorum.bridge.testing.SrChecks;
import org.quorum.bridge.writeback.EhrWriteBackService;
import org.quorum.bridge.writeback.PacsSrWriteBackService;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.eval.TestData;

/**
 * The loop of issue 15 closed once, end to end, with every peer real: a patient's notes in the test
 * EHR (HAPI) and a CT of the same patient (Patient ID = the EHR's MRN) in Orthanc and in dcmqrscp
 * reach Quorum de-identified (FHIR pull, DICOMweb pull, DIMSE C-GET pull); labels made final
 * through Quorum's FHIR API come back: an Observation in the EHR about the original patient and
 * note, and the SR of the image label in the original study in Orthanc (STOW-RS) and in dcmqrscp
 * (C-STORE), each passing dciodvfy and dsrdump.
 */
class BridgeEndToEndIT {

    private static final String PROJECT = "bridge-e2e";
    private static final String PATIENT = "cbc86e51-9eca-3855-76ec-c058f72c5761";
    private static final String CT_STUDY = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
    private static final String CT_SOP = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Ehr ehr = Ehr.shared();
    private final Quorum quorum = Quorum.shared();

    @TempDir Path dir;

    @Test
    void a_note_and_a_study_go_to_quorum_deidentified_and_their_final_labels_come_back()
            throws Exception {
        Patient patient = (Patient) ehr.get("Patient/" + PATIENT);
        String mrn = mrn(patient);
        HumanName name = patient.getNameFirstRep();
        String dicomName = name.getFamily() + "^" + name.getGivenAsSingleString();
        Path ct = ctOf("pydicom/CT_small.dcm", mrn, dicomName);
        // a second CT of the patient, in Orthanc only: its SR cannot join its study in dcmqrscp
        Path other = ctOf("dcmqi/ct-3slice/01.dcm", mrn, dicomName);
        AttributeList otherCt = new AttributeList();
        otherCt.read(other.toFile());
        String otherStudy = text(otherCt, TagFromName.StudyInstanceUID);
        String otherSop = text(otherCt, TagFromName.SOPInstanceUID);
        int scpPort = JavaProcess.freePort();
        try (Orthanc orthanc = Orthanc.start();
                Dcmqrscp dcmqrscp = Dcmqrscp.start("QUORUM_BRIDGE", scpPort)) {
            orthanc.store(Files.readAllBytes(ct));
            orthanc.store(Files.readAllBytes(other));
            dcmqrscp.store(ct);
            BridgeConfig config =
                    BridgeConfig.forProject(PROJECT, quorum)
                            .set("QUORUM_BRIDGE_EHR_URL", ehr.fhirBase())
                            .set(
                                    "QUORUM_BRIDGE_EHR_QUERIES",
                                    "DocumentReference?patient=" + PATIENT)
                            .set("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "1s")
                            .set("QUORUM_BRIDGE_PACS_DICOMWEB_URL", orthanc.dicomWebRoot())
                            .set("QUORUM_BRIDGE_PACS_DIMSE_HOST", "127.0.0.1")
                            .set("QUORUM_BRIDGE_PACS_DIMSE_PORT", Integer.toString(dcmqrscp.port()))
                            .set("QUORUM_BRIDGE_PACS_DIMSE_AET", Dcmqrscp.AE_TITLE)
                            .set("QUORUM_BRIDGE_PACS_DIMSE_PULL", "false")
                            .set("QUORUM_BRIDGE_PACS_DIMSE_TIMEOUT", "30s")
                            .set("QUORUM_BRIDGE_PACS_START", "2000-01-01")
                            .set("QUORUM_BRIDGE_PACS_POLL_INTERVAL", "1s")
                            .set("QUORUM_BRIDGE_QUORUM_SCOPE", "system/*.crus")
                            .set("QUORUM_BRIDGE_WRITEBACK_EHR", "true")
                            .set("QUORUM_BRIDGE_WRITEBACK_PACS", "true")
                            .set("QUORUM_BRIDGE_WRITEBACK_PACS_DIMSE", "true")
                            .set("QUORUM_BRIDGE_WRITEBACK_POLL_INTERVAL", "1s");
            DeidKeyService keys =
                    new DeidKeyService(config.secret().getBytes(StandardCharsets.UTF_8));
            String study = keys.remapUid(CT_STUDY);
            IGenericClient admin = quorum.admin();
            try (BridgeApp bridge =
                    BridgeApp.start(
                            config.settings(), Clock.systemUTC(), new DefaultCamelContext())) {
                // --- in: the notes and the study reach Quorum, de-identified ------------------
                assertThat(
                                quorum.awaitCount(
                                        "DocumentReference", PROJECT, 15, Duration.ofMinutes(2)))
                        .isGreaterThanOrEqualTo(15);
                ImagingStudy mirrored = await("the CT in Quorum", () -> imagingStudy(admin, study));
                // pulled from Orthanc only: dcmqrscp is where SRs are written back by C-STORE
                assertThat(bridge.crosswalk().originalsOf(Crosswalk.Kind.DICOM_UID, study))
                        .extracting(Crosswalk.Entry::source, Crosswalk.Entry::original)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple(
                                        orthanc.dicomWebRoot(), CT_STUDY));
                HttpResponse<String> metadata = quorum.dicomWeb("/studies/" + study + "/metadata");
                assertThat(metadata.statusCode()).isEqualTo(200);
                assertThat(metadata.body())
                        .contains(keys.pseudonym(IdentifierKind.MRN, mrn))
                        .doesNotContain(mrn)
                        .doesNotContain(name.getFamily())
                        .doesNotContain(CT_STUDY)
                        .doesNotContain(CT_SOP);
                List<Resource> stored = new ArrayList<>();
                stored.addAll(quorum.all("DocumentReference", PROJECT));
                stored.addAll(quorum.all("Patient", PROJECT));
                stored.add(mirrored);
                Set<String> identifying = PhiCheck.identifyingValues(patient);
                assertThat(identifying).contains(mrn);
                assertThat(PhiCheck.leaks(ehr.fhirContext(), stored, identifying)).isEmpty();

                // --- labels made final through Quorum's API ------------------------------------
                DocumentReference note =
                        (DocumentReference) quorum.all("DocumentReference", PROJECT).get(0);
                String pseudonymousNote = "DocumentReference/" + note.getIdElement().getIdPart();
                String originalNote =
                        bridge.crosswalk()
                                .originalsOf(Crosswalk.Kind.RESOURCE, pseudonymousNote)
                                .get(0)
                                .original();
                String reviewer = Labels.projectWithReviewer(admin, PROJECT);
                String noteLabel =
                        admin.create()
                                .resource(
                                        Labels.finalLabel(
                                                PROJECT,
                                                note.getSubject().getReference(),
                                                reviewer,
                                                pseudonymousNote,
                                                "opacity"))
                                .execute()
                                .getId()
                                .toUnqualifiedVersionless()
                                .getValue();
                admin.create()
                        .resource(
                                Labels.review(
                                        noteLabel,
                                        reviewer,
                                        "http://example.org/board",
                                        "radiology"))
                        .execute();
                admin.create()
                        .resource(
                                Labels.finalImageLabel(
                                        PROJECT,
                                        mirrored.getSubject().getReference(),
                                        reviewer,
                                        "ImagingStudy/" + mirrored.getIdElement().getIdPart(),
                                        keys.remapUid(CT_SOP)))
                        .execute();
                ImagingStudy otherMirrored =
                        await(
                                "the second CT in Quorum",
                                () -> imagingStudy(admin, keys.remapUid(otherStudy)));
                Observation otherLabel =
                        Labels.finalImageLabel(
                                PROJECT,
                                otherMirrored.getSubject().getReference(),
                                reviewer,
                                "ImagingStudy/" + otherMirrored.getIdElement().getIdPart(),
                                keys.remapUid(otherSop));
                otherLabel.getCode().getCodingFirstRep().setCode("mass").setDisplay("Mass");
                admin.create().resource(otherLabel).execute();

                // --- out, to the EHR: the original patient and note (and study) -------------
                List<Observation> written =
                        await(
                                "the three labels in the EHR",
                                () -> Optional.of(writtenLabels()).filter(l -> l.size() == 3));
                Observation noteWritten = byCode(written, "opacity");
                assertThat(noteWritten.getSubject().getReference()).isEqualTo("Patient/" + PATIENT);
                assertThat(noteWritten.getDerivedFromFirstRep().getReference())
                        .isEqualTo(originalNote);
                // the image label: the patient by the PACS's Patient ID (the EHR's MRN), the study
                // by its original Study Instance UID
                Observation imageWritten = byCode(written, "nodule");
                assertThat(imageWritten.getSubject().getIdentifier().getValue()).isEqualTo(mrn);
                assertThat(imageWritten.getDerivedFromFirstRep().getIdentifier().getValue())
                        .isEqualTo("urn:oid:" + CT_STUDY);

                // --- out, to Orthanc by STOW-RS: the SR in the original study -----------------
                JsonNode sr = await("the SR in Orthanc", () -> srIn(orthanc));
                String srSop = sr.path("00080018").path("Value").get(0).asText();
                String srSeries = sr.path("0020000E").path("Value").get(0).asText();
                Path fromOrthanc = dir.resolve("orthanc-sr.dcm");
                Files.write(fromOrthanc, orthancFile(orthanc, srSop));
                assertOriginal(fromOrthanc, mrn, dicomName, study, keys);

                // --- out, to dcmqrscp by C-STORE: the same SR, confirmed there by C-GET -------
                Path fromDcmqrscp =
                        await(
                                "the SR in dcmqrscp",
                                () ->
                                        dcmqrscp.retrieve(
                                                CT_STUDY,
                                                srSeries,
                                                srSop,
                                                dir.resolve("dcmqrscp")));
                assertOriginal(fromDcmqrscp, mrn, dicomName, study, keys);

                // Orthanc got both SRs; dcmqrscp the one of the study it holds, the other is a
                // dead letter of the C-STORE route; metrics and status say so
                String dimseLetter = "the original study is not in dicom://" + Dcmqrscp.AE_TITLE;
                await(
                        "the dead letter of the C-STORE route",
                        () ->
                                bridge.deadLetters().list().stream()
                                        .filter(
                                                l ->
                                                        l.route()
                                                                        .equals(
                                                                                PacsSrWriteBackService
                                                                                        .DIMSE_ROUTE)
                                                                && l.reason().contains(dimseLetter))
                                        .findFirst());
                for (String line :
                        List.of(
                                delivered(PacsSrWriteBackService.ROUTE) + " 2.0",
                                delivered(PacsSrWriteBackService.DIMSE_ROUTE) + " 1.0",
                                "quorum_bridge_dead_lettered_records_total{route=\""
                                        + PacsSrWriteBackService.DIMSE_ROUTE
                                        + "\"} 1.0")) {
                    await(
                            line,
                            () ->
                                    Optional.of(bridge.metrics().scrape())
                                            .filter(metrics -> metrics.contains(line)));
                }
                assertThat(bridge.status(PacsSrWriteBackService.ROUTE).snapshot().lastError())
                        .isNull();
                assertThat(bridge.deadLetters().list()).hasSize(1);
                // the EHR: one Observation per label (a label version Quorum makes when it links
                // the SR updates the same Observation)
                assertThat(writtenLabels()).hasSize(3);
                assertThat(bridge.status(EhrWriteBackService.ROUTE).snapshot().lastError())
                        .isNull();
            }

            // restarted: neither PACS route writes an SR again, nothing is parked twice, the EHR
            // keeps one Observation per label (a label version the first bridge had not seen yet,
            // such as the one Quorum makes when it links the SR, updates it: not a duplicate)
            DefaultCamelContext again = new DefaultCamelContext();
            NotifyBuilder polls =
                    new NotifyBuilder(again)
                            .fromRoute(PacsSrWriteBackService.DIMSE_ROUTE)
                            .whenCompleted(2)
                            .create();
            try (BridgeApp bridge = BridgeApp.start(config.settings(), Clock.systemUTC(), again)) {
                assertThat(polls.matches(2, TimeUnit.MINUTES)).isTrue();
                String metrics = bridge.metrics().scrape();
                for (String route :
                        List.of(PacsSrWriteBackService.ROUTE, PacsSrWriteBackService.DIMSE_ROUTE)) {
                    assertThat(metrics).contains(delivered(route) + " 0.0");
                    assertThat(bridge.status(route).snapshot().lastError()).as(route).isNull();
                }
                assertThat(bridge.status(EhrWriteBackService.ROUTE).snapshot().lastError())
                        .isNull();
                assertThat(bridge.deadLetters().list()).hasSize(1);
                assertThat(writtenLabels()).hasSize(3);
            }
        }
    }

    private static String delivered(String route) {
        return "quorum_bridge_delivered_records_total{route=\"" + route + "\"}";
    }

    /** The SR as the hospital should see it: original study and patient, no pseudonym left. */
    private static void assertOriginal(
            Path file, String mrn, String dicomName, String pseudonymousStudy, DeidKeyService keys)
            throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toFile());
        assertThat(text(list, TagFromName.Modality)).isEqualTo("SR");
        assertThat(text(list, TagFromName.StudyInstanceUID)).isEqualTo(CT_STUDY);
        assertThat(text(list, TagFromName.PatientID)).isEqualTo(mrn);
        assertThat(text(list, TagFromName.PatientName)).isEqualTo(dicomName);
        assertThat(list.get(TagFromName.PatientIdentityRemoved)).isNull();
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertThat(bytes)
                .contains(CT_SOP)
                .doesNotContain(pseudonymousStudy)
                .doesNotContain(keys.remapUid(CT_SOP))
                .doesNotContain(keys.pseudonym(IdentifierKind.MRN, mrn));
        SrChecks.assertConformant(file);
    }

    /** A test CT with the EHR patient's MRN and name, as the hospital's PACS would hold it. */
    private Path ctOf(String source, String mrn, String dicomName) throws Exception {
        AttributeList list = new AttributeList();
        list.read(TestData.resolve("dicom").resolve(source).toFile());
        LongStringAttribute id = new LongStringAttribute(TagFromName.PatientID);
        id.addValue(mrn);
        list.put(id);
        PersonNameAttribute patientName = new PersonNameAttribute(TagFromName.PatientName);
        patientName.addValue(dicomName);
        list.put(patientName);
        String syntax = text(list, TagFromName.TransferSyntaxUID);
        list.removeMetaInformationHeaderAttributes();
        FileMetaInformation.addFileMetaInformation(list, syntax, "TEST");
        Path out = dir.resolve(source.replace('/', '-'));
        list.write(out.toFile(), syntax, true, true);
        return out;
    }

    private static String mrn(Patient patient) {
        for (Identifier identifier : patient.getIdentifier()) {
            if (identifier.getType().getCoding().stream().anyMatch(c -> "MR".equals(c.getCode()))) {
                return identifier.getValue();
            }
        }
        throw new AssertionError("the test patient has no MRN");
    }

    private static Observation byCode(List<Observation> labels, String code) {
        return labels.stream()
                .filter(o -> code.equals(o.getCode().getCodingFirstRep().getCode()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no label " + code + " in the EHR"));
    }

    private List<Observation> writtenLabels() {
        return ehr.all("Observation").stream()
                .map(Observation.class::cast)
                .filter(
                        o ->
                                o.getIdentifier().stream()
                                        .anyMatch(
                                                i ->
                                                        WriteBackSettings.DEFAULT_SYSTEM.equals(
                                                                        i.getSystem())
                                                                && i.getValue()
                                                                        .startsWith(PROJECT + "/")))
                .toList();
    }

    private static Optional<ImagingStudy> imagingStudy(IGenericClient admin, String study) {
        Bundle found =
                admin.search()
                        .byUrl("ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:" + study)
                        .returnBundle(Bundle.class)
                        .execute();
        return found.getEntry().stream().map(e -> (ImagingStudy) e.getResource()).findFirst();
    }

    private static Optional<JsonNode> srIn(Orthanc orthanc) {
        HttpResponse<byte[]> response =
                orthanc.get(
                        "/dicom-web/studies/" + CT_STUDY + "/instances?Modality=SR",
                        "application/dicom+json");
        assertThat(response.statusCode()).isIn(200, 204);
        if (response.body().length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode found = JSON.readTree(response.body());
            assertThat(found.size()).as("SRs in the original study").isLessThanOrEqualTo(1);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] orthancFile(Orthanc orthanc, String sop) throws Exception {
        HttpResponse<byte[]> find =
                orthanc.post(
                        "/tools/find",
                        "{\"Level\": \"Instance\", \"Query\": {\"SOPInstanceUID\": \""
                                + sop
                                + "\"}}");
        assertThat(find.statusCode()).isEqualTo(200);
        JsonNode ids = JSON.readTree(find.body());
        assertThat(ids).hasSize(1);
        HttpResponse<byte[]> file = orthanc.get("/instances/" + ids.get(0).asText() + "/file");
        assertThat(file.statusCode()).isEqualTo(200);
        return file.body();
    }

    /** Polls {@code probe} (at most 2 minutes) until it finds something. */
    private static <T> T await(String what, Supplier<Optional<T>> probe) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            LockSupport.parkNanos(300_000_000L);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    private static String text(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }
}
