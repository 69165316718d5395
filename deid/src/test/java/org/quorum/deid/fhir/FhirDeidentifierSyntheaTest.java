package org.quorum.deid.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.FhirKnownPhiReader;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;

/** Runs the de-identifier over the shared Synthea sample (10 patients, every resource file). */
class FhirDeidentifierSyntheaTest {

    static final String SECRET = "synthea-test-secret-0123456789abcdef";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);
    static final FhirContext FHIR = FhirContext.forR4Cached();
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern REFERENCE = Pattern.compile("\"reference\":\"([^\"]*)\"");

    static List<String> inputLines;
    static List<Resource> input;
    static FhirDeidentifier.Result safeHarbor;
    static String safeHarborJson;

    @BeforeAll
    static void run() throws IOException {
        Path dir = TestData.require().resolve("synthea-10pt");
        inputLines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file :
                    files.filter(p -> p.getFileName().toString().matches("[A-Z].*\\.ndjson"))
                            .sorted()
                            .toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        inputLines.add(line);
                    }
                }
            }
        }
        IParser parser = FHIR.newJsonParser();
        input = inputLines.stream().map(l -> (Resource) parser.parseResource(l)).toList();
        safeHarbor = deidentifier(SECRET, DatePolicy.SAFE_HARBOR).deidentify(input);
        safeHarborJson = encode(safeHarbor);
    }

    static FhirDeidentifier deidentifier(String secret, DatePolicy policy) {
        return new FhirDeidentifier(
                FHIR,
                new DeidKeyService(secret.getBytes(StandardCharsets.UTF_8)),
                PhiLexicon.standard(),
                policy,
                CLOCK);
    }

    static String encode(FhirDeidentifier.Result result) {
        IParser parser = FHIR.newJsonParser();
        StringBuilder out = new StringBuilder();
        for (Resource r : result.resources()) {
            out.append(parser.encodeResourceToString(r)).append('\n');
        }
        for (Resource r : result.provenances()) {
            out.append(parser.encodeResourceToString(r)).append('\n');
        }
        return out.toString();
    }

    static JsonNode tree(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every identifying value of the input that must not survive. */
    static Set<String> identifyingValues() {
        Set<String> values = new TreeSet<>();
        for (String line : inputLines) {
            JsonNode r = tree(line);
            String type = r.path("resourceType").asText();
            for (JsonNode name : r.path("name")) {
                if (name.isTextual()) {
                    continue;
                }
                values.add(name.path("family").asText(""));
                name.path("given").forEach(g -> values.add(g.asText()));
                values.add(name.path("text").asText(""));
            }
            r.findValues("telecom")
                    .forEach(t -> t.forEach(c -> values.add(c.path("value").asText(""))));
            for (JsonNode address : r.findValues("address")) {
                for (JsonNode a : address.isArray() ? address : List.of(address)) {
                    a.path("line").forEach(l -> values.add(l.asText()));
                    values.add(a.path("city").asText(""));
                    values.add(a.path("postalCode").asText(""));
                }
            }
            values.add(r.path("birthDate").asText(""));
            r.path("identifier").forEach(i -> values.add(i.path("value").asText("")));
            if (type.equals("Patient")) {
                r.path("extension").forEach(e -> values.add(e.path("valueString").asText("")));
                values.add(r.path("id").asText());
            }
            if (type.equals("Organization") || type.equals("Location")) {
                // Our choice: organisation and location names are treated as identifying.
                values.add(r.path("name").asText(""));
            }
        }
        values.removeIf(v -> v.isBlank() || v.length() < 3 || v.equals("White"));
        return values;
    }

    @Test
    void no_original_identifying_value_occurs_anywhere_in_the_output() {
        Set<String> values = identifyingValues();
        assertThat(values).hasSizeGreaterThan(200);
        // The output JSON plus the decoded text of every attachment.
        StringBuilder haystack = new StringBuilder(safeHarborJson);
        for (Resource r : safeHarbor.resources()) {
            for (org.hl7.fhir.r4.model.Attachment a :
                    FHIR.newTerser()
                            .getAllPopulatedChildElementsOfType(
                                    r, org.hl7.fhir.r4.model.Attachment.class)) {
                if (a.hasData()) {
                    haystack.append('\n').append(new String(a.getData(), StandardCharsets.UTF_8));
                }
            }
        }
        String all = haystack.toString();
        Set<String> words = new HashSet<>(List.of(all.split("[^A-Za-z0-9]+")));
        Set<String> hyphenated = new HashSet<>(List.of(all.split("[^A-Za-z0-9-]+")));
        List<String> leaked = new ArrayList<>();
        for (String value : values) {
            boolean found;
            if (value.matches("[A-Za-z0-9]+")) {
                found = words.contains(value);
            } else if (value.matches("[A-Za-z0-9-]+")) {
                found = hyphenated.contains(value);
            } else {
                found = containsAsWhole(all, value);
            }
            if (found) {
                leaked.add(value);
            }
        }
        assertThat(leaked).as("identifying values left in the output").isEmpty();
    }

    private static boolean containsAsWhole(String haystack, String value) {
        for (int at = haystack.indexOf(value); at >= 0; at = haystack.indexOf(value, at + 1)) {
            int end = at + value.length();
            boolean startOk = at == 0 || !Character.isLetterOrDigit(haystack.charAt(at - 1));
            boolean endOk =
                    end == haystack.length() || !Character.isLetterOrDigit(haystack.charAt(end));
            if (startOk && endOk) {
                return true;
            }
        }
        return false;
    }

    @Test
    void every_resource_gets_a_provenance_and_counts_are_reported() {
        assertThat(safeHarbor.resources()).hasSameSizeAs(input);
        assertThat(safeHarbor.provenances()).hasSameSizeAs(input);
        assertThat(safeHarbor.totals())
                .containsKeys("NAME", "TELECOM", "ADDRESS", "DATE", "MRN", "SSN", "RESOURCE_ID");
        assertThat(safeHarborJson).contains(FhirDeidentifier.COUNTS_EXTENSION);
    }

    @Test
    void us_core_race_and_ethnicity_text_is_not_garbled() {
        assertThat(safeHarborJson).contains("\"valueString\":\"Not Hispanic or Latino\"");
    }

    @Test
    void references_resolve_within_the_output() {
        Set<String> ids = new HashSet<>();
        for (Resource r : safeHarbor.resources()) {
            ids.add(r.fhirType() + "/" + r.getIdElement().getIdPart());
        }
        Set<String> dangling = new TreeSet<>();
        Matcher m = REFERENCE.matcher(safeHarborJson);
        int references = 0;
        while (m.find()) {
            references++;
            if (!ids.contains(m.group(1))) {
                dangling.add(m.group(1));
            }
        }
        assertThat(references).isGreaterThan(10_000);
        assertThat(dangling).isEmpty();
    }

    @Test
    void safe_harbor_keeps_only_years() {
        Pattern fullDate = Pattern.compile("\"\\d{4}-\\d{2}");
        // Provenance.recorded is the time of de-identification, not a patient date.
        String resourcesOnly =
                safeHarborJson.substring(0, safeHarborJson.indexOf("\"Provenance\""));
        assertThat(fullDate.matcher(resourcesOnly).find()).isFalse();
    }

    @Test
    void date_shift_moves_every_date_of_a_patient_by_the_offset_of_its_mrn() {
        FhirDeidentifier.Result shifted =
                deidentifier(SECRET, DatePolicy.DATE_SHIFT).deidentify(input);
        DeidKeyService keys = new DeidKeyService(SECRET.getBytes(StandardCharsets.UTF_8));
        Map<String, Patient> originalPatients = new HashMap<>();
        input.stream()
                .filter(Patient.class::isInstance)
                .forEach(p -> originalPatients.put(p.getIdElement().getIdPart(), (Patient) p));
        int checked = 0;
        for (int i = 0; i < input.size(); i++) {
            if (input.get(i) instanceof Patient before) {
                Patient after = (Patient) shifted.resources().get(i);
                String mrn =
                        FhirKnownPhiReader.patientKey(
                                        tree(FHIR.newJsonParser().encodeResourceToString(before)))
                                .orElseThrow();
                assertThat(after.getIdElement().getIdPart())
                        .isEqualTo(keys.pseudonym(IdentifierKind.MRN, mrn));
                int offset = keys.dateOffsetDays(mrn);
                assertThat(after.getBirthDateElement().getValueAsString())
                        .isEqualTo(
                                java.time.LocalDate.parse(
                                                before.getBirthDateElement().getValueAsString())
                                        .plusDays(offset)
                                        .toString());
                checked++;
            }
            if (input.get(i) instanceof Encounter before && before.getPeriod().hasEnd()) {
                Encounter after = (Encounter) shifted.resources().get(i);
                Duration original =
                        between(
                                before.getPeriod().getStartElement().getValueAsString(),
                                before.getPeriod().getEndElement().getValueAsString());
                Duration moved =
                        between(
                                after.getPeriod().getStartElement().getValueAsString(),
                                after.getPeriod().getEndElement().getValueAsString());
                assertThat(moved).isEqualTo(original);
                String patientId = before.getSubject().getReferenceElement().getIdPart();
                Patient patient = originalPatients.get(patientId);
                String mrn =
                        FhirKnownPhiReader.patientKey(
                                        tree(FHIR.newJsonParser().encodeResourceToString(patient)))
                                .orElseThrow();
                OffsetDateTime start =
                        OffsetDateTime.parse(
                                before.getPeriod().getStartElement().getValueAsString());
                OffsetDateTime newStart =
                        OffsetDateTime.parse(
                                after.getPeriod().getStartElement().getValueAsString());
                assertThat(newStart.toLocalDate())
                        .isEqualTo(start.toLocalDate().plusDays(keys.dateOffsetDays(mrn)));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(1000);
    }

    private static Duration between(String a, String b) {
        return Duration.between(OffsetDateTime.parse(a), OffsetDateTime.parse(b));
    }

    @Test
    void same_secret_gives_the_same_output_and_another_secret_other_pseudonyms() {
        List<Resource> sample = input.subList(0, 300);
        String first = encode(deidentifier(SECRET, DatePolicy.SAFE_HARBOR).deidentify(sample));
        String again = encode(deidentifier(SECRET, DatePolicy.SAFE_HARBOR).deidentify(sample));
        String other =
                encode(
                        deidentifier("another-secret-0123456789abcdef", DatePolicy.SAFE_HARBOR)
                                .deidentify(sample));
        assertThat(again).isEqualTo(first);
        Set<String> firstIds = ids(first);
        Set<String> otherIds = ids(other);
        firstIds.retainAll(otherIds);
        assertThat(firstIds).isEmpty();
    }

    private static Set<String> ids(String ndjson) {
        Set<String> ids = new HashSet<>();
        Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(ndjson);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }
}
