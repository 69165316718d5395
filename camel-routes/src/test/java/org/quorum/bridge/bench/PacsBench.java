package org.quorum.bridge.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.routes.BridgeRoutes;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.JavaProcess;
import org.quorum.bridge.testing.Orthanc;
import org.quorum.bridge.testing.Quorum;
import org.quorum.deid.text.eval.TestData;

/**
 * PACS → bridge → Quorum throughput over DICOMweb and over C-MOVE, next to a plain Orthanc →
 * Orthanc transfer of the same studies (HTTP peers and DICOM C-STORE), in one run:
 *
 * <ol>
 *   <li>Orthanc A (the PACS) is loaded with {@code studies} copies of {@code
 *       testdata/dicom/dcmqi/ct-3slice} (3 CT slices, 526 KB each), each copy with its own patient,
 *       Study, Series and SOP Instance UIDs and today's Study Date;
 *   <li>the bridge pulls them into a fresh Quorum over DICOMweb (QIDO-RS, WADO-RS,
 *       de-identification, STOW-RS), then, for a second project (other keys, so other pseudonymous
 *       UIDs), over DIMSE (C-FIND, C-MOVE to its SCP): instances / time from the start of the first
 *       poll to the end of the poll that caught up;
 *   <li>Orthanc A sends the same studies to Orthanc B through {@code /peers/b/store} (HTTP) and
 *       {@code /modalities/b/store} (C-STORE): instances / time of the call.
 * </ol>
 *
 * Run by {@code conformance/bench/pacs-bench.sh}.
 */
public final class PacsBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PacsBench() {}

    public static void main(String[] args) throws Exception {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Quorum quorum = Quorum.startNew();
        int scpPort = JavaProcess.freePort();
        try (Orthanc b = Orthanc.start();
                Orthanc a =
                        Orthanc.start(
                                "\"OrthancPeers\": {\"b\": [\""
                                        + b.baseUrl()
                                        + "/\"]}, \"DicomModalities\": {\"b\": [\"ORTHANC\","
                                        + " \"127.0.0.1\", "
                                        + b.dicomPort()
                                        + "], \"bridge\": [\"QUORUM_BRIDGE\", \"127.0.0.1\", "
                                        + scpPort
                                        + "]},")) {
            int instances = load(a, studies);
            System.out.printf(
                    Locale.ROOT,
                    "data: %d studies x 3 CT slices of testdata/dicom/dcmqi/ct-3slice (526 KB"
                            + " each, uncompressed), new UIDs per copy; not used to tune anything%n",
                    studies);

            double web =
                    bridge(
                            BridgeConfig.forProject("bench-web", quorum)
                                    .set("QUORUM_BRIDGE_PACS_DICOMWEB_URL", a.dicomWebRoot()),
                            BridgeRoutes.PACS_DICOMWEB_ROUTE,
                            instances);
            double move =
                    bridge(
                            BridgeConfig.forProject("bench-move", quorum)
                                    .set("QUORUM_BRIDGE_PACS_DIMSE_HOST", "127.0.0.1")
                                    .set(
                                            "QUORUM_BRIDGE_PACS_DIMSE_PORT",
                                            Integer.toString(a.dicomPort()))
                                    .set("QUORUM_BRIDGE_PACS_DIMSE_AET", "ORTHANC")
                                    .set("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE", "move")
                                    .set(
                                            "QUORUM_BRIDGE_PACS_DIMSE_SCP_PORT",
                                            Integer.toString(scpPort)),
                            BridgeRoutes.PACS_DIMSE_ROUTE,
                            instances);

            List<String> ids = new ArrayList<>();
            JSON.readTree(a.get("/studies").body()).forEach(id -> ids.add(id.asText()));
            String body = JSON.writeValueAsString(ids);
            Instant started = Instant.now();
            HttpResponse<byte[]> peer = a.post("/peers/b/store", body);
            double peerSeconds = seconds(started);
            check(peer, "peers/b/store");
            Instant startedDimse = Instant.now();
            HttpResponse<byte[]> modality = a.post("/modalities/b/store", body);
            double modalitySeconds = seconds(startedDimse);
            check(modality, "modalities/b/store");

            System.out.printf(
                    Locale.ROOT,
                    "%-58s %9s %9s %12s%n",
                    "run",
                    "instances",
                    "seconds",
                    "instances/s");
            row("bridge, DICOMweb (QIDO, WADO, de-identification, STOW to Quorum)", instances, web);
            row("bridge, DIMSE (C-FIND, C-MOVE, de-identification, STOW)", instances, move);
            row("Orthanc -> Orthanc, /peers/b/store (HTTP)", instances, peerSeconds);
            row("Orthanc -> Orthanc, /modalities/b/store (C-STORE)", instances, modalitySeconds);
            System.out.printf(
                    Locale.ROOT,
                    "ratios: DICOMweb bridge / HTTP peer %.2f; C-MOVE bridge / C-STORE %.2f%n",
                    peerSeconds / web,
                    modalitySeconds / move);
        } finally {
            quorum.stop();
        }
    }

    private static double bridge(BridgeConfig config, String route, int instances)
            throws Exception {
        config.set("QUORUM_BRIDGE_PACS_START", "2000-01-01")
                .set("QUORUM_BRIDGE_PACS_POLL_INTERVAL", "1h");
        DefaultCamelContext camel = new DefaultCamelContext();
        NotifyBuilder caughtUp = new NotifyBuilder(camel).fromRoute(route).whenDone(1).create();
        try (BridgeApp bridge = BridgeApp.start(config.settings(), Clock.systemUTC(), camel)) {
            Instant started = Instant.now();
            if (!caughtUp.matches(60, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the bridge did not catch up within 60 minutes");
            }
            double seconds = seconds(started);
            String prefix = "quorum_bridge_delivered_records_total{route=\"" + route + "\"} ";
            double delivered = 0;
            for (String line : bridge.metrics().scrape().split("\n")) {
                if (line.startsWith(prefix)) {
                    delivered = Double.parseDouble(line.substring(prefix.length()));
                }
            }
            if (delivered != instances) {
                throw new IllegalStateException(
                        route
                                + " delivered "
                                + delivered
                                + " of "
                                + instances
                                + ": "
                                + bridge.status(route).snapshot().lastError());
            }
            return seconds;
        }
    }

    private static int load(Orthanc pacs, int studies) throws Exception {
        Path slices = TestData.resolve("dicom").resolve("dcmqi/ct-3slice");
        String today = DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(ZoneOffset.UTC));
        int count = 0;
        for (int study = 1; study <= studies; study++) {
            String studyUid = "2.25." + (9_000_000_000L + study);
            String seriesUid = studyUid + ".1";
            for (int slice = 1; slice <= 3; slice++) {
                AttributeList list = new AttributeList();
                list.read(slices.resolve("0" + slice + ".dcm").toFile());
                set(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), studyUid);
                set(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), seriesUid);
                set(
                        list,
                        new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID),
                        seriesUid + "." + slice);
                set(list, new LongStringAttribute(TagFromName.PatientID), "BENCH" + study);
                set(list, new DateAttribute(TagFromName.StudyDate), today);
                String syntax =
                        list.get(TagFromName.TransferSyntaxUID).getSingleStringValueOrEmptyString();
                list.removeMetaInformationHeaderAttributes();
                com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(
                        list, syntax, "BENCH");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                list.write(out, syntax, true, true);
                pacs.store(out.toByteArray());
                count++;
            }
        }
        return count;
    }

    private static void set(
            AttributeList list, com.pixelmed.dicom.Attribute attribute, String value)
            throws com.pixelmed.dicom.DicomException {
        attribute.addValue(value);
        list.put(attribute);
    }

    private static void check(HttpResponse<byte[]> response, String what) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    what
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + new String(response.body()));
        }
    }

    private static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }

    private static void row(String run, int instances, double seconds) {
        System.out.printf(
                Locale.ROOT,
                "%-58s %9d %9.1f %12.1f%n",
                run,
                instances,
                seconds,
                instances / seconds);
    }
}
