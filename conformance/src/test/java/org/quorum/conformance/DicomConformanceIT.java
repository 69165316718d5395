package org.quorum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.deid.cli.DeidDicomCommand;
import org.quorum.deid.dicom.DicomFolderDeidentifier;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.DicomValidators;
import org.quorum.testing.RunningServer;
import picocli.CommandLine;

/**
 * DICOM conformance of what Quorum emits: every Structured Report the server serves (found by
 * QIDO-RS, retrieved by WADO-RS) passes dciodvfy (no error), dsrdump and PixelMed's
 * DicomSRValidator; the SRs come from image labels of every graphic type and both observer kinds
 * (annotator, AI device). De-identified DICOM ({@code quorum deid dicom} on the shared test files)
 * has no dciodvfy error its original did not have.
 */
@ExtendWith({RunningServer.class, ConformanceReport.class})
class DicomConformanceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    /** Label example, status, graphic type, coordinates: one SR each. */
    private static final List<String[]> LABELS =
            List.of(
                    new String[] {
                        "valid/image-label.json", "final", "POLYLINE", "60 40 80 40 80 60 60 40"
                    },
                    new String[] {"valid/image-label.json", "preliminary", "POINT", "33 44"},
                    new String[] {
                        "valid/image-label.json", "preliminary", "MULTIPOINT", "10 10 20 20 30 30"
                    },
                    new String[] {"valid/image-label.json", "preliminary", "CIRCLE", "50 50 60 50"},
                    new String[] {
                        "valid/image-label.json",
                        "preliminary",
                        "ELLIPSE",
                        "40 50 60 50 50 45 50 55"
                    },
                    new String[] {
                        "valid/ai-label.json", "final", "POLYLINE", "20 20 30 20 30 30 20 20"
                    },
                    new String[] {"valid/ai-label.json", "preliminary", "POINT", "70 70"});

    private static RunningServer server;
    private static ConformanceReport report;
    private static Path work;
    private static final Map<String, Path> servedSrs = new TreeMap<>();
    private static final List<String> srRows = new ArrayList<>();
    private static final List<String> deidRows = new ArrayList<>();
    private static String pixelmedSummary = "not run";

    @BeforeAll
    static void makeSrsAndFetchEveryServedSr(
            RunningServer running, ConformanceReport conformanceReport) throws Exception {
        server = running;
        report = conformanceReport;
        work = Files.createDirectories(EmittedResourcesIT.work().resolve("dicom"));
        IParser parser = server.fhirContext().newJsonParser();
        ImageLabels.storeExampleFixtures(server);
        ImageLabels.StoredImage image =
                ImageLabels.storeImage(
                        server, "pydicom/CT_small.dcm", Map.of("PatientID", "DICOM-CONF-" + RUN));
        for (int i = 0; i < LABELS.size(); i++) {
            String[] label = LABELS.get(i);
            String id = "dicom-conformance-" + RUN + "-" + i;
            ImageLabels.put(
                    server,
                    parser,
                    ImageLabels.label(
                            parser, label[0], id, label[1], image.sop(), label[2], label[3]));
            if (!label[1].equals("final")) {
                ImageLabels.dicomSr(server, id);
            }
        }
        // Every SR series the server holds, whoever made it.
        for (JsonNode series : qido("/dicomweb/series?Modality=SR")) {
            String study = value(series, "0020000D");
            String seriesUid = value(series, "0020000E");
            for (JsonNode instance :
                    qido("/dicomweb/studies/" + study + "/series/" + seriesUid + "/instances")) {
                String sop = value(instance, "00080018");
                Path file = work.resolve("sr-" + sop + ".dcm");
                Files.write(file, retrieve(study, seriesUid, sop));
                servedSrs.put(sop, file);
            }
        }
    }

    @AfterAll
    static void writeSection() {
        report.section(
                ConformanceReport.DICOM,
                "DICOM: Structured Reports and de-identified files",
                "Tools: dciodvfy (Debian dicom3tools), dsrdump (Debian dcmtk), PixelMed"
                        + " DicomSRValidator (Debian libpixelmed-java "
                        + "20220618).\n\n"
                        + "### Every SR the server serves ("
                        + servedSrs.size()
                        + ")\n\n| SOP Instance UID | dciodvfy errors | dciodvfy warnings | dsrdump |\n"
                        + "|---|---:|---:|---|\n"
                        + String.join("\n", srRows)
                        + "\n\nPixelMed DicomSRValidator: "
                        + pixelmedSummary
                        + "\n\n### De-identified DICOM (`quorum deid dicom`, testdata)\n\n"
                        + "| file | errors before | errors after | new errors |\n|---|---:|---:|---|\n"
                        + String.join("\n", deidRows));
    }

    @Test
    void quorum_serves_an_sr_for_every_label_shape_and_observer() {
        assertThat(servedSrs).hasSizeGreaterThanOrEqualTo(LABELS.size());
    }

    @Test
    void every_sr_quorum_serves_passes_dciodvfy_and_dsrdump() {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Path> sr : servedSrs.entrySet()) {
            DicomValidators.Result iod = DicomValidators.dciodvfy(sr.getValue());
            DicomValidators.Result dump = DicomValidators.dsrdump(sr.getValue());
            srRows.add(
                    "| "
                            + sr.getKey()
                            + " | "
                            + iod.errors().size()
                            + " | "
                            + iod.warnings().size()
                            + " | "
                            + (dump.exitCode() == 0 ? "ok" : "**exit " + dump.exitCode() + "**")
                            + " |");
            if (iod.exitCode() != 0 || !iod.errors().isEmpty()) {
                failures.add(sr.getKey() + " dciodvfy:\n" + iod.output());
            }
            if (dump.exitCode() != 0) {
                failures.add(sr.getKey() + " dsrdump:\n" + dump.output());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void every_sr_quorum_serves_passes_pixelmeds_sr_validator() {
        List<Path> files = List.copyOf(servedSrs.values());
        DicomValidators.Result result = DicomValidators.pixelmedSr(files);
        long errors = result.lines().stream().filter(l -> l.contains("Error:")).count();
        long warnings = result.lines().stream().filter(l -> l.contains("Warning:")).count();
        pixelmedSummary =
                files.size()
                        + " SRs, "
                        + errors
                        + " errors, "
                        + warnings
                        + " warnings (exit "
                        + result.exitCode()
                        + ").";
        DicomValidators.assertPixelmedSrValid(files);
    }

    @Test
    void de_identified_dicom_has_no_new_dciodvfy_errors() throws IOException {
        Path testdata = TestData.require();
        List<String> newErrors = new ArrayList<>();
        int compared = 0;
        for (String folder : List.of("dicom", "deid-dicom")) {
            Path in = testdata.resolve(folder);
            Path out = work.resolve("deid-" + folder);
            deidentify(in, out);
            List<Path> outputs;
            try (Stream<Path> files = Files.walk(out)) {
                outputs =
                        files.filter(Files::isRegularFile)
                                .filter(
                                        p ->
                                                !p.startsWith(
                                                        out.resolve(
                                                                DicomFolderDeidentifier
                                                                        .QUARANTINE)))
                                .filter(DicomConformanceIT::isPart10)
                                .sorted()
                                .toList();
            }
            Path quarantine = out.resolve(DicomFolderDeidentifier.QUARANTINE);
            if (Files.isDirectory(quarantine)) {
                try (Stream<Path> files = Files.walk(quarantine)) {
                    long held =
                            files.filter(Files::isRegularFile)
                                    .filter(DicomConformanceIT::isPart10)
                                    .count();
                    deidRows.add(
                            "| "
                                    + folder
                                    + " (quarantined: burned-in text possible, not emitted) | "
                                    + held
                                    + " files | | |");
                }
            }
            for (Path output : outputs) {
                Path original = in.resolve(out.relativize(output).toString());
                Set<String> before = errors(DicomValidators.dciodvfy(original));
                Set<String> after = errors(DicomValidators.dciodvfy(output));
                Set<String> added = new TreeSet<>(after);
                added.removeAll(before);
                compared++;
                deidRows.add(
                        "| "
                                + folder
                                + "/"
                                + out.relativize(output)
                                + " | "
                                + before.size()
                                + " | "
                                + after.size()
                                + " | "
                                + (added.isEmpty()
                                        ? "none"
                                        : "**"
                                                + ConformanceReport.cell(String.join("; ", added))
                                                + "**")
                                + " |");
                added.forEach(e -> newErrors.add(folder + "/" + out.relativize(output) + ": " + e));
            }
        }
        assertThat(compared).as("de-identified files compared").isGreaterThan(10);
        assertThat(newErrors).isEmpty();
    }

    private static void deidentify(Path in, Path out) {
        CommandLine cli =
                new CommandLine(
                        new DeidDicomCommand(
                                Map.of(DeidKeyService.SECRET_ENV, RunningServer.DEID_SECRET),
                                PhiLexicon::standard,
                                Clock.systemUTC()));
        StringWriter output = new StringWriter();
        cli.setOut(new PrintWriter(output));
        cli.setErr(new PrintWriter(output));
        int exit =
                cli.execute(
                        "--in", in.toString(), "--out", out.toString(), "--policy", "date-shift");
        assertThat(exit).as("quorum deid dicom %s\n%s", in, output).isZero();
    }

    /** dciodvfy's error lines, without the values (de-identification changes them). */
    private static Set<String> errors(DicomValidators.Result result) {
        Set<String> errors = new TreeSet<>();
        for (String line : result.errors()) {
            errors.add(
                    line.replaceAll("<[^>]*>", "<>")
                            .replaceAll("\\[[0-9]+\\]", "[]")
                            // UIDs are remapped (PS3.15 E.1 "U"): compare the finding, not the UID.
                            .replaceAll("\\b[0-9]+(\\.[0-9]+){2,}\\b", "<uid>")
                            .replaceAll("(UID )[0-9.]+", "$1<uid>")
                            .strip());
        }
        return errors;
    }

    private static boolean isPart10(Path file) {
        try {
            return DicomFolderDeidentifier.isPart10(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode qido(String path) throws Exception {
        HttpResponse<String> response =
                CLIENT.send(
                        HttpRequest.newBuilder(server.baseUrl().resolve(path))
                                .header("Accept", "application/dicom+json")
                                .header("Authorization", "Bearer " + server.adminToken())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + "\n" + response.body()).isIn(200, 204);
        return response.statusCode() == 204 || response.body().isBlank()
                ? JSON.createArrayNode()
                : JSON.readTree(response.body());
    }

    private static String value(JsonNode dataset, String tag) {
        return dataset.path(tag).path("Value").get(0).asText();
    }

    private static byte[] retrieve(String study, String series, String sop) throws Exception {
        HttpResponse<byte[]> response =
                CLIENT.send(
                        HttpRequest.newBuilder(ImageLabels.wado(server, study, series, sop))
                                .header(
                                        "Accept",
                                        "multipart/related; type=\"application/dicom\"; transfer-syntax=*")
                                .header("Authorization", "Bearer " + server.adminToken())
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        List<byte[]> parts =
                DicomFiles.parts(
                        response.body(), response.headers().firstValue("Content-Type").orElse(""));
        assertThat(parts).hasSize(1);
        return parts.get(0);
    }
}
