package org.quorum.dicom.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.security.Role;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.RunningServer;

/**
 * The command-line client an integrator tries first: {@code curl} STOWs a study (chunked), finds it
 * with QIDO and retrieves it with WADO-RS byte-identical; the study is mirrored as an ImagingStudy.
 */
@ExtendWith(RunningServer.class)
class CurlDicomWebIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void curl_stows_finds_and_retrieves_a_study(RunningServer server, @TempDir Path dir)
            throws Exception {
        String study = DicomFiles.newUid();
        String series = DicomFiles.newUid();
        String sop = DicomFiles.newUid();
        byte[] original =
                DicomFiles.copy(
                        "pydicom/MR_small.dcm",
                        Map.of(
                                "StudyInstanceUID", study,
                                "SeriesInstanceUID", series,
                                "SOPInstanceUID", sop));
        String boundary = "curl-boundary-7f3a";
        Path body = dir.resolve("stow.multipart");
        Files.write(body, DicomFiles.multipart(boundary, original));
        String subject = "curl-" + sop.substring(sop.length() - 12);
        String auth =
                "Authorization: Bearer "
                        + server.token(
                                subject,
                                Set.of(Role.PROJECT_ADMIN),
                                "user/*.cruds",
                                Optional.empty(),
                                Set.of());
        String base = server.baseUrl().resolve("/dicomweb").toString();

        Curl stow =
                curl(
                        dir,
                        "-X",
                        "POST",
                        "-H",
                        auth,
                        "-H",
                        "Content-Type: multipart/related; type=\"application/dicom\"; boundary="
                                + boundary,
                        "-H",
                        "Accept: application/dicom+json",
                        "-H",
                        "Transfer-Encoding: chunked",
                        "--data-binary",
                        "@" + body,
                        base + "/studies");
        assertThat(stow.status()).as(stow.body()).isEqualTo(200);
        JsonNode referenced = JSON.readTree(stow.body()).path("00081199").path("Value");
        assertThat(referenced).hasSize(1);
        assertThat(referenced.get(0).path("00081155").path("Value").get(0).asText()).isEqualTo(sop);

        Curl qido =
                curl(
                        dir,
                        "-H",
                        auth,
                        "-H",
                        "Accept: application/dicom+json",
                        base + "/studies?StudyInstanceUID=" + study + "&includefield=all");
        assertThat(qido.status()).as(qido.body()).isEqualTo(200);
        JsonNode found = JSON.readTree(qido.body());
        assertThat(found).hasSize(1);
        assertThat(found.get(0).path("0020000D").path("Value").get(0).asText()).isEqualTo(study);

        Path retrieved = dir.resolve("retrieved.multipart");
        Curl wado =
                curl(
                        dir,
                        "-H",
                        auth,
                        "-H",
                        "Accept: multipart/related; type=\"application/dicom\"; transfer-syntax=*",
                        "-o",
                        retrieved.toString(),
                        "-D",
                        dir.resolve("headers.txt").toString(),
                        base + "/studies/" + study);
        assertThat(wado.status()).isEqualTo(200);
        String contentType =
                Files.readAllLines(dir.resolve("headers.txt")).stream()
                        .filter(l -> l.toLowerCase().startsWith("content-type:"))
                        .map(l -> l.substring("content-type:".length()).strip())
                        .reduce((a, b) -> b)
                        .orElseThrow();
        List<byte[]> parts = DicomFiles.parts(Files.readAllBytes(retrieved), contentType);
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0)).isEqualTo(original);

        Curl mirror =
                curl(
                        dir,
                        "-H",
                        auth,
                        server.fhirBase()
                                + "/ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:"
                                + study);
        assertThat(mirror.status()).isEqualTo(200);
        JsonNode bundle = JSON.readTree(mirror.body());
        assertThat(bundle.path("entry")).hasSize(1);
        JsonNode imagingStudy = bundle.path("entry").get(0).path("resource");
        assertThat(imagingStudy.path("series").get(0).path("uid").asText()).isEqualTo(series);
        assertThat(imagingStudy.path("series").get(0).path("modality").path("code").asText())
                .isEqualTo("MR");

        // Each DICOMweb request is audited with its own action: STOW creates, QIDO/WADO read.
        server.flushAudit();
        Bundle events =
                server.fhirClient(server.auditorToken())
                        .search()
                        .byUrl("AuditEvent?altid=" + subject + "&_count=50")
                        .returnBundle(Bundle.class)
                        .execute();
        Map<String, List<String>> actionsByPath = new java.util.TreeMap<>();
        for (Bundle.BundleEntryComponent entry : events.getEntry()) {
            AuditEvent event = (AuditEvent) entry.getResource();
            String path =
                    event.getEntity().stream()
                            .map(e -> e.getWhat().getDisplay())
                            .filter(d -> d != null && d.startsWith("/dicomweb"))
                            .findFirst()
                            .orElse("");
            actionsByPath
                    .computeIfAbsent(path, k -> new ArrayList<>())
                    .add(event.getAction().toCode());
        }
        assertThat(actionsByPath.get("/dicomweb/studies"))
                .as(actionsByPath.toString())
                .contains("C");
        assertThat(actionsByPath.get("/dicomweb/studies/" + study))
                .as(actionsByPath.toString())
                .containsOnly("R");
    }

    private record Curl(int status, String body) {}

    /** Runs curl; the last line of its output is the HTTP status ({@code -w}). */
    private static Curl curl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-w", "\n%{http_code}"));
        command.addAll(List.of(args));
        Process process;
        try {
            process =
                    new ProcessBuilder(command)
                            .directory(dir.toFile())
                            .redirectErrorStream(true)
                            .start();
        } catch (IOException e) {
            throw new AssertionError("curl is missing: install the Debian package curl", e);
        }
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
        String text = new String(out, StandardCharsets.UTF_8);
        int cut = text.lastIndexOf('\n');
        return new Curl(Integer.parseInt(text.substring(cut + 1).strip()), text.substring(0, cut));
    }
}
