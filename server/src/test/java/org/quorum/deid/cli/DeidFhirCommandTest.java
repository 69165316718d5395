package org.quorum.deid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.config.DeidSettings;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.lexicon.PhiLexicon;
import picocli.CommandLine;

class DeidFhirCommandTest {

    private static final String SECRET = "cli-test-secret-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);

    private static final String PATIENT =
            "{\"resourceType\":\"Patient\",\"id\":\"p1\","
                    + "\"extension\":[{\"url\":\"http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName\",\"valueString\":\"Vandermeer\"}],"
                    + "\"identifier\":[{\"type\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},"
                    + "\"system\":\"http://hospital.example/mrn\",\"value\":\"MRN4471\"}],"
                    + "\"name\":[{\"family\":\"Quackenbush\",\"given\":[\"Eleanor\"]}],"
                    + "\"telecom\":[{\"system\":\"phone\",\"value\":\"555-201-7788\"}],"
                    + "\"address\":[{\"line\":[\"12 Elm Street\"],\"city\":\"Springfield\",\"state\":\"MA\",\"postalCode\":\"03601\"}],"
                    + "\"birthDate\":\"1961-03-14\"}";
    private static final String ENCOUNTER =
            "{\"resourceType\":\"Encounter\",\"id\":\"e1\",\"status\":\"finished\","
                    + "\"class\":{\"code\":\"AMB\"},"
                    + "\"subject\":{\"reference\":\"Patient/p1\",\"display\":\"Eleanor Quackenbush\"},"
                    + "\"period\":{\"start\":\"2020-05-01T10:00:00Z\",\"end\":\"2020-05-03T10:00:00Z\"}}";

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int fhir(Map<String, String> environment, String... args) {
        CommandLine commandLine =
                new CommandLine(new DeidFhirCommand(environment, PhiLexicon::standard, CLOCK));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private Path write(String name, String... lines) throws Exception {
        return Files.write(dir.resolve(name), List.of(lines), StandardCharsets.UTF_8);
    }

    private List<JsonNode> lines(Path file) throws Exception {
        return Files.readAllLines(file).stream()
                .filter(l -> !l.isBlank())
                .map(
                        l -> {
                            try {
                                return JSON.readTree(l);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        })
                .toList();
    }

    @Test
    void missing_secret_is_a_usage_error_that_says_what_to_set() throws Exception {
        Path in = write("in.ndjson", PATIENT);

        int exit = fhir(Map.of(), "--in", in.toString(), "--out", dir.resolve("o").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("QUORUM_DEID_SECRET", "--secret-file");
        assertThat(dir.resolve("o")).doesNotExist();
    }

    @Test
    void the_secret_file_variable_gives_the_same_keys_as_the_secret_itself() throws Exception {
        Path in = write("in.ndjson", PATIENT);
        Path secretFile = Files.writeString(dir.resolve("deid.key"), SECRET + "\n");

        int byValue =
                fhir(
                        Map.of(DeidKeyService.SECRET_ENV, SECRET),
                        "--in",
                        in.toString(),
                        "--out",
                        dir.resolve("by-value.ndjson").toString());
        int byFile =
                fhir(
                        Map.of(DeidSettings.SECRET_FILE, secretFile.toString()),
                        "--in",
                        in.toString(),
                        "--out",
                        dir.resolve("by-file.ndjson").toString());
        int both =
                fhir(
                        Map.of(
                                DeidKeyService.SECRET_ENV,
                                SECRET,
                                DeidSettings.SECRET_FILE,
                                secretFile.toString()),
                        "--in",
                        in.toString(),
                        "--out",
                        dir.resolve("both.ndjson").toString());

        assertThat(byValue).isZero();
        assertThat(byFile).isZero();
        assertThat(lines(dir.resolve("by-file.ndjson")).get(0))
                .isEqualTo(lines(dir.resolve("by-value.ndjson")).get(0));
        assertThat(both).isEqualTo(2);
        assertThat(err.toString()).contains("not both").doesNotContain(SECRET);
    }

    @Test
    void bad_input_names_the_line_never_its_content() throws Exception {
        Path in =
                write(
                        "in.ndjson",
                        PATIENT,
                        "{\"resourceType\":\"Nonsense\",\"secret\":\"Quackenbush\"}");

        int exit =
                fhir(
                        Map.of(DeidKeyService.SECRET_ENV, SECRET),
                        "--in",
                        in.toString(),
                        "--out",
                        dir.resolve("o").toString());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString())
                .contains("line 2")
                .doesNotContain("Quackenbush")
                .doesNotContain("Nonsense");
    }

    @Test
    void ndjson_in_ndjson_out_with_a_provenance_per_resource() throws Exception {
        Path in = write("in.ndjson", PATIENT, ENCOUNTER);
        Path o = dir.resolve("out.ndjson");

        int exit =
                fhir(
                        Map.of(DeidKeyService.SECRET_ENV, SECRET),
                        "--in",
                        in.toString(),
                        "--out",
                        o.toString());

        assertThat(exit).isEqualTo(0);
        String text = Files.readString(o);
        assertThat(text)
                .doesNotContain("Quackenbush", "Eleanor", "Vandermeer", "MRN4471", "555-201-7788")
                .doesNotContain("Elm Street", "Springfield", "03601", "1961-03-14", "\"p1\"");
        List<JsonNode> result = lines(o);
        assertThat(result).hasSize(4);
        JsonNode patient = result.get(0);
        assertThat(patient.path("address").get(0).path("postalCode").asText())
                .as("036 is a restricted three-digit ZIP")
                .isEqualTo("000");
        assertThat(patient.path("address").get(0).path("state").asText()).isEqualTo("MA");
        assertThat(patient.path("birthDate").asText()).isEqualTo("1961");
        JsonNode encounter = result.get(2);
        assertThat(encounter.path("subject").path("reference").asText())
                .isEqualTo("Patient/" + patient.path("id").asText());
        assertThat(encounter.path("period").path("start").asText()).isEqualTo("2020");
        JsonNode provenance = result.get(1);
        assertThat(provenance.path("resourceType").asText()).isEqualTo("Provenance");
        assertThat(provenance.path("target").get(0).path("reference").asText())
                .isEqualTo("Patient/" + patient.path("id").asText());
        assertThat(provenance.toString()).contains("\"EXTENSION\"", "\"TELECOM\"", "DEID");
    }

    @Test
    void a_bundle_comes_back_as_a_bundle_with_linked_urn_references() throws Exception {
        String bundle =
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[\n"
                        + "{\"fullUrl\":\"urn:uuid:11111111-1111-1111-1111-111111111111\",\"resource\":"
                        + PATIENT.replace("\"id\":\"p1\",", "")
                        + ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},\n"
                        + "{\"fullUrl\":\"urn:uuid:22222222-2222-2222-2222-222222222222\",\"resource\":"
                        + ENCOUNTER
                                .replace("\"id\":\"e1\",", "")
                                .replace(
                                        "Patient/p1",
                                        "urn:uuid:11111111-1111-1111-1111-111111111111")
                        + ",\"request\":{\"method\":\"POST\",\"url\":\"Encounter\"}}\n]}";
        Path in = write("bundle.json", bundle);
        Path o = dir.resolve("out.json");

        int exit =
                fhir(
                        Map.of(DeidKeyService.SECRET_ENV, SECRET),
                        "--in",
                        in.toString(),
                        "--out",
                        o.toString(),
                        "--policy",
                        "date-shift");

        assertThat(exit).as(err.toString()).isEqualTo(0);
        JsonNode result = JSON.readTree(o.toFile());
        assertThat(result.path("resourceType").asText()).isEqualTo("Bundle");
        assertThat(result.path("entry")).hasSize(4);
        String patientUrl = result.path("entry").get(0).path("fullUrl").asText();
        assertThat(patientUrl)
                .startsWith("urn:uuid:")
                .isNotEqualTo("urn:uuid:11111111-1111-1111-1111-111111111111");
        assertThat(
                        result.path("entry")
                                .get(1)
                                .path("resource")
                                .path("subject")
                                .path("reference")
                                .asText())
                .isEqualTo(patientUrl);
        assertThat(result.toString()).doesNotContain("Quackenbush", "MRN4471", "1961-03-14");
    }

    @Test
    void the_patient_gets_the_same_pseudonym_and_date_offset_as_in_deid_text() throws Exception {
        Path context = write("context.ndjson", PATIENT);
        Path notes =
                write(
                        "notes.ndjson",
                        "{\"id\":\"n1\",\"text\":\"Seen on 2020-05-01.\",\"patient\":\"Patient/p1\"}");
        CommandLine text =
                new CommandLine(
                        new DeidTextCommand(
                                Map.of(DeidKeyService.SECRET_ENV, SECRET), PhiLexicon::standard));
        text.setOut(new PrintWriter(out, true));
        text.setErr(new PrintWriter(err, true));
        Path textOut = dir.resolve("notes.out.ndjson");
        assertThat(
                        text.execute(
                                "--in",
                                notes.toString(),
                                "--out",
                                textOut.toString(),
                                "--fhir-context",
                                context.toString(),
                                "--policy",
                                "date-shift"))
                .isZero();
        Path fhirOut = dir.resolve("fhir.out.ndjson");
        assertThat(
                        fhir(
                                Map.of(DeidKeyService.SECRET_ENV, SECRET),
                                "--in",
                                write("in.ndjson", PATIENT, ENCOUNTER).toString(),
                                "--out",
                                fhirOut.toString(),
                                "--policy",
                                "date-shift"))
                .isZero();

        JsonNode note = lines(textOut).get(0);
        List<JsonNode> resources = lines(fhirOut);
        assertThat(resources.get(0).path("id").asText())
                .isEqualTo(note.path("patientPseudonym").asText());
        LocalDate shiftedInNote =
                LocalDate.parse(
                        note.path("text").asText().replaceAll(".*(\\d{4}-\\d{2}-\\d{2}).*", "$1"));
        String encounterStart = resources.get(2).path("period").path("start").asText();
        assertThat(LocalDate.parse(encounterStart.substring(0, 10))).isEqualTo(shiftedInNote);
    }
}
