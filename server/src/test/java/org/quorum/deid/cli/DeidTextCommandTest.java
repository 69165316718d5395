package org.quorum.deid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.lexicon.PhiLexicon;
import picocli.CommandLine;

class DeidTextCommandTest {

    private static final String SECRET = "cli-test-secret-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> environment, String... args) {
        CommandLine commandLine =
                new CommandLine(new DeidTextCommand(environment, PhiLexicon::standard));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private Path notes(String... lines) throws Exception {
        return Files.write(dir.resolve("notes.ndjson"), List.of(lines), StandardCharsets.UTF_8);
    }

    private List<JsonNode> output() throws Exception {
        return Files.readAllLines(dir.resolve("out.ndjson")).stream()
                .map(
                        line -> {
                            try {
                                return JSON.readTree(line);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        })
                .toList();
    }

    @Test
    void missing_secret_is_a_usage_error_that_says_what_to_set() throws Exception {
        Path in = notes("{\"id\":\"n1\",\"text\":\"hello\"}");

        int exit =
                run(Map.of(), "--in", in.toString(), "--out", dir.resolve("out.ndjson").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("QUORUM_DEID_SECRET", "--secret-file");
        assertThat(dir.resolve("out.ndjson")).doesNotExist();
    }

    @Test
    void unknown_policy_is_a_usage_error() throws Exception {
        Path in = notes("{\"id\":\"n1\",\"text\":\"hello\"}");

        int exit =
                run(
                        Map.of(DeidKeyService.SECRET_ENV, SECRET),
                        "--in",
                        in.toString(),
                        "--out",
                        dir.resolve("out.ndjson").toString(),
                        "--policy",
                        "keep-everything");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("safe-harbor or date-shift");
    }

    @Test
    void each_output_line_keeps_the_id_and_carries_deidentified_text_and_counts() throws Exception {
        Path in =
                notes(
                        "{\"id\":\"n1\",\"text\":\"Mrs. Szöllösy was seen on March 3, 2021. Call 617-555-0199.\"}",
                        "",
                        "{\"id\":\"n2\",\"text\":\"No findings.\"}");

        int exit =
                run(
                        Map.of(DeidKeyService.SECRET_ENV, SECRET),
                        "--in",
                        in.toString(),
                        "--out",
                        dir.resolve("out.ndjson").toString(),
                        "--replace",
                        "tag");

        assertThat(exit).isZero();
        List<JsonNode> lines = output();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).path("id").asText()).isEqualTo("n1");
        assertThat(lines.get(0).path("text").asText())
                .isEqualTo("Mrs. [NAME] was seen on 2021. Call [PHONE].");
        assertThat(lines.get(0).path("counts").path("NAME").asInt()).isEqualTo(1);
        assertThat(lines.get(1).path("text").asText()).isEqualTo("No findings.");
        assertThat(out.toString()).contains("De-identified 2 note(s)").doesNotContain("Szöllösy");
    }

    @Test
    void fhir_context_names_the_patient_and_sets_the_date_offset(@TempDir Path keyDir)
            throws Exception {
        Path context =
                Files.write(
                        dir.resolve("context.ndjson"),
                        List.of(
                                "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"identifier\":[{\"type\":{\"coding\":[{\"code\":\"MR\"}]},"
                                        + "\"value\":\"MRN-42\"}],\"name\":[{\"family\":\"Green\",\"given\":[\"Grace\"]}]}",
                                "{\"resourceType\":\"Practitioner\",\"id\":\"d1\",\"name\":[{\"family\":\"Stone\",\"given\":[\"Wendy\"]}]}"),
                        StandardCharsets.UTF_8);
        Path in =
                notes(
                        "{\"id\":\"n1\",\"patient\":\"Patient/p1\",\"text\":\"grace green seen 2021-03-04 by wendy stone.\"}");
        Path secretFile = Files.writeString(keyDir.resolve("deid.key"), SECRET + "\n");

        int exit =
                run(
                        Map.of(),
                        "--in",
                        in.toString(),
                        "--out",
                        dir.resolve("out.ndjson").toString(),
                        "--fhir-context",
                        context.toString(),
                        "--policy",
                        "date-shift",
                        "--secret-file",
                        secretFile.toString(),
                        "--replace",
                        "tag");

        assertThat(exit).isZero();
        DeidKeyService keys = new DeidKeyService(SECRET.getBytes(StandardCharsets.UTF_8));
        String shifted =
                LocalDate.of(2021, 3, 4).plusDays(keys.dateOffsetDays("MRN-42")).toString();
        JsonNode line = output().get(0);
        assertThat(line.path("text").asText()).isEqualTo("[NAME] seen " + shifted + " by [NAME].");
        assertThat(line.path("patientPseudonym").asText())
                .isEqualTo(keys.pseudonym(IdentifierKind.MRN, "MRN-42"));
    }

    @Test
    void a_line_that_is_not_json_is_reported_by_number_without_its_content() throws Exception {
        Path in = notes("{\"id\":\"n1\",\"text\":\"fine\"}", "Jane Doe 555-0199 not json");

        int exit =
                run(
                        Map.of(DeidKeyService.SECRET_ENV, SECRET),
                        "--in",
                        in.toString(),
                        "--out",
                        dir.resolve("out.ndjson").toString());

        assertThat(exit).isEqualTo(DeidTextCommand.EXIT_IO_ERROR);
        assertThat(err.toString()).contains("line 2").doesNotContain("Jane");
    }
}
