package org.quorum.deid.text.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quorum.deid.text.FhirKnownPhiReader;
import org.quorum.deid.text.KnownPhi;
import org.quorum.deid.text.PhiType;

/**
 * Synthea clinical notes (DocumentReference attachments) with gold PHI taken from the record
 * itself: wherever the note spells one of its patient's identifying values (name parts, birth and
 * death dates, address, telecom, identifiers), the note's own dates (DocumentReference.date and
 * context.period), the author's and custodian's names, or an age over 89 at the note's date, that
 * stretch is gold PHI.
 *
 * <p>The gold comes from the same Patient resource a caller would give the detector as context, so
 * results "with context" mostly test the matching; results without context test the rules.
 */
public final class SyntheaNotesCorpus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheaNotesCorpus() {}

    /**
     * @param withContext give each note its patient's and the care teams' known PHI, as the CLI
     *     does
     */
    public static List<LabelledText> load(Path folder, boolean withContext) throws IOException {
        Map<String, JsonNode> patients = new HashMap<>();
        readNdjson(
                folder.resolve("Patient.000.ndjson"),
                node -> patients.put(node.path("id").asText(), node));
        KnownPhi.Builder shared = KnownPhi.builder();
        for (String type : List.of("Practitioner", "Organization", "Location")) {
            Path file = folder.resolve(type + ".000.ndjson");
            if (Files.exists(file)) {
                readNdjson(file, node -> FhirKnownPhiReader.addResource(shared, node));
            }
        }
        KnownPhi sharedContext = shared.build();
        Map<String, KnownPhi> patientContexts = new HashMap<>();
        List<LabelledText> texts = new ArrayList<>();
        readNdjson(
                folder.resolve("DocumentReference.000.ndjson"),
                document -> {
                    String patientId =
                            document.path("subject")
                                    .path("reference")
                                    .asText("")
                                    .replaceFirst("^Patient/", "");
                    JsonNode patient = patients.get(patientId);
                    int part = 0;
                    for (JsonNode content : document.path("content")) {
                        String data = content.path("attachment").path("data").asText(null);
                        if (data == null) {
                            continue;
                        }
                        String text =
                                new String(
                                        Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
                        List<GoldSpan> gold = goldSpans(text, document, patient);
                        KnownPhi context = KnownPhi.empty();
                        if (withContext) {
                            context =
                                    patient == null
                                            ? sharedContext
                                            : patientContexts.computeIfAbsent(
                                                    patientId,
                                                    id ->
                                                            FhirKnownPhiReader.read(patient)
                                                                    .with(sharedContext));
                        }
                        texts.add(
                                new LabelledText(
                                        document.path("id").asText() + "#" + part++,
                                        text,
                                        gold,
                                        context));
                    }
                });
        return texts;
    }

    /** Decoded note texts only, e.g. for benchmarks. */
    public static List<String> noteTexts(Path folder) throws IOException {
        List<String> notes = new ArrayList<>();
        readNdjson(
                folder.resolve("DocumentReference.000.ndjson"),
                document -> {
                    for (JsonNode content : document.path("content")) {
                        String data = content.path("attachment").path("data").asText(null);
                        if (data != null) {
                            notes.add(
                                    new String(
                                            Base64.getDecoder().decode(data),
                                            StandardCharsets.UTF_8));
                        }
                    }
                });
        return notes;
    }

    private static List<GoldSpan> goldSpans(String text, JsonNode document, JsonNode patient) {
        Map<String, PhiType> values = new LinkedHashMap<>();
        addDate(values, document.path("date").asText(""));
        addDate(values, document.path("context").path("period").path("start").asText(""));
        addDate(values, document.path("context").path("period").path("end").asText(""));
        for (JsonNode author : document.path("author")) {
            addNameParts(
                    values,
                    author.path("display").asText("").replaceFirst("^(Dr|Mr|Mrs|Ms)\\.\\s*", ""));
        }
        String custodian = document.path("custodian").path("display").asText("");
        if (!custodian.isBlank()) {
            values.put(custodian, PhiType.ORGANIZATION);
        }
        if (patient != null) {
            for (JsonNode name : patient.path("name")) {
                addNameParts(values, name.path("family").asText(""));
                for (JsonNode given : name.path("given")) {
                    addNameParts(values, given.asText(""));
                }
            }
            for (JsonNode extension : patient.path("extension")) {
                addNameParts(values, extension.path("valueString").asText(""));
                values.put(extension.path("valueAddress").path("city").asText(""), PhiType.ADDRESS);
            }
            addDate(values, patient.path("birthDate").asText(""));
            addDate(values, patient.path("deceasedDateTime").asText(""));
            for (JsonNode address : patient.path("address")) {
                for (JsonNode line : address.path("line")) {
                    values.put(line.asText(""), PhiType.ADDRESS);
                }
                values.put(address.path("city").asText(""), PhiType.ADDRESS);
                values.put(address.path("postalCode").asText(""), PhiType.ADDRESS);
            }
            for (JsonNode telecom : patient.path("telecom")) {
                values.put(
                        telecom.path("value").asText(""),
                        telecom.path("system").asText("").equals("email")
                                ? PhiType.EMAIL
                                : PhiType.PHONE);
            }
            for (JsonNode identifier : patient.path("identifier")) {
                values.put(identifier.path("value").asText(""), PhiType.ID);
            }
        }
        values.remove("");
        List<GoldSpan> gold = new ArrayList<>();
        for (Map.Entry<String, PhiType> value : values.entrySet()) {
            Matcher m =
                    Pattern.compile(
                                    "(?<![\\p{L}\\p{N}])"
                                            + Pattern.quote(value.getKey())
                                            + "(?![\\p{L}\\p{N}])")
                            .matcher(text);
            while (m.find()) {
                gold.add(
                        new GoldSpan(
                                m.start(),
                                m.end(),
                                "patient/encounter " + value.getValue(),
                                value.getValue()));
            }
        }
        addOldAge(text, document, patient, gold);
        return gold;
    }

    // 164.514(b)(2)(i)(C): an age over 89 at the time of the note.
    private static void addOldAge(
            String text, JsonNode document, JsonNode patient, List<GoldSpan> gold) {
        if (patient == null) {
            return;
        }
        try {
            LocalDate birth = LocalDate.parse(patient.path("birthDate").asText(""));
            LocalDate noted = LocalDate.parse(document.path("date").asText("").substring(0, 10));
            int age = Period.between(birth, noted).getYears();
            if (age > 89) {
                Matcher m = Pattern.compile("\\b" + age + "(?= year)").matcher(text);
                while (m.find()) {
                    gold.add(
                            new GoldSpan(m.start(), m.end(), "patient/encounter AGE", PhiType.AGE));
                }
            }
        } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
            // no usable birth or note date: no age to check
        }
    }

    private static void addNameParts(Map<String, PhiType> values, String name) {
        for (String part : name.split("\\s+")) {
            if (part.length() > 1) {
                values.put(part, PhiType.NAME);
            }
        }
    }

    private static void addDate(Map<String, PhiType> values, String dateTime) {
        if (dateTime.length() >= 10) {
            values.put(dateTime.substring(0, 10), PhiType.DATE);
        }
    }

    private interface NodeConsumer {
        void accept(JsonNode node);
    }

    private static void readNdjson(Path file, NodeConsumer consumer) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    consumer.accept(JSON.readTree(line));
                }
            }
        }
    }
}
