package org.quorum.deid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.deid.dicom.DicomFolderDeidentifier;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;
import picocli.CommandLine;

/**
 * One patient through the three CLIs with one secret: {@code deid fhir} on the Patient and an
 * Encounter, {@code deid text} on a note about the patient, {@code deid dicom} on an image whose
 * PatientID is the patient's MRN. The pseudonym is the same everywhere, and every date moves by the
 * same number of days.
 */
class OnePatientAcrossModalitiesTest {

    private static final String SECRET = "cross-modal-secret-0123456789abcdef";
    private static final Map<String, String> ENV = Map.of(DeidKeyService.SECRET_ENV, SECRET);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);

    /** ctbrain1.dcm's fake PatientID (seeded PHI in the shared data). */
    private static final String MRN = "00007041776";

    @TempDir Path dir;

    @Test
    void fhir_text_and_dicom_agree_on_pseudonym_and_date_offset() throws Exception {
        Path resources =
                Files.write(
                        dir.resolve("resources.ndjson"),
                        List.of(
                                "{\"resourceType\":\"Patient\",\"id\":\"homer\",\"identifier\":[{\"type\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]},\"value\":\""
                                        + MRN
                                        + "\"}],\"name\":[{\"family\":\"Simpson\",\"given\":[\"Homer\"]}],\"birthDate\":\"1956-05-12\"}",
                                "{\"resourceType\":\"Encounter\",\"id\":\"visit\",\"status\":\"finished\",\"class\":{\"code\":\"AMB\"},\"subject\":{\"reference\":\"Patient/homer\"},\"period\":{\"start\":\"2021-03-04T09:00:00Z\"}}"),
                        StandardCharsets.UTF_8);
        Path notes =
                Files.write(
                        dir.resolve("notes.ndjson"),
                        List.of(
                                "{\"id\":\"n1\",\"patient\":\"Patient/homer\",\"text\":\"Homer Simpson was seen on 2021-03-04 for headaches.\"}"),
                        StandardCharsets.UTF_8);
        Path images = Files.createDirectories(dir.resolve("images"));
        Path image = TestData.require().resolve("deid-dicom/ctbrain1.dcm");
        Files.copy(image, images.resolve("ctbrain1.dcm"));

        run(
                new DeidFhirCommand(ENV, PhiLexicon::standard, CLOCK),
                "--in",
                resources.toString(),
                "--out",
                dir.resolve("fhir-out.ndjson").toString(),
                "--policy",
                "date-shift");
        run(
                new DeidTextCommand(ENV, PhiLexicon::standard),
                "--in",
                notes.toString(),
                "--out",
                dir.resolve("text-out.ndjson").toString(),
                "--fhir-context",
                resources.toString(),
                "--policy",
                "date-shift");
        run(
                new DeidDicomCommand(ENV, PhiLexicon::standard, CLOCK),
                "--in",
                images.toString(),
                "--out",
                dir.resolve("dicom-out").toString(),
                "--policy",
                "date-shift");

        DeidKeyService keys = new DeidKeyService(SECRET.getBytes(StandardCharsets.UTF_8));
        String pseudonym = keys.pseudonym(IdentifierKind.MRN, MRN);
        long offset = keys.dateOffsetDays(MRN);
        assertThat(offset).isNotZero();

        // FHIR
        JsonNode patient = null;
        JsonNode encounter = null;
        for (String line : Files.readAllLines(dir.resolve("fhir-out.ndjson"))) {
            JsonNode resource = JSON.readTree(line);
            switch (resource.path("resourceType").asText()) {
                case "Patient" -> patient = resource;
                case "Encounter" -> encounter = resource;
                default -> {}
            }
        }
        assertThat(patient).isNotNull();
        assertThat(encounter).isNotNull();
        assertThat(patient.path("id").asText()).isEqualTo(pseudonym);
        assertThat(patient.path("identifier").get(0).path("value").asText()).isEqualTo(pseudonym);
        assertThat(encounter.path("subject").path("reference").asText())
                .isEqualTo("Patient/" + pseudonym);
        LocalDate fhirVisit =
                LocalDate.parse(encounter.path("period").path("start").asText().substring(0, 10));
        assertThat(ChronoUnit.DAYS.between(LocalDate.of(2021, 3, 4), fhirVisit)).isEqualTo(offset);

        // Text
        JsonNode note = JSON.readTree(Files.readAllLines(dir.resolve("text-out.ndjson")).get(0));
        assertThat(note.path("patientPseudonym").asText()).isEqualTo(pseudonym);
        assertThat(note.path("text").asText())
                .contains(fhirVisit.toString())
                .doesNotContain("Homer")
                .doesNotContain("Simpson")
                .doesNotContain("2021-03-04");

        // DICOM (ctbrain1 is a secondary capture: de-identified, then quarantined for its pixels)
        List<Path> written = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir.resolve("dicom-out"))) {
            files.filter(f -> f.toString().endsWith(".dcm")).forEach(written::add);
        }
        assertThat(written).hasSize(1);
        assertThat(written.get(0).toString()).contains(DicomFolderDeidentifier.QUARANTINE);
        AttributeList original = new AttributeList();
        original.read(image.toFile());
        AttributeList deidentified = new AttributeList();
        deidentified.read(written.get(0).toFile());
        assertThat(
                        deidentified
                                .get(TagFromName.PatientID)
                                .getSingleStringValueOrEmptyString()
                                .strip())
                .isEqualTo(pseudonym);
        LocalDate studyBefore = dicomDate(original);
        LocalDate studyAfter = dicomDate(deidentified);
        assertThat(ChronoUnit.DAYS.between(studyBefore, studyAfter)).isEqualTo(offset);
    }

    private static LocalDate dicomDate(AttributeList list) {
        return LocalDate.parse(
                list.get(TagFromName.StudyDate).getSingleStringValueOrEmptyString().strip(),
                DateTimeFormatter.BASIC_ISO_DATE);
    }

    private static void run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        assertThat(exit).as("%s\n%s", out, err).isZero();
    }
}
