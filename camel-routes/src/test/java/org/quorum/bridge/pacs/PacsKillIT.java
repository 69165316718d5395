package org.quorum.bridge.pacs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Dcmqrscp;
import org.quorum.bridge.testing.JavaProcess;
import org.quorum.bridge.testing.Quorum;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.eval.TestData;

/**
 * The packaged bridge killed with SIGKILL in the middle of a C-MOVE backfill from dcmqrscp, then
 * restarted: every instance arrives in Quorum, none twice, nothing is parked.
 */
class PacsKillIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STUDIES = 12;

    private final Quorum quorum = Quorum.shared();
    private final Path jar =
            JavaProcess.jar(
                    "quorum.bridge.jar", "package the bridge first (mvn -pl camel-routes package)");

    @TempDir Path dir;

    @Test
    void killed_during_c_move_and_restarted_every_instance_arrives_once() throws Exception {
        int scpPort = JavaProcess.freePort();
        try (Dcmqrscp pacs = Dcmqrscp.start("QUORUM_BRIDGE", scpPort)) {
            List<String> studies = seed(pacs);
            int expected = STUDIES * 3;
            BridgeConfig config =
                    BridgeConfig.forProject("pacs-kill", quorum)
                            .set("QUORUM_BRIDGE_PACS_DIMSE_HOST", "127.0.0.1")
                            .set("QUORUM_BRIDGE_PACS_DIMSE_PORT", Integer.toString(pacs.port()))
                            .set("QUORUM_BRIDGE_PACS_DIMSE_AET", Dcmqrscp.AE_TITLE)
                            .set("QUORUM_BRIDGE_PACS_DIMSE_RETRIEVE", "move")
                            .set("QUORUM_BRIDGE_PACS_DIMSE_SCP_PORT", Integer.toString(scpPort))
                            .set("QUORUM_BRIDGE_PACS_START", "2000-01-01")
                            .set("QUORUM_BRIDGE_PACS_POLL_INTERVAL", "1s");
            DeidKeyService keys =
                    new DeidKeyService(config.secret().getBytes(StandardCharsets.UTF_8));
            List<String> pseudonymous = studies.stream().map(keys::remapUid).toList();
            Path file = config.writeFile();

            int atKill;
            try (JavaProcess bridge =
                    JavaProcess.start(jar, Map.of(), "--config", file.toString())) {
                bridge.awaitLine("The Quorum Bridge is ready", Duration.ofMinutes(1));
                assertThat(awaitInstances(pseudonymous, 3)).isGreaterThanOrEqualTo(3);
                bridge.kill();
                atKill = count(pseudonymous);
            }
            assertThat(atKill).as("killed in the middle of the backfill").isLessThan(expected);

            try (JavaProcess bridge =
                    JavaProcess.start(jar, Map.of(), "--config", file.toString())) {
                bridge.awaitLine("The Quorum Bridge is ready", Duration.ofMinutes(1));
                assertThat(awaitInstances(pseudonymous, expected)).isEqualTo(expected);
            }
            JavaProcess.Result letters =
                    JavaProcess.run(
                            jar, Map.of(), "dead-letters", "list", "--config", file.toString());
            assertThat(letters.status()).as(letters.output()).isZero();
            assertThat(letters.output()).contains("0 dead letter(s)");
        }
    }

    /**
     * {@code STUDIES} copies of the 3-slice CT, each with its own patient and UIDs, dated today.
     */
    private List<String> seed(Dcmqrscp pacs) throws Exception {
        Path slices = TestData.resolve("dicom").resolve("dcmqi/ct-3slice");
        String today = DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(ZoneOffset.UTC));
        List<String> studies = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int study = 1; study <= STUDIES; study++) {
            String studyUid = "2.25." + (7_000_000_000L + study);
            studies.add(studyUid);
            for (int slice = 1; slice <= 3; slice++) {
                AttributeList list = new AttributeList();
                list.read(slices.resolve("0" + slice + ".dcm").toFile());
                put(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), studyUid);
                put(
                        list,
                        new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID),
                        studyUid + ".1");
                put(
                        list,
                        new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID),
                        studyUid + ".1." + slice);
                put(list, new LongStringAttribute(TagFromName.PatientID), "KILL" + study);
                put(list, new DateAttribute(TagFromName.StudyDate), today);
                String syntax =
                        list.get(TagFromName.TransferSyntaxUID).getSingleStringValueOrEmptyString();
                list.removeMetaInformationHeaderAttributes();
                com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(list, syntax, "TEST");
                Path out = dir.resolve(study + "-" + slice + ".dcm");
                list.write(out.toFile(), syntax, true, true);
                files.add(out);
            }
        }
        pacs.store(files.toArray(Path[]::new));
        return studies;
    }

    private static void put(
            AttributeList list, com.pixelmed.dicom.Attribute attribute, String value)
            throws com.pixelmed.dicom.DicomException {
        attribute.addValue(value);
        list.put(attribute);
    }

    private int count(List<String> studies) throws Exception {
        int total = 0;
        for (String study : studies) {
            HttpResponse<String> response = quorum.dicomWeb("/studies/" + study + "/instances");
            assertThat(response.statusCode()).isIn(200, 204, 404);
            if (response.statusCode() == 200 && !response.body().isEmpty()) {
                total += JSON.readTree(response.body()).size();
            }
        }
        return total;
    }

    private int awaitInstances(List<String> studies, int atLeast) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        int last = count(studies);
        while (last < atLeast && Instant.now().isBefore(deadline)) {
            LockSupport.parkNanos(200_000_000L);
            last = count(studies);
        }
        return last;
    }
}
