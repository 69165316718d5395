package org.quorum.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.quorum.deid.text.eval.TestData;

/** Whole patient records from the shared Synthea sample ({@code testdata/synthea-10pt}). */
final class SyntheaRecords {

    /** 134 resources: Condition, Device, DocumentReference, Encounter, Immunization, ... */
    static final String PATIENT_WITH_DEVICE = "7bc002fa-dc52-17d6-1563-fd8901826f7d";

    /** 110 resources, with AllergyIntolerances. */
    static final String PATIENT_WITH_ALLERGIES = "cbc86e51-9eca-3855-76ec-c058f72c5761";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> DIRECTORY =
            Set.of("Practitioner", "PractitionerRole", "Organization", "Location");

    private SyntheaRecords() {}

    static Path folder() {
        return TestData.require().resolve("synthea-10pt");
    }

    /** The resource types of the sample (one NDJSON file each). */
    static List<String> types() {
        try (Stream<Path> files = Files.list(folder())) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[A-Z][A-Za-z]+\\.\\d+\\.ndjson"))
                    .map(n -> n.substring(0, n.indexOf('.')))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The patient, every resource that references it, and the Practitioners, PractitionerRoles,
     * Organizations and Locations those reference (Synthea references them by identifier).
     */
    static List<String> record(String patientId) {
        List<String> own = new ArrayList<>();
        List<String> directory = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder())) {
            for (Path file :
                    files.filter(p -> p.getFileName().toString().matches("[A-Z].*\\.ndjson"))
                            .sorted()
                            .toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String type = JSON.readTree(line).path("resourceType").asText();
                    if (DIRECTORY.contains(type)) {
                        directory.add(line);
                    } else if (line.contains("\"id\":\"" + patientId + "\"")
                            || line.contains("Patient/" + patientId + "\"")) {
                        own.add(line);
                    }
                }
            }
            List<String> record = new ArrayList<>(own);
            // Directory resources the record references by identifier; then the roles of the
            // Practitioners found (a PractitionerRole names its Practitioner by identifier).
            String joined = String.join("\n", record);
            for (String line : directory) {
                for (JsonNode identifier : JSON.readTree(line).path("identifier")) {
                    if (joined.contains("|" + identifier.path("value").asText() + "\"")) {
                        record.add(line);
                        break;
                    }
                }
            }
            String withPractitioners = String.join("\n", record);
            for (String line : directory) {
                JsonNode practitioner = JSON.readTree(line).path("practitioner").path("identifier");
                if (!record.contains(line)
                        && practitioner.has("value")
                        && withPractitioners.contains(
                                "\"value\":\"" + practitioner.path("value").asText() + "\"")) {
                    record.add(line);
                }
            }
            return record;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A collection Bundle of the given resources (JSON lines). */
    static String collection(List<String> lines) {
        return "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":["
                + String.join(",", lines.stream().map(l -> "{\"resource\":" + l + "}").toList())
                + "]}";
    }
}
