package org.quorum.deid.fhir.operation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.deid.cli.DeidFhirCommand;
import org.quorum.deid.fhir.FhirDeidentifier;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;
import org.quorum.security.Role;
import org.quorum.testing.Http;
import org.quorum.testing.RunningServer;
import picocli.CommandLine;

/**
 * {@code POST /fhir/$deidentify} on the real server with one Synthea patient's whole record: no
 * original identifying value comes back, the pseudonyms are those of {@code quorum deid fhir} with
 * the same secret, the policy parameter is honoured, bad input is a 400 OperationOutcome, nothing
 * is stored, and the audit trail records the call without the payload's PHI.
 */
@ExtendWith(RunningServer.class)
class DeidentifyOperationIT {

    /** Synthea patient with MR, SS, DL and passport identifiers and 30 notes (134 resources). */
    private static final String PATIENT_ID = "7bc002fa-dc52-17d6-1563-fd8901826f7d";

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COUNTED_TYPES =
            List.of(
                    "Patient",
                    "Encounter",
                    "Condition",
                    "DocumentReference",
                    "Practitioner",
                    "Organization",
                    "Location",
                    "Provenance");

    private static RunningServer server;
    private static IParser parser;
    private static List<String> inputLines;
    private static String bundleJson;
    private static Patient originalPatient;
    private static String mrn;

    @BeforeAll
    static void readOnePatientsRecord(RunningServer running) throws IOException {
        server = running;
        parser = server.fhirContext().newJsonParser();
        inputLines = patientRecord(TestData.require().resolve("synthea-10pt"), PATIENT_ID);
        Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
        for (String line : inputLines) {
            Resource resource = (Resource) parser.parseResource(line);
            bundle.addEntry().setResource(resource);
            if (resource instanceof Patient patient) {
                originalPatient = patient;
            }
        }
        bundleJson = parser.encodeResourceToString(bundle);
        mrn =
                originalPatient.getIdentifier().stream()
                        .filter(i -> "MR".equals(i.getType().getCodingFirstRep().getCode()))
                        .findFirst()
                        .orElseThrow()
                        .getValue();
    }

    /**
     * The patient, every resource that references it, and the Practitioners, Organizations and
     * Locations those reference (Synthea references them conditionally, by identifier).
     */
    private static List<String> patientRecord(Path dir, String patientId) throws IOException {
        List<String> own = new ArrayList<>();
        List<String> directory = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file :
                    files.filter(p -> p.getFileName().toString().matches("[A-Z].*\\.ndjson"))
                            .sorted()
                            .toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String type = tree(line).path("resourceType").asText();
                    if (Set.of("Practitioner", "PractitionerRole", "Organization", "Location")
                            .contains(type)) {
                        directory.add(line);
                    } else if (line.contains("\"id\":\"" + patientId + "\"")
                            || line.contains("Patient/" + patientId + "\"")) {
                        own.add(line);
                    }
                }
            }
        }
        String joined = String.join("\n", own);
        List<String> record = new ArrayList<>(own);
        for (String line : directory) {
            JsonNode resource = tree(line);
            boolean referenced = false;
            for (JsonNode identifier : resource.path("identifier")) {
                referenced |= joined.contains("|" + identifier.path("value").asText() + "\"");
            }
            if (referenced) {
                record.add(line);
            }
        }
        assertThat(own).hasSizeGreaterThan(100);
        assertThat(record.size()).isGreaterThan(own.size());
        return record;
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String deidAdminToken(String subject) {
        return server.token(
                subject, Set.of(Role.DEID_ADMIN), "user/*.rs", Optional.empty(), Set.of());
    }

    private static Http deidAdmin(String subject) {
        return server.http(deidAdminToken(subject));
    }

    private static Bundle parseBundle(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(shorten(response.body())).isEqualTo(200);
        return parser.parseResource(Bundle.class, response.body());
    }

    private static String shorten(String body) {
        return body.length() > 2000 ? body.substring(0, 2000) + "..." : body;
    }

    private static String parameters(String resourceJson, String policy) {
        return "{\"resourceType\":\"Parameters\",\"parameter\":["
                + (resourceJson == null
                        ? ""
                        : "{\"name\":\"resource\",\"resource\":"
                                + resourceJson
                                + "}"
                                + (policy == null ? "" : ","))
                + (policy == null ? "" : "{\"name\":\"policy\",\"valueCode\":\"" + policy + "\"}")
                + "]}";
    }

    /** Every identifying value of the input: names, telecom, addresses, identifiers, ids... */
    private static Set<String> identifyingValues() {
        Set<String> values = new TreeSet<>();
        for (String line : inputLines) {
            JsonNode r = tree(line);
            String type = r.path("resourceType").asText();
            values.add(r.path("id").asText(""));
            for (JsonNode name : r.path("name")) {
                if (name.isTextual()) {
                    values.add(name.asText()); // Organization / Location names: our choice
                    continue;
                }
                values.add(name.path("family").asText(""));
                name.path("given").forEach(g -> values.add(g.asText()));
            }
            if (Set.of("Organization", "Location").contains(type)) {
                values.add(r.path("name").asText(""));
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
            for (JsonNode extension : r.path("extension")) {
                if (extension.path("url").asText().endsWith("patient-mothersMaidenName")) {
                    values.add(extension.path("valueString").asText(""));
                }
            }
        }
        values.removeIf(v -> v.isBlank() || v.length() < 3);
        return values;
    }

    /** The response's JSON plus the decoded text of its attachments. */
    private static String everythingIn(Bundle bundle) {
        StringBuilder all = new StringBuilder(parser.encodeResourceToString(bundle));
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            for (org.hl7.fhir.r4.model.Attachment a :
                    server.fhirContext()
                            .newTerser()
                            .getAllPopulatedChildElementsOfType(
                                    entry.getResource(), org.hl7.fhir.r4.model.Attachment.class)) {
                if (a.hasData()) {
                    all.append('\n').append(new String(a.getData(), StandardCharsets.UTF_8));
                }
            }
        }
        return all.toString();
    }

    private static List<String> leaked(Set<String> values, String haystack) {
        Set<String> words = new HashSet<>(List.of(haystack.split("[^A-Za-z0-9]+")));
        List<String> leaked = new ArrayList<>();
        for (String value : values) {
            boolean found =
                    value.matches("[A-Za-z0-9]+")
                            ? words.contains(value)
                            : containsAsWhole(haystack, value);
            if (found) {
                leaked.add(value);
            }
        }
        return leaked;
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

    private static Patient patientIn(Bundle bundle) {
        return bundle.getEntry().stream()
                .map(Bundle.BundleEntryComponent::getResource)
                .filter(Patient.class::isInstance)
                .map(Patient.class::cast)
                .findFirst()
                .orElseThrow();
    }

    private static List<Provenance> provenancesIn(Bundle bundle) {
        return bundle.getEntry().stream()
                .map(Bundle.BundleEntryComponent::getResource)
                .filter(Provenance.class::isInstance)
                .map(Provenance.class::cast)
                .toList();
    }

    @Test
    void posted_bundle_comes_back_with_no_original_identifying_value_and_a_provenance_each() {
        Bundle out =
                parseBundle(deidAdmin("deid-op-" + RUN).postFhir("/fhir/$deidentify", bundleJson));

        Set<String> values = identifyingValues();
        assertThat(values).contains(mrn, originalPatient.getNameFirstRep().getFamily());
        assertThat(values).hasSizeGreaterThan(150);
        assertThat(leaked(values, everythingIn(out)))
                .as("identifying values left in the response")
                .isEmpty();
        assertThat(out.getEntry()).hasSize(2 * inputLines.size());
        assertThat(provenancesIn(out))
                .hasSize(inputLines.size())
                .allSatisfy(
                        p ->
                                assertThat(p.getPolicy().get(0).getValue())
                                        .isEqualTo(FhirDeidentifier.SAFE_HARBOR_POLICY));
        // Safe Harbor (the default): the birth date keeps its year only.
        assertThat(patientIn(out).getBirthDateElement().getValueAsString())
                .isEqualTo(
                        originalPatient.getBirthDateElement().getValueAsString().substring(0, 4));
    }

    @Test
    void pseudonyms_are_those_of_the_cli_with_the_same_secret(@TempDir Path dir) throws Exception {
        Bundle fromServer =
                parseBundle(
                        deidAdmin("deid-cli-" + RUN)
                                .postFhir("/fhir/$deidentify?policy=date-shift", bundleJson));
        Path in = dir.resolve("bundle.json");
        Path outFile = dir.resolve("out.json");
        Files.writeString(in, bundleJson, StandardCharsets.UTF_8);
        int exit =
                new CommandLine(
                                new DeidFhirCommand(
                                        Map.of(
                                                DeidKeyService.SECRET_ENV,
                                                RunningServer.DEID_SECRET),
                                        PhiLexicon::standard,
                                        Clock.systemUTC()))
                        .execute(
                                "--in",
                                in.toString(),
                                "--out",
                                outFile.toString(),
                                "--policy",
                                "date-shift");
        assertThat(exit).isZero();
        Bundle fromCli =
                parser.parseResource(
                        Bundle.class, Files.readString(outFile, StandardCharsets.UTF_8));

        String pseudonym =
                new DeidKeyService(RunningServer.DEID_SECRET.getBytes(StandardCharsets.UTF_8))
                        .pseudonym(IdentifierKind.MRN, mrn);
        assertThat(patientIn(fromServer).getIdElement().getIdPart()).isEqualTo(pseudonym);
        assertThat(canonical(fromServer)).isEqualTo(canonical(fromCli));
    }

    /** Each entry as JSON, without the one field that differs run to run (Provenance.recorded). */
    private static Map<String, String> canonical(Bundle bundle) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            Resource resource = entry.getResource().copy();
            if (resource instanceof Provenance provenance) {
                provenance.setRecorded(null);
            }
            entries.put(entry.getFullUrl(), parser.encodeResourceToString(resource));
        }
        return entries;
    }

    @Test
    void date_shift_policy_in_parameters_moves_dates_by_the_patients_offset() {
        Bundle out =
                parseBundle(
                        deidAdmin("deid-shift-" + RUN)
                                .postFhir(
                                        "/fhir/$deidentify", parameters(bundleJson, "date-shift")));

        int offset =
                new DeidKeyService(RunningServer.DEID_SECRET.getBytes(StandardCharsets.UTF_8))
                        .dateOffsetDays(mrn);
        LocalDate born = LocalDate.parse(originalPatient.getBirthDateElement().getValueAsString());
        assertThat(offset).isNotZero();
        assertThat(patientIn(out).getBirthDateElement().getValueAsString())
                .isEqualTo(born.plusDays(offset).toString());
        assertThat(provenancesIn(out))
                .allSatisfy(
                        p ->
                                assertThat(p.getPolicy().get(0).getValue())
                                        .isEqualTo(FhirDeidentifier.DATE_SHIFT_POLICY));
        assertThat(
                        leaked(
                                Set.of(mrn, originalPatient.getNameFirstRep().getFamily()),
                                everythingIn(out)))
                .isEmpty();
    }

    @Test
    void bad_input_gets_400_with_an_operation_outcome_that_quotes_no_phi() throws Exception {
        Http http = deidAdmin("deid-bad-" + RUN);
        String patientJson = parser.encodeResourceToString(originalPatient);
        String family = originalPatient.getNameFirstRep().getFamily();

        HttpResponse<String> notABundle = http.postFhir("/fhir/$deidentify", patientJson);
        HttpResponse<String> patientInParameters =
                http.postFhir("/fhir/$deidentify", parameters(patientJson, null));
        HttpResponse<String> unknownPolicy =
                http.postFhir("/fhir/$deidentify", parameters(bundleJson, "k-anonymity"));
        HttpResponse<String> noResource =
                http.postFhir("/fhir/$deidentify", parameters(null, "safe-harbor"));
        HttpResponse<String> notJson = http.postFhir("/fhir/$deidentify", "Name: " + family);

        for (HttpResponse<String> response :
                List.of(notABundle, patientInParameters, unknownPolicy, noResource, notJson)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            assertThat(tree(response.body()).path("resourceType").asText())
                    .isEqualTo("OperationOutcome");
            assertThat(response.body()).doesNotContain(family).doesNotContain(mrn);
        }
        assertThat(notABundle.body()).contains("takes a Bundle");
        assertThat(patientInParameters.body()).contains("takes a Bundle");
        assertThat(unknownPolicy.body()).contains("Unknown policy").contains("date-shift");
    }

    @Test
    void nothing_is_stored() {
        Map<String, Integer> before = counts();

        Bundle out =
                parseBundle(
                        deidAdmin("deid-store-" + RUN)
                                .postFhir("/fhir/$deidentify", parameters(bundleJson, null)));

        assertThat(counts()).isEqualTo(before);
        String pseudonymousId = patientIn(out).getIdElement().getIdPart();
        assertThat(server.http().get("/fhir/Patient/" + pseudonymousId).statusCode())
                .isEqualTo(404);
    }

    private static Map<String, Integer> counts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String type : COUNTED_TYPES) {
            HttpResponse<String> response =
                    server.http().get("/fhir/" + type + "?_summary=count", "application/fhir+json");
            assertThat(response.statusCode()).isEqualTo(200);
            counts.put(type, tree(response.body()).path("total").asInt(-1));
        }
        return counts;
    }

    @Test
    void the_call_is_audited_without_the_payloads_phi() {
        String subject = "deid-audit-" + RUN;
        assertThat(deidAdmin(subject).postFhir("/fhir/$deidentify", bundleJson).statusCode())
                .isEqualTo(200);
        assertThat(
                        server.http(
                                        server.token(
                                                subject + "-admin",
                                                Set.of(Role.PROJECT_ADMIN),
                                                "user/*.cruds",
                                                Optional.empty(),
                                                Set.of()))
                                .postFhir("/fhir/$deidentify", bundleJson)
                                .statusCode())
                .isEqualTo(403);
        server.flushAudit();

        var auditor = server.fhirClient(server.auditorToken());
        List<AuditEvent> events = new ArrayList<>();
        for (String who : List.of(subject, subject + "-admin")) {
            Bundle found =
                    auditor.search()
                            .byUrl("AuditEvent?altid=" + who)
                            .returnBundle(Bundle.class)
                            .execute();
            assertThat(found.getEntry()).as("AuditEvent for " + who).hasSize(1);
            events.add((AuditEvent) found.getEntryFirstRep().getResource());
        }
        assertThat(events.get(0).getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(events.get(1).getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
        String audit =
                events.stream().map(parser::encodeResourceToString).reduce("", String::concat);
        assertThat(audit).contains("$deidentify");
        assertThat(leaked(identifyingValues(), audit)).as("PHI in the audit trail").isEmpty();
    }
}
