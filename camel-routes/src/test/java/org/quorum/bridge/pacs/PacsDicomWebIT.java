package org.quorum.bridge.pacs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.routes.BridgeRoutes;
import org.quorum.bridge.store.Crosswalk;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Ehr;
import org.quorum.bridge.testing.JavaProcess;
import org.quorum.bridge.testing.Orthanc;
import org.quorum.bridge.testing.Quorum;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.eval.TestData;

/**
 * PACS → bridge → Quorum over DICOMweb against a real Orthanc and the real Quorum: QIDO-RS by date
 * window, WADO-RS, de-identification with the project's keys, quarantine of a burned-in-text
 * suspect, STOW-RS to Quorum, a late instance found by the re-query, nothing sent twice (also
 * across a restart).
 */
class PacsDicomWebIT {

    private static final String ROUTE = BridgeRoutes.PACS_DICOMWEB_ROUTE;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CT_STUDY =
            "1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1";
    private static final String SMALL_CT_STUDY = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
    private static final String DX_STUDY =
            "1.2.826.0.1.3680043.8.498.54401662452014863547255413372440461885";
    private static final String MR_STUDY = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457";
    private static final String US_STUDY = "1.2.840.113696.376376.500.37977461.20170302142445";

    private final Quorum quorum = Quorum.shared();

    @Test
    void studies_arrive_deidentified_late_instances_follow_and_nothing_is_sent_twice()
            throws Exception {
        try (Orthanc pacs = Orthanc.start()) {
            Path dicom = TestData.resolve("dicom");
            // a CT study acquired today, of which the third slice reaches the PACS later
            pacs.store(studyOfToday(dicom.resolve("dcmqi/ct-3slice/01.dcm")));
            pacs.store(studyOfToday(dicom.resolve("dcmqi/ct-3slice/02.dcm")));
            pacs.store(Files.readAllBytes(dicom.resolve("pydicom/CT_small.dcm")));
            pacs.store(Files.readAllBytes(dicom.resolve("pydicom/MR_small.dcm")));
            pacs.store(Files.readAllBytes(dicom.resolve("highdicom/dx_image.dcm")));
            // BurnedInAnnotation YES, and a SECONDARY capture without BurnedInAnnotation NO:
            // both must stay in the bridge
            pacs.store(
                    Files.readAllBytes(
                            TestData.resolve("deid-dicom").resolve("us_GREYSCALE_IMAGE.dcm")));

            BridgeConfig config =
                    BridgeConfig.forProject("pacs-web", quorum)
                            .set("QUORUM_BRIDGE_PACS_DICOMWEB_URL", pacs.dicomWebRoot())
                            .set("QUORUM_BRIDGE_PACS_START", "2000-01-01")
                            .set("QUORUM_BRIDGE_PACS_POLL_INTERVAL", "500ms")
                            .set("QUORUM_BRIDGE_PACS_PAGE_SIZE", "2");
            DeidKeyService keys =
                    new DeidKeyService(config.secret().getBytes(StandardCharsets.UTF_8));
            String ctStudy = keys.remapUid(CT_STUDY);
            long[] mrQuarantineId = {-1};

            DefaultCamelContext camel = new DefaultCamelContext();
            NotifyBuilder firstPoll =
                    new NotifyBuilder(camel).fromRoute(ROUTE).whenCompleted(1).create();
            try (BridgeApp bridge = BridgeApp.start(config.settings(), Clock.systemUTC(), camel)) {
                assertThat(firstPoll.matches(3, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError()).isNull();

                // four instances in Quorum, de-identified; the ultrasound and the MR are not
                // (other tests share this Quorum: its instances are counted study by study)
                JsonNode instances = projectInstances(keys, 4);
                assertThat(instances).hasSize(4);
                String stored = instances.toString();
                for (String phi :
                        List.of(
                                CT_STUDY,
                                US_STUDY,
                                "JANCT000",
                                "CompressedSamples",
                                "AVeryGood",
                                "99000\"",
                                "1CT1",
                                "4MR1")) {
                    assertThat(stored).doesNotContain(phi);
                }
                JsonNode ct = qido("/studies?StudyInstanceUID=" + ctStudy, 1);
                assertThat(ct).hasSize(1);
                // the same pseudonym the FHIR side gives MRN 99000
                assertThat(DicomWebPeer.text(ct.get(0), "00100020"))
                        .isEqualTo(keys.pseudonym(IdentifierKind.MRN, "99000"));
                assertThat(qido("/studies/" + ctStudy + "/instances", 2)).hasSize(2);
                assertThat(qido("/studies?StudyInstanceUID=" + keys.remapUid(US_STUDY), 0))
                        .isEmpty();
                // Quorum mirrored the study as an ImagingStudy
                HttpResponse<String> imagingStudy =
                        quorum.get("/ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:" + ctStudy);
                assertThat(imagingStudy.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(imagingStudy.body()).path("total").asInt()).isEqualTo(1);

                // the crosswalk maps the pseudonymous study back to the PACS's
                assertThat(bridge.crosswalk().originalsOf(Crosswalk.Kind.DICOM_UID, ctStudy))
                        .extracting(Crosswalk.Entry::original, Crosswalk.Entry::source)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple(CT_STUDY, pacs.dicomWebRoot()));

                // the quarantine, through the running bridge's admin API
                HttpResponse<String> quarantined = admin(bridge, config.dataDir());
                assertThat(quarantined.statusCode()).isEqualTo(200);
                JsonNode held = JSON.readTree(quarantined.body());
                assertThat(held).hasSize(2);
                Map<String, String> reasons = new java.util.TreeMap<>();
                held.forEach(
                        e ->
                                reasons.put(
                                        e.path("modality").asText(),
                                        e.path("studyPseudonym").asText()
                                                + " "
                                                + e.path("reason").asText()));
                assertThat(reasons)
                        .containsEntry("US", keys.remapUid(US_STUDY) + " BurnedInAnnotation is YES")
                        .containsEntry(
                                "MR",
                                keys.remapUid(MR_STUDY)
                                        + " ImageType SECONDARY and BurnedInAnnotation is not NO");
                assertThat(quarantined.body()).doesNotContain(US_STUDY).doesNotContain(MR_STUDY);
                held.forEach(
                        e -> {
                            if (e.path("modality").asText().equals("MR")) {
                                mrQuarantineId[0] = e.path("id").asLong();
                            }
                        });

                // the third slice reaches the PACS: the re-query of today's studies finds it
                pacs.store(studyOfToday(dicom.resolve("dcmqi/ct-3slice/03.dcm")));
                assertThat(qido("/studies/" + ctStudy + "/instances", 3)).hasSize(3);

                // more polls send nothing again
                NotifyBuilder more =
                        new NotifyBuilder(camel).fromRoute(ROUTE).whenCompleted(3).create();
                assertThat(more.matches(2, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError()).isNull();
                assertThat(delivered(bridge)).isEqualTo(5.0);
                assertThat(bridge.metrics().scrape())
                        .contains(
                                "quorum_bridge_quarantined_instances_total{route=\""
                                        + ROUTE
                                        + "\"} 2.0");
            }

            // a restarted bridge knows what it delivered: nothing is fetched or sent again
            DefaultCamelContext again = new DefaultCamelContext();
            NotifyBuilder polls =
                    new NotifyBuilder(again).fromRoute(ROUTE).whenCompleted(2).create();
            try (BridgeApp bridge = BridgeApp.start(config.settings(), Clock.systemUTC(), again)) {
                assertThat(polls.matches(2, TimeUnit.MINUTES)).isTrue();
                assertThat(delivered(bridge)).isZero();
                assertThat(bridge.status(ROUTE).snapshot().lastError()).isNull();
            }
            assertThat(projectInstances(keys, 5)).hasSize(5);

            // quorum bridge quarantine list, on the stopped bridge's database
            JavaProcess.Result listed =
                    JavaProcess.run(
                            JavaProcess.jar(
                                    "quorum.bridge.jar",
                                    "package the bridge first (mvn -pl camel-routes package)"),
                            Map.of(),
                            "quarantine",
                            "list",
                            "--config",
                            config.writeFile().toString());
            assertThat(listed.status()).as(listed.output()).isZero();
            assertThat(listed.output())
                    .contains("BurnedInAnnotation is YES")
                    .contains(keys.remapUid(US_STUDY))
                    .contains("2 quarantined instance(s)")
                    .doesNotContain(US_STUDY)
                    .doesNotContain(MR_STUDY);

            // quorum bridge quarantine release: a person checked the MR's pixels. The stopped
            // bridge cannot send it; the running one sends its de-identified copy, once
            Path jar =
                    JavaProcess.jar(
                            "quorum.bridge.jar",
                            "package the bridge first (mvn -pl camel-routes package)");
            String id = Long.toString(mrQuarantineId[0]);
            JavaProcess.Result notRunning =
                    JavaProcess.run(
                            jar,
                            Map.of(),
                            "quarantine",
                            "release",
                            id,
                            "--config",
                            config.writeFile().toString());
            assertThat(notRunning.status()).isEqualTo(1);
            assertThat(notRunning.output()).contains("the bridge is not running");
            String mrStudy = keys.remapUid(MR_STUDY);
            assertThat(qido("/studies?StudyInstanceUID=" + mrStudy, 0)).isEmpty();
            try (BridgeApp bridge = BridgeApp.start(config.settings())) {
                HttpResponse<String> anonymous =
                        HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                bridge.opsUrl()
                                                                        + "/admin/quarantine/"
                                                                        + id
                                                                        + "/release"))
                                                .POST(HttpRequest.BodyPublishers.noBody())
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                assertThat(anonymous.statusCode()).isEqualTo(401);
                JavaProcess.Result released =
                        JavaProcess.run(
                                jar,
                                Map.of(),
                                "quarantine",
                                "release",
                                id,
                                "--config",
                                config.writeFile().toString());
                assertThat(released.status()).as(released.output()).isZero();
                assertThat(released.output()).contains("released and delivered to Quorum");
                JsonNode mr = qido("/studies?StudyInstanceUID=" + mrStudy, 1);
                assertThat(mr).hasSize(1);
                assertThat(mr.toString()).doesNotContain(MR_STUDY).doesNotContain("4MR1");
                HttpResponse<String> left = admin(bridge, config.dataDir());
                assertThat(left.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(left.body())).hasSize(1);
                assertThat(left.body()).contains("BurnedInAnnotation is YES");
                assertThat(delivered(bridge)).isEqualTo(1.0);
                // released once: the id is gone
                JavaProcess.Result twice =
                        JavaProcess.run(
                                jar,
                                Map.of(),
                                "quarantine",
                                "release",
                                id,
                                "--config",
                                config.writeFile().toString());
                assertThat(twice.status()).isEqualTo(1);
                assertThat(twice.output()).contains("404");
            }
            assertThat(projectInstances(keys, 6)).hasSize(6);
        }
    }

    @Test
    void with_accession_numbers_from_the_ehr_only_the_cohorts_studies_are_pulled()
            throws Exception {
        String inCohort = "ACSN-IN-7731";
        String outside = "ACSN-OUT-7732";
        String cohortTag = "urn:quorum:test:cohort";
        Ehr ehr = Ehr.shared();
        String patient = "Patient/" + ehr.all("Patient").get(0).getIdElement().getIdPart();
        // the cohort: an imaging report carrying the order's accession number; a second report
        // with the other study's accession number is in the EHR but not in the cohort query
        ehr.write(
                imagingReport(patient, inCohort)
                        .addIdentifier(
                                new Identifier().setSystem(cohortTag).setValue("pacs-acsn")));
        ehr.write(imagingReport(patient, outside));
        try (Orthanc pacs = Orthanc.start()) {
            Path dicom = TestData.resolve("dicom");
            pacs.store(withAccession(dicom.resolve("pydicom/CT_small.dcm"), inCohort));
            pacs.store(withAccession(dicom.resolve("highdicom/dx_image.dcm"), outside));
            BridgeConfig config =
                    BridgeConfig.forProject("pacs-acsn", quorum)
                            .set("QUORUM_BRIDGE_EHR_URL", ehr.fhirBase())
                            .set(
                                    "QUORUM_BRIDGE_EHR_QUERIES",
                                    "DiagnosticReport?identifier=" + cohortTag + "%7Cpacs-acsn")
                            .set("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "500ms")
                            .set("QUORUM_BRIDGE_PACS_DICOMWEB_URL", pacs.dicomWebRoot())
                            .set("QUORUM_BRIDGE_PACS_START", "2000-01-01")
                            .set("QUORUM_BRIDGE_PACS_ACCESSION_FROM_EHR", "true")
                            .set("QUORUM_BRIDGE_PACS_POLL_INTERVAL", "500ms");
            DeidKeyService keys =
                    new DeidKeyService(config.secret().getBytes(StandardCharsets.UTF_8));
            DefaultCamelContext camel = new DefaultCamelContext();
            try (BridgeApp bridge = BridgeApp.start(config.settings(), Clock.systemUTC(), camel)) {
                // the study ordered in the cohort arrives
                assertThat(qido("/studies?StudyInstanceUID=" + keys.remapUid(SMALL_CT_STUDY), 1))
                        .hasSize(1);
                // more polls: the other study is never asked for
                NotifyBuilder more =
                        new NotifyBuilder(camel).fromRoute(ROUTE).whenCompleted(3).create();
                assertThat(more.matches(2, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError()).isNull();
                HttpResponse<String> dx =
                        quorum.dicomWeb("/studies?StudyInstanceUID=" + keys.remapUid(DX_STUDY));
                assertThat(dx.statusCode()).isIn(200, 204);
                assertThat(dx.body().isEmpty() ? JSON.createArrayNode() : JSON.readTree(dx.body()))
                        .isEmpty();
                assertThat(delivered(bridge)).isEqualTo(1.0);
            }
            // the accession numbers are kept encrypted in the bridge's store
            try (var files = Files.walk(config.dataDir())) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    assertThat(raw).as(file.toString()).doesNotContain(inCohort);
                }
            }
        }
    }

    private static DiagnosticReport imagingReport(String patient, String accession) {
        DiagnosticReport report = new DiagnosticReport();
        report.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
        report.addCategory()
                .addCoding()
                .setSystem("http://terminology.hl7.org/CodeSystem/v2-0074")
                .setCode("RAD");
        report.getCode()
                .addCoding()
                .setSystem("http://loinc.org")
                .setCode("18748-4")
                .setDisplay("Diagnostic imaging study");
        report.setSubject(new Reference(patient));
        report.addIdentifier()
                .setSystem("urn:oid:1.2.826.0.1.3680043.8.498.7731")
                .setValue(accession)
                .getType()
                .addCoding()
                .setSystem("http://terminology.hl7.org/CodeSystem/v2-0203")
                .setCode("ACSN");
        return report;
    }

    /** The file with its Accession Number set. */
    private static byte[] withAccession(Path file, String accession) throws Exception {
        ShortStringAttribute number = new ShortStringAttribute(TagFromName.AccessionNumber);
        number.addValue(accession);
        return rewritten(file, number);
    }

    @Test
    void a_pacs_that_does_not_answer_is_reported_and_nothing_is_recorded() throws Exception {
        int closed = JavaProcess.freePort(); // nothing listens there
        BridgeConfig config =
                BridgeConfig.forProject("pacs-down", quorum)
                        .set(
                                "QUORUM_BRIDGE_PACS_DICOMWEB_URL",
                                "http://127.0.0.1:" + closed + "/dicom-web")
                        .set("QUORUM_BRIDGE_PACS_START", "2000-01-01")
                        .set("QUORUM_BRIDGE_PACS_POLL_INTERVAL", "500ms")
                        .set("QUORUM_BRIDGE_RETRY_MAX_ATTEMPTS", "2");
        DefaultCamelContext camel = new DefaultCamelContext();
        NotifyBuilder polled = new NotifyBuilder(camel).fromRoute(ROUTE).whenDone(2).create();
        try (BridgeApp bridge = BridgeApp.start(config.settings(), Clock.systemUTC(), camel)) {
            assertThat(polled.matches(2, TimeUnit.MINUTES)).isTrue();
            assertThat(bridge.status(ROUTE).snapshot().lastError())
                    .startsWith("pacs ")
                    .containsAnyOf("did not answer", "circuit breaker of pacs is open");
            HttpResponse<String> health =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(bridge.opsUrl() + "/health"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"" + ROUTE + "\":\"failing: ");
            assertThat(delivered(bridge)).isZero();
            assertThat(bridge.status(ROUTE).snapshot().state()).isIn("failing", "running");
            assertThat(bridge.status(ROUTE).snapshot().lastCaughtUp()).isNull();
        }
    }

    /** The file with its Study Date set to today (inside the bridge's re-query window). */
    private static byte[] studyOfToday(Path file) throws Exception {
        String today = DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(ZoneOffset.UTC));
        DateAttribute date = new DateAttribute(TagFromName.StudyDate);
        date.addValue(today);
        return rewritten(file, date);
    }

    /** The file with one attribute replaced, as Part 10 bytes. */
    private static byte[] rewritten(Path file, com.pixelmed.dicom.Attribute attribute)
            throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toFile());
        list.put(attribute);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String syntax =
                list.get(TagFromName.TransferSyntaxUID) == null
                        ? TransferSyntax.ExplicitVRLittleEndian
                        : list.get(TagFromName.TransferSyntaxUID)
                                .getSingleStringValueOrEmptyString();
        com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(list, syntax, "TEST");
        list.write(out, syntax, true, true);
        return out.toByteArray();
    }

    /** The instances of the test's five studies in Quorum, polled until {@code expected}. */
    private JsonNode projectInstances(DeidKeyService keys, int expected) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        com.fasterxml.jackson.databind.node.ArrayNode all = JSON.createArrayNode();
        do {
            all = JSON.createArrayNode();
            for (String study : List.of(CT_STUDY, SMALL_CT_STUDY, DX_STUDY, MR_STUDY, US_STUDY)) {
                HttpResponse<String> response =
                        quorum.dicomWeb("/studies/" + keys.remapUid(study) + "/instances");
                assertThat(response.statusCode()).isIn(200, 204, 404);
                if (response.statusCode() == 200 && !response.body().isEmpty()) {
                    JSON.readTree(response.body()).forEach(all::add);
                }
            }
            if (all.size() >= expected) {
                return all;
            }
            LockSupport.parkNanos(300_000_000L);
        } while (Instant.now().isBefore(deadline));
        return all;
    }

    /** QIDO-RS at Quorum, polled until it lists {@code expected} results (or a minute passed). */
    private JsonNode qido(String pathAndQuery, int expected) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        JsonNode last = JSON.createArrayNode();
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = quorum.dicomWeb(pathAndQuery);
            assertThat(response.statusCode()).isIn(200, 204);
            last =
                    response.body().isEmpty()
                            ? JSON.createArrayNode()
                            : JSON.readTree(response.body());
            if (last.size() >= expected) {
                return last;
            }
            LockSupport.parkNanos(300_000_000L);
        }
        return last;
    }

    private static double delivered(BridgeApp bridge) {
        String prefix = "quorum_bridge_delivered_records_total{route=\"" + ROUTE + "\"} ";
        List<String> lines = new ArrayList<>();
        for (String line : bridge.metrics().scrape().split("\n")) {
            if (line.startsWith(prefix)) {
                lines.add(line);
            }
        }
        return lines.isEmpty() ? 0 : Double.parseDouble(lines.get(0).substring(prefix.length()));
    }

    private static HttpResponse<String> admin(BridgeApp bridge, Path dataDir) throws Exception {
        String token = Files.readString(dataDir.resolve(BridgeApp.ADMIN_TOKEN_FILE)).strip();
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(bridge.opsUrl() + "/admin/quarantine"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
