package org.quorum.bridge.pacs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.TagFromName;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.routes.BridgeRoutes;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Dcmqrscp;
import org.quorum.bridge.testing.JavaProcess;
import org.quorum.bridge.testing.Quorum;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.eval.TestData;

/**
 * PACS → bridge → Quorum over DIMSE against dcmtk's dcmqrscp: C-FIND level by level, C-MOVE to the
 * bridge's own C-STORE SCP and C-GET on one association; de-identified like the DICOMweb route; a
 * late instance follows; a restarted bridge fetches nothing again; a wrong AE title is reported,
 * nothing is delivered; a C-MOVE destination the PACS does not know is reported, asked again at
 * every poll, and nothing is lost once the PACS knows the bridge.
 */
class PacsDimseIT {

    private static final String ROUTE = BridgeRoutes.PACS_DIMSE_ROUTE;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CT_STUDY =
            "1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1";
    private static final String SMALL_CT_STUDY = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";

    private final Quorum quorum = Quorum.shared();

    @TempDir Path dir;

    @Test
    void c_move_and_c_get_bring_studies_in_once_and_a_wrong_ae_title_is_reported()
            throws Exception {
        int scpPort = JavaProcess.freePort();
        try (Dcmqrscp pacs = Dcmqrscp.start("QUORUM_BRIDGE", scpPort)) {
            Path dicom = TestData.resolve("dicom");
            pacs.store(
                    ofToday(dicom.resolve("dcmqi/ct-3slice/01.dcm"), "01.dcm"),
                    ofToday(dicom.resolve("dcmqi/ct-3slice/02.dcm"), "02.dcm"),
                    dicom.resolve("pydicom/CT_small.dcm"));

            BridgeConfig move =
                    config("pacs-dimse-move", pacs)
                            .set("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE", "move")
                            .set("QUORUM_BRIDGE_PACS_DIMSE_SCP_PORT", Integer.toString(scpPort));
            DeidKeyService keys = keys(move);
            DefaultCamelContext camel = new DefaultCamelContext();
            NotifyBuilder firstPoll =
                    new NotifyBuilder(camel).fromRoute(ROUTE).whenCompleted(1).create();
            try (BridgeApp bridge = BridgeApp.start(move.settings(), Clock.systemUTC(), camel)) {
                assertThat(firstPoll.matches(3, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError()).as(pacs.log()).isNull();
                JsonNode ct = instances(keys.remapUid(CT_STUDY), 2);
                assertThat(ct).hasSize(2);
                assertThat(ct.toString())
                        .doesNotContain(CT_STUDY)
                        .doesNotContain("JANCT000")
                        .contains(keys.pseudonym(IdentifierKind.MRN, "99000"));
                assertThat(instances(keys.remapUid(SMALL_CT_STUDY), 1)).hasSize(1);

                // the third slice reaches the PACS later: the next polls move it
                pacs.store(ofToday(dicom.resolve("dcmqi/ct-3slice/03.dcm"), "03.dcm"));
                assertThat(instances(keys.remapUid(CT_STUDY), 3)).hasSize(3);
                NotifyBuilder more =
                        new NotifyBuilder(camel).fromRoute(ROUTE).whenCompleted(3).create();
                assertThat(more.matches(2, TimeUnit.MINUTES)).isTrue();
                assertThat(delivered(bridge)).isEqualTo(4.0);
            }
            // restarted: nothing is moved or sent again
            DefaultCamelContext again = new DefaultCamelContext();
            NotifyBuilder polls =
                    new NotifyBuilder(again).fromRoute(ROUTE).whenCompleted(2).create();
            try (BridgeApp bridge = BridgeApp.start(move.settings(), Clock.systemUTC(), again)) {
                assertThat(polls.matches(2, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError()).isNull();
                assertThat(delivered(bridge)).isZero();
            }

            // C-GET, one association per retrieve, no SCP of the bridge's own
            BridgeConfig get =
                    config("pacs-dimse-get", pacs).set("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE", "get");
            DeidKeyService getKeys = keys(get);
            DefaultCamelContext getCamel = new DefaultCamelContext();
            NotifyBuilder gotten =
                    new NotifyBuilder(getCamel).fromRoute(ROUTE).whenCompleted(1).create();
            try (BridgeApp bridge = BridgeApp.start(get.settings(), Clock.systemUTC(), getCamel)) {
                assertThat(gotten.matches(3, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError()).as(pacs.log()).isNull();
                assertThat(instances(getKeys.remapUid(CT_STUDY), 3)).hasSize(3);
                assertThat(instances(getKeys.remapUid(SMALL_CT_STUDY), 1)).hasSize(1);
            }

            // the PACS does not know the called AE title: reported, nothing delivered
            BridgeConfig wrong =
                    config("pacs-dimse-wrong", pacs)
                            .set("QUORUM_BRIDGE_PACS_DIMSE_AET", "NOT_THE_PACS")
                            .set("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE", "get");
            DefaultCamelContext wrongCamel = new DefaultCamelContext();
            NotifyBuilder refused =
                    new NotifyBuilder(wrongCamel).fromRoute(ROUTE).whenDone(1).create();
            try (BridgeApp bridge =
                    BridgeApp.start(wrong.settings(), Clock.systemUTC(), wrongCamel)) {
                assertThat(refused.matches(2, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError())
                        .contains("rejected the association");
                assertThat(delivered(bridge)).isZero();
            }
            assertThat(instances(keys(wrong).remapUid(CT_STUDY), 0)).isEmpty();

            // the PACS does not know the bridge's AE title as a move destination: it refuses the
            // C-MOVE (A801). Reported in the status, health and metrics; not the instances'
            // fault, so nothing is parked; every poll asks again; nothing is lost once the PACS
            // knows the bridge
            BridgeConfig unknown =
                    config("pacs-dimse-unknown", pacs)
                            .set("QUORUM_BRIDGE_PACS_DIMSE_CALLING_AET", "UNKNOWN_DEST")
                            .set("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE", "move")
                            .set(
                                    "QUORUM_BRIDGE_PACS_DIMSE_SCP_PORT",
                                    Integer.toString(JavaProcess.freePort()));
            DefaultCamelContext unknownCamel = new DefaultCamelContext();
            NotifyBuilder twoPolls =
                    new NotifyBuilder(unknownCamel).fromRoute(ROUTE).whenDone(2).create();
            try (BridgeApp bridge =
                    BridgeApp.start(unknown.settings(), Clock.systemUTC(), unknownCamel)) {
                assertThat(twoPolls.matches(2, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError())
                        .as(pacs.log())
                        .contains("status A801")
                        .contains("move destination unknown")
                        .contains("UNKNOWN_DEST");
                HttpResponse<String> health =
                        HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(
                                                        URI.create(bridge.opsUrl() + "/health"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body())
                        .contains("\"" + ROUTE + "\":\"failing: ")
                        .contains("A801");
                // one refused retrieve per poll, each poll asked again
                assertThat(metric(bridge, "quorum_bridge_failed_records_total"))
                        .isGreaterThanOrEqualTo(2.0);
                assertThat(delivered(bridge)).isZero();
                assertThat(metric(bridge, "quorum_bridge_dead_lettered_records_total")).isZero();
                assertThat(bridge.deadLetters().list()).isEmpty();
            }
            assertThat(instances(keys(unknown).remapUid(CT_STUDY), 0)).isEmpty();
            // set right (the AE title the PACS knows, at its port): every instance arrives, once
            unknown.set("QUORUM_BRIDGE_PACS_DIMSE_CALLING_AET", "QUORUM_BRIDGE")
                    .set("QUORUM_BRIDGE_PACS_DIMSE_SCP_PORT", Integer.toString(scpPort));
            DefaultCamelContext fixedCamel = new DefaultCamelContext();
            NotifyBuilder fixedPoll =
                    new NotifyBuilder(fixedCamel).fromRoute(ROUTE).whenCompleted(1).create();
            try (BridgeApp bridge =
                    BridgeApp.start(unknown.settings(), Clock.systemUTC(), fixedCamel)) {
                assertThat(fixedPoll.matches(3, TimeUnit.MINUTES)).isTrue();
                assertThat(bridge.status(ROUTE).snapshot().lastError()).as(pacs.log()).isNull();
                assertThat(delivered(bridge)).isEqualTo(4.0);
                assertThat(instances(keys(unknown).remapUid(CT_STUDY), 3)).hasSize(3);
                assertThat(instances(keys(unknown).remapUid(SMALL_CT_STUDY), 1)).hasSize(1);
            }
        }
    }

    private BridgeConfig config(String project, Dcmqrscp pacs) {
        return BridgeConfig.forProject(project, quorum)
                .set("QUORUM_BRIDGE_PACS_DIMSE_HOST", "127.0.0.1")
                .set("QUORUM_BRIDGE_PACS_DIMSE_PORT", Integer.toString(pacs.port()))
                .set("QUORUM_BRIDGE_PACS_DIMSE_AET", Dcmqrscp.AE_TITLE)
                .set("QUORUM_BRIDGE_PACS_DIMSE_CALLING_AET", "QUORUM_BRIDGE")
                .set("QUORUM_BRIDGE_PACS_DIMSE_TIMEOUT", "30s")
                .set("QUORUM_BRIDGE_PACS_START", "2000-01-01")
                .set("QUORUM_BRIDGE_PACS_POLL_INTERVAL", "500ms");
    }

    private static DeidKeyService keys(BridgeConfig config) {
        return new DeidKeyService(config.secret().getBytes(StandardCharsets.UTF_8));
    }

    /** The file with its Study Date set to today (inside the re-query window). */
    private Path ofToday(Path file, String name) throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toFile());
        DateAttribute date = new DateAttribute(TagFromName.StudyDate);
        date.addValue(DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(ZoneOffset.UTC)));
        list.put(date);
        String syntax = list.get(TagFromName.TransferSyntaxUID).getSingleStringValueOrEmptyString();
        list.removeMetaInformationHeaderAttributes();
        com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(list, syntax, "TEST");
        Path out = dir.resolve(name);
        list.write(out.toFile(), syntax, true, true);
        return out;
    }

    /** QIDO-RS at Quorum for a study's instances, polled until {@code expected} are listed. */
    private JsonNode instances(String study, int expected) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        JsonNode last = JSON.createArrayNode();
        do {
            HttpResponse<String> response = quorum.dicomWeb("/studies/" + study + "/instances");
            assertThat(response.statusCode()).isIn(200, 204, 404);
            last =
                    response.statusCode() != 200 || response.body().isEmpty()
                            ? JSON.createArrayNode()
                            : JSON.readTree(response.body());
            if (last.size() >= expected) {
                return last;
            }
            LockSupport.parkNanos(300_000_000L);
        } while (Instant.now().isBefore(deadline));
        return last;
    }

    private static double delivered(BridgeApp bridge) {
        return metric(bridge, "quorum_bridge_delivered_records_total");
    }

    private static double metric(BridgeApp bridge, String name) {
        String prefix = name + "{route=\"" + ROUTE + "\"} ";
        for (String line : bridge.metrics().scrape().split("\n")) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(prefix.length()));
            }
        }
        return 0;
    }
}
