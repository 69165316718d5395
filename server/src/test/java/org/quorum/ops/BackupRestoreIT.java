package org.quorum.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.Http;
import org.quorum.testing.RetryingWriters;
import org.quorum.testing.ServerProcess;

/**
 * {@code quorum backup} and {@code quorum restore} of the embedded installation (issue 18): a
 * backup taken online while clients write labels and store DICOM instances, restored into a fresh
 * data directory and served by a new server, holds every write acknowledged before the backup
 * began, with the counts its manifest states and the DICOM files byte for byte; an offline backup
 * of the stopped server counts what that server held.
 */
class BackupRestoreIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    /** A restored installation keeps its public address, so its tokens stay valid. */
    private static final String ISSUER = "http://quorum-backup.test";

    @Test
    void a_backup_taken_under_load_restores_every_acknowledged_write_with_its_checksums()
            throws Exception {
        Path work = Files.createTempDirectory("quorum-backup-it-");
        Path original = work.resolve("original");
        Path restoredDir = work.resolve("restored");
        Map<String, String> originalEnv = settings(original);
        Map<String, String> restoredEnv = settings(restoredDir);
        Path online = work.resolve("online.zip");
        Path offline = work.resolve("offline.zip");

        Set<String> labelsBefore;
        Map<String, String> stowedBefore;
        long observationsAtStop;
        try (ServerProcess server = ServerProcess.start(originalEnv)) {
            server.awaitLine("Quorum is ready", Duration.ofMinutes(6));
            URI base = url(originalEnv);
            ServerProcess.cli(originalEnv, "user", "add", "admin", "--role", "project-admin");
            String token =
                    ServerProcess.lastLine(
                            ServerProcess.cli(originalEnv, "user", "token", "admin"));
            Http http = new Http(base, token);
            HttpResponse<String> patient =
                    http.postFhir("/fhir/Patient", "{\"resourceType\":\"Patient\"}");
            assertThat(patient.statusCode()).isEqualTo(201);
            String subject = "Patient/" + JSON.readTree(patient.body()).path("id").asText();

            Map<String, String> stowed = new ConcurrentHashMap<>();
            AtomicBoolean storing = new AtomicBoolean(true);
            Thread dicom = new Thread(() -> storeUntilStopped(http, stowed, storing), "stow-load");
            try (RetryingWriters labels =
                    new RetryingWriters(base, token, subject, "urn:quorum:test:backup:" + RUN, 2)) {
                dicom.start();
                labels.awaitAcknowledged(20, Duration.ofMinutes(2));
                awaitSize(stowed, 3);
                labelsBefore = labels.acknowledgedValues();
                stowedBefore = new HashMap<>(stowed);

                String out = ServerProcess.cli(originalEnv, "backup", "--out", online.toString());
                assertThat(out).contains("online").contains("checksums verified");

                labels.awaitAcknowledged(labelsBefore.size() + 10, Duration.ofMinutes(2));
                labels.stop();
                storing.set(false);
                dicom.join(Duration.ofMinutes(2).toMillis());
            }
            observationsAtStop = total(http, "/fhir/Observation?_summary=count");
            assertThat(server.stop(Duration.ofMinutes(1))).isIn(0, 143);
        }

        // Offline: nothing runs on the directory, the CLI opens the database itself.
        String out = ServerProcess.cli(originalEnv, "backup", "--out", offline.toString());
        assertThat(out).contains("offline");
        assertThat(
                        manifest(offline)
                                .path("counts")
                                .path("fhir_resources")
                                .path("Observation")
                                .asLong())
                .isEqualTo(observationsAtStop);

        String restore = ServerProcess.cli(restoredEnv, "restore", "--in", online.toString());
        assertThat(restore).contains("counts and checksums verified");
        JsonNode manifest = manifest(online);
        try (ServerProcess server = ServerProcess.start(restoredEnv)) {
            server.awaitLine("Quorum is ready", Duration.ofMinutes(6));
            URI base = url(restoredEnv);
            // The users and keys came back: the restored CLI's token works.
            String token =
                    ServerProcess.lastLine(
                            ServerProcess.cli(restoredEnv, "user", "token", "admin"));
            Http http = new Http(base, token);

            JsonNode counts = manifest.path("counts").path("fhir_resources");
            for (String type : List.of("Observation", "Patient")) {
                assertThat(total(http, "/fhir/" + type + "?_summary=count"))
                        .as("%s in the restored server vs the manifest", type)
                        .isEqualTo(counts.path(type).asLong());
            }
            HttpResponse<String> instances =
                    http.get("/dicomweb/instances?limit=1000", "application/dicom+json");
            assertThat(instances.statusCode()).isEqualTo(200);
            long restoredInstances = JSON.readTree(instances.body()).size();
            assertThat(restoredInstances)
                    .isEqualTo(manifest.path("counts").path("dicom_instances").asLong());
            // Each STOW above is a study of its own. The backup may hold studies whose ImagingStudy
            // the mirror queue had not written yet; their queue rows came back with them, so the
            // restored server mirrors every study (the search waits for the queue).
            long mirrored = total(http, "/fhir/ImagingStudy?_summary=count");
            assertThat(mirrored)
                    .as("ImagingStudy in the restored server vs its studies")
                    .isEqualTo(restoredInstances)
                    .isGreaterThanOrEqualTo(counts.path("ImagingStudy").asLong());

            try (RetryingWriters reader =
                    new RetryingWriters(
                            base, token, "Patient/none", "urn:quorum:test:backup:" + RUN, 0)) {
                Map<String, Integer> stored = reader.storedValues(base);
                assertThat(stored.keySet()).containsAll(labelsBefore);
                assertThat(stored.values()).allMatch(count -> count == 1);
            }
            for (Map.Entry<String, String> instance : stowedBefore.entrySet()) {
                assertThat(sha256(wado(base, token, instance.getKey())))
                        .as("restored instance %s", instance.getKey())
                        .isEqualTo(instance.getValue());
            }
        }
    }

    private static Map<String, String> settings(Path dataDir) {
        return Map.of(
                "QUORUM_HTTP_PORT",
                Integer.toString(ServerProcess.freePort()),
                "QUORUM_HTTP_HOST",
                "127.0.0.1",
                "QUORUM_DATA_DIR",
                dataDir.toString(),
                "QUORUM_AUTH_ISSUER",
                ISSUER);
    }

    private static URI url(Map<String, String> settings) {
        return URI.create("http://127.0.0.1:" + settings.get("QUORUM_HTTP_PORT"));
    }

    /** STOWs fresh single-instance studies until told to stop; records what was acknowledged. */
    private static void storeUntilStopped(
            Http http, Map<String, String> stowed, AtomicBoolean storing) {
        for (int i = 0; storing.get(); i++) {
            String sop = DicomFiles.newUid();
            byte[] file =
                    DicomFiles.copy(
                            "pydicom/CT_small.dcm",
                            Map.of(
                                    "StudyInstanceUID", DicomFiles.newUid(),
                                    "SeriesInstanceUID", DicomFiles.newUid(),
                                    "SOPInstanceUID", sop));
            HttpResponse<String> response =
                    http.post(
                            "/dicomweb/studies",
                            "multipart/related; type=\"application/dicom\"; boundary=backup" + i,
                            DicomFiles.multipart("backup" + i, file));
            if (response.statusCode() == 200) {
                stowed.put(sop, sha256(file));
            }
        }
    }

    private static void awaitSize(Map<String, String> map, int size) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (map.size() < size) {
            assertThat(System.nanoTime())
                    .as("%d instances stored in time", size)
                    .isLessThan(deadline);
            org.quorum.testing.QuorumCluster.pollPause(Duration.ofMillis(100));
        }
    }

    private static long total(Http http, String path) throws Exception {
        HttpResponse<String> response = http.get(path, "application/fhir+json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("total").asLong();
    }

    private static byte[] wado(URI base, String token, String sop) throws Exception {
        HttpResponse<String> found =
                new Http(base, token)
                        .get("/dicomweb/instances?SOPInstanceUID=" + sop, "application/dicom+json");
        JsonNode match = JSON.readTree(found.body()).get(0);
        String study = match.path("0020000D").path("Value").get(0).asText();
        String series = match.path("0020000E").path("Value").get(0).asText();
        HttpResponse<byte[]> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                base.resolve(
                                                        "/dicomweb/studies/"
                                                                + study
                                                                + "/series/"
                                                                + series
                                                                + "/instances/"
                                                                + sop))
                                        .header("Authorization", "Bearer " + token)
                                        .header(
                                                "Accept",
                                                "multipart/related; type=application/dicom")
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        List<byte[]> parts =
                DicomFiles.parts(
                        response.body(),
                        response.headers().firstValue("Content-Type").orElseThrow());
        assertThat(parts).hasSize(1);
        return parts.get(0);
    }

    private static JsonNode manifest(Path archive) throws Exception {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            return JSON.readTree(zip.getInputStream(zip.getEntry("manifest.json")));
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
