package org.quorum.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Ehr;
import org.quorum.bridge.testing.JavaProcess;
import org.quorum.bridge.testing.PhiCheck;
import org.quorum.bridge.testing.Quorum;

/**
 * The packaged bridge run as {@code quorum bridge} would run it: killed with SIGKILL in the middle
 * of a backfill and started again, every note arrives exactly once; its commands report on it; a
 * bad configuration stops it with exit status 78 naming the key.
 */
class BridgeProcessIT {

    static final String PATIENT_A = "129c6ac7-8d06-89de-ad63-0204a93e76c3"; // 90 notes
    static final String PATIENT_B = "a5cb8ce9-cec6-6b23-0990-cbaf753578a4"; // 83 notes

    private final Ehr ehr = Ehr.shared();
    private final Quorum quorum = Quorum.shared();
    private final Path jar =
            JavaProcess.jar(
                    "quorum.bridge.jar", "package the bridge first (mvn -pl camel-routes package)");

    @Test
    void killed_mid_backfill_and_restarted_every_note_arrives_exactly_once() throws Exception {
        String project = "crash";
        int expected = 173;
        BridgeConfig config =
                BridgeConfig.forProject(project, quorum)
                        .set("QUORUM_BRIDGE_EHR_URL", ehr.fhirBase())
                        .set(
                                "QUORUM_BRIDGE_EHR_QUERIES",
                                "DocumentReference?patient="
                                        + PATIENT_A
                                        + " DocumentReference?patient="
                                        + PATIENT_B)
                        .set("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "2s")
                        .set("QUORUM_BRIDGE_EHR_PAGE_SIZE", "10");
        Path file = config.writeFile();

        int atKill;
        try (JavaProcess bridge = JavaProcess.start(jar, Map.of(), "--config", file.toString())) {
            bridge.awaitLine("The Quorum Bridge is ready", Duration.ofMinutes(1));
            assertThat(quorum.awaitCount("DocumentReference", project, 30, Duration.ofMinutes(2)))
                    .isGreaterThanOrEqualTo(30);
            bridge.kill();
            atKill = quorum.count("DocumentReference", project);
        }
        assertThat(atKill).as("killed in the middle of the backfill").isBetween(30, expected - 1);

        try (JavaProcess bridge = JavaProcess.start(jar, Map.of(), "--config", file.toString())) {
            bridge.awaitLine("The Quorum Bridge is ready", Duration.ofMinutes(1));
            assertThat(
                            quorum.awaitCount(
                                    "DocumentReference", project, expected, Duration.ofMinutes(3)))
                    .isEqualTo(expected);
            awaitIdle(file);

            JavaProcess.Result status =
                    JavaProcess.run(jar, Map.of(), "status", "--config", file.toString());
            assertThat(status.status()).isZero();
            assertThat(status.output())
                    .contains("bridge: running at http://127.0.0.1:")
                    .contains("ehr-1")
                    .contains("ehr-2")
                    .contains("dead letters: 0");
            JavaProcess.Result letters =
                    JavaProcess.run(
                            jar, Map.of(), "dead-letters", "list", "--config", file.toString());
            assertThat(letters.status()).isZero();
            assertThat(letters.lastLine()).isEqualTo("0 dead letter(s)");

            // exactly once: every note one resource, in its first version
            List<Resource> notes = quorum.all("DocumentReference", project);
            assertThat(notes).hasSize(expected);
            assertThat(notes)
                    .allSatisfy(r -> assertThat(r.getMeta().getVersionId()).isEqualTo("1"));
            assertThat(quorum.count("Patient", project)).isEqualTo(2);

            List<Resource> stored = new ArrayList<>(notes);
            stored.addAll(quorum.all("Patient", project));
            stored.addAll(quorum.all("Encounter", project));
            Set<String> identifying =
                    PhiCheck.identifyingValues((Patient) ehr.get("Patient/" + PATIENT_A));
            identifying.addAll(
                    PhiCheck.identifyingValues((Patient) ehr.get("Patient/" + PATIENT_B)));
            assertThat(PhiCheck.leaks(ehr.fhirContext(), stored, identifying)).isEmpty();
        }

        // not running: the commands read the bridge's database directly
        JavaProcess.Result offline =
                JavaProcess.run(jar, Map.of(), "status", "--config", file.toString());
        assertThat(offline.status()).isZero();
        assertThat(offline.output())
                .contains("bridge: not running")
                .contains("ehr-1")
                .contains("watermark");
        JavaProcess.Result letters =
                JavaProcess.run(jar, Map.of(), "dead-letters", "list", "--config", file.toString());
        assertThat(letters.lastLine()).isEqualTo("0 dead letter(s)");
    }

    @Test
    void a_bad_configuration_stops_the_bridge_with_exit_78_naming_the_key() throws Exception {
        BridgeConfig config =
                BridgeConfig.forProject("config", quorum)
                        .set("QUORUM_BRIDGE_EHR_URL", ehr.fhirBase())
                        .set("QUORUM_BRIDGE_EHR_QUERIES", "DocumentReference?patient=" + PATIENT_A)
                        .set("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "soon");
        JavaProcess.Result bad =
                JavaProcess.run(jar, Map.of(), "--config", config.writeFile().toString());
        assertThat(bad.status()).isEqualTo(78);
        assertThat(bad.output()).contains("QUORUM_BRIDGE_EHR_POLL_INTERVAL: 'soon' is not allowed");

        JavaProcess.Result unknown =
                JavaProcess.run(
                        jar,
                        Map.of("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "5s"),
                        "--config",
                        config.set("QUORUM_BRIDGE_EHR_QUERYS", "x").writeFile().toString());
        assertThat(unknown.status()).isEqualTo(78);
        assertThat(unknown.output()).contains("QUORUM_BRIDGE_EHR_QUERYS: unknown key");

        JavaProcess.Result secret =
                JavaProcess.run(
                        jar,
                        Map.of("QUORUM_BRIDGE_DEID_SECRET", "tiny-7"),
                        "--config",
                        BridgeConfig.forProject("config2", quorum)
                                .set("QUORUM_BRIDGE_EHR_URL", ehr.fhirBase())
                                .set("QUORUM_BRIDGE_EHR_QUERIES", "DocumentReference")
                                .writeFile()
                                .toString());
        assertThat(secret.status()).isEqualTo(78);
        assertThat(secret.output()).contains("QUORUM_BRIDGE_DEID_SECRET:").doesNotContain("tiny-7");
    }

    /** Waits until {@code status} shows every route idle (caught up with the EHR). */
    private void awaitIdle(Path file) throws InterruptedException {
        Instant end = Instant.now().plusSeconds(60);
        String output = "";
        while (Instant.now().isBefore(end)) {
            output = JavaProcess.run(jar, Map.of(), "status", "--config", file.toString()).output();
            if (output.contains("ehr-1            idle")
                    && output.contains("ehr-2            idle")) {
                return;
            }
        }
        throw new AssertionError("routes not idle within 60 s:\n" + output);
    }
}
