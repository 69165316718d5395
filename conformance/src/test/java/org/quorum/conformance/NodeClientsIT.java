package org.quorum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.quality.QualityProject;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.RunningServer;

/**
 * Real third-party clients, unchanged, against the running server with a bearer token: {@code
 * fhir-kit-client} and SMART's {@code fhirclient} (search, read, create, transaction, an
 * operation), {@code dicomweb-client} with {@code dcmjs} (STOW-RS, QIDO-RS, WADO-RS metadata and
 * retrieve). They run on Node with the versions pinned in {@code conformance/clients} (installed by
 * {@code ./quorum test} from its package-lock.json); what they did is then checked on the server.
 */
@ExtendWith({RunningServer.class, ConformanceReport.class})
class NodeClientsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static RunningServer server;
    private static ConformanceReport report;
    private static Path clients;
    private static String project;
    private static final List<String> rows = new ArrayList<>();
    private static String nodeVersion = "?";

    @BeforeAll
    static void projectWithLabels(RunningServer running, ConformanceReport conformanceReport)
            throws Exception {
        server = running;
        report = conformanceReport;
        clients = Path.of(System.getProperty("quorum.clients", "clients")).toAbsolutePath();
        assertThat(clients.resolve("node_modules"))
                .as("npm packages of %s: './quorum test' installs them (npm ci)", clients)
                .isDirectory();
        QualityProject quality = QualityProject.create(server.fhirClient(), "node clients " + RUN);
        String a = quality.annotator("A");
        String b = quality.annotator("B");
        for (String code : List.of("pneumonia", "effusion", "pneumonia")) {
            String patient = quality.patient("female", "1970", null);
            String note = quality.note(patient);
            quality.label(a, patient, note, code);
            quality.label(b, patient, note, code);
        }
        quality.commit();
        project = quality.id();
        nodeVersion = run(List.of("node", "--version"), Map.of()).output().strip();
    }

    @AfterAll
    static void writeSection() {
        report.section(
                ConformanceReport.CLIENTS,
                "Real clients",
                "Node "
                        + nodeVersion
                        + "; packages pinned in conformance/clients/package-lock.json. Orthanc's"
                        + " DICOMweb plugin pulls from and pushes to Quorum in the server's ITs"
                        + " (OrthancDicomWebIT, DicomSrIT).\n\n| client | check | result | detail |\n"
                        + "|---|---|---|---|\n"
                        + String.join("\n", rows));
    }

    @Test
    void fhir_kit_client_searches_reads_creates_posts_a_transaction_and_calls_an_operation()
            throws Exception {
        assertAllChecksPass(
                "fhir-kit-client.mjs",
                fhirEnvironment(),
                List.of("create", "read", "search", "transaction", "operation"));
        assertThat(patients("fhir-kit-" + RUN)).isEqualTo(1);
        assertThat(patients("fhir-kit-tx-" + RUN)).isEqualTo(1);
    }

    @Test
    void fhirclient_searches_reads_creates_posts_a_transaction_and_calls_an_operation()
            throws Exception {
        assertAllChecksPass(
                "fhirclient.mjs",
                fhirEnvironment(),
                List.of("create", "read", "search", "transaction", "operation"));
        assertThat(patients("fhirclient-" + RUN)).isEqualTo(1);
        assertThat(patients("fhirclient-tx-" + RUN)).isEqualTo(1);
    }

    @Test
    void dicomweb_client_stores_finds_and_retrieves_an_instance() throws Exception {
        String sop = DicomFiles.newUid();
        Path file =
                Files.createDirectories(EmittedResourcesIT.work().resolve("clients"))
                        .resolve("ct.dcm");
        Files.write(
                file,
                DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        Map.of(
                                "StudyInstanceUID", DicomFiles.newUid(),
                                "SeriesInstanceUID", DicomFiles.newUid(),
                                "SOPInstanceUID", sop)));
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("QUORUM_DICOMWEB", server.baseUrl().resolve("/dicomweb").toString());
        environment.put("QUORUM_TOKEN", server.adminToken());
        environment.put("QUORUM_DICOM_FILE", file.toString());
        assertAllChecksPass(
                "dicomweb-client.mjs",
                environment,
                List.of("STOW-RS", "QIDO-RS", "WADO-RS metadata", "WADO-RS retrieve"));
        HttpResponse<String> qido =
                server.http()
                        .get("/dicomweb/instances?SOPInstanceUID=" + sop, "application/dicom+json");
        assertThat(qido.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(qido.body())).hasSize(1);
    }

    private static Map<String, String> fhirEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("QUORUM_FHIR", server.fhirBase());
        environment.put("QUORUM_TOKEN", server.adminToken());
        environment.put("QUORUM_RUN", RUN);
        environment.put("QUORUM_PROJECT", project);
        return environment;
    }

    private static int patients(String pseudonym) throws IOException {
        HttpResponse<String> search =
                server.http()
                        .get(
                                "/fhir/Patient?identifier=https://quorum.dev/fhir/pseudonym%7C"
                                        + pseudonym,
                                "application/fhir+json");
        assertThat(search.statusCode()).isEqualTo(200);
        return JSON.readTree(search.body()).path("total").asInt();
    }

    private static void assertAllChecksPass(
            String script, Map<String, String> environment, List<String> checks) throws Exception {
        Output output = run(List.of("node", script), environment);
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (String line : output.output().split("\\R")) {
            if (line.startsWith("{")) {
                JsonNode result = JSON.readTree(line);
                results.put(result.path("check").asText(), result);
                rows.add(
                        "| "
                                + result.path("client").asText()
                                + " | "
                                + result.path("check").asText()
                                + " | "
                                + (result.path("ok").asBoolean() ? "pass" : "**FAIL**")
                                + " | "
                                + ConformanceReport.cell(abbreviate(result.path("detail").asText()))
                                + " |");
            }
        }
        assertThat(results.keySet())
                .as("checks run by %s\n%s", script, output.output())
                .containsExactlyElementsOf(checks);
        results.forEach(
                (check, result) ->
                        assertThat(result.path("ok").asBoolean())
                                .as("%s %s: %s", script, check, result.path("detail").asText())
                                .isTrue());
        assertThat(output.exitCode()).as("%s exit code\n%s", script, output.output()).isZero();
    }

    private static String abbreviate(String text) {
        return text.length() > 140 ? text.substring(0, 140) + "…" : text;
    }

    private record Output(int exitCode, String output) {}

    private static Output run(List<String> command, Map<String, String> environment)
            throws Exception {
        Path log = Files.createTempFile("node-client", ".log");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .directory(clients.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new AssertionError(
                        "node is not installed: './quorum test' installs Debian's nodejs", e);
            }
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(
                        command + " did not finish within 3 minutes\n" + Files.readString(log));
            }
            return new Output(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
