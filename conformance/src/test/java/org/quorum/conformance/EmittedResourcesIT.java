package org.quorum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.testing.RunningServer;

/**
 * Every kind of resource Quorum creates itself, emitted by the running server through its public
 * interfaces ({@link Scenarios}), and Quorum's FHIR package, validated by the official HL7 FHIR
 * validator ({@link Hl7Validator}) against FHIR R4 and that package: no error allowed, warnings
 * listed in the report. The package is also checked as an IG package: snapshots, extensions, one
 * canonical base.
 */
@ExtendWith({RunningServer.class, ConformanceReport.class})
class EmittedResourcesIT {

    /** Quorum's canonical base (docs/profiles.md). */
    static final String BASE = "https://quorum.dev/fhir";

    static final String PACKAGE_ORIGIN = "Quorum FHIR package";

    /** What the scenarios must make Quorum emit: origin → resource types. */
    static final Map<String, Set<String>> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("GET /fhir/metadata", Set.of("CapabilityStatement"));
        EXPECTED.put("ImagingStudy mirror of a STOW", Set.of("ImagingStudy"));
        EXPECTED.put("Patient made by the ImagingStudy mirror", Set.of("Patient"));
        EXPECTED.put("$dicom-sr", Set.of("Parameters"));
        EXPECTED.put("label with its SR link", Set.of("Observation"));
        EXPECTED.put("ImagingStudy mirror with the SR series", Set.of("ImagingStudy"));
        EXPECTED.put("$agreement", Set.of("MeasureReport"));
        EXPECTED.put("$bias-report", Set.of("MeasureReport"));
        EXPECTED.put("$class-balance", Set.of("MeasureReport"));
        EXPECTED.put("$consistency", Set.of("Bundle"));
        EXPECTED.put("DetectedIssue from the cross-modal check", Set.of("DetectedIssue"));
        EXPECTED.put("search by project with _include", Set.of("Bundle"));
        EXPECTED.put("$schema-impact", Set.of("Parameters"));
        // Together the two records hold every type of the Synthea sample (checked below).
        EXPECTED.put("$deidentify safe-harbor", Set.of("Patient", "Provenance", "Device"));
        EXPECTED.put(
                "$deidentify date-shift", Set.of("Patient", "Provenance", "AllergyIntolerance"));
        EXPECTED.put("quorum deid fhir (NDJSON)", Set.of("Patient", "Provenance"));
        EXPECTED.put("quorum deid fhir (Bundle)", Set.of("Bundle"));
        EXPECTED.put("400 unparsable body", Set.of("OperationOutcome"));
        EXPECTED.put("401 no token", Set.of("OperationOutcome"));
        EXPECTED.put("403 role without the operation", Set.of("OperationOutcome"));
        EXPECTED.put("404 unknown resource", Set.of("OperationOutcome"));
        EXPECTED.put("422 profile violation", Set.of("OperationOutcome"));
        EXPECTED.put("transaction-response", Set.of("Bundle"));
        EXPECTED.put("history", Set.of("Bundle"));
        EXPECTED.put("audit trail", Set.of("AuditEvent"));
        EXPECTED.put(
                PACKAGE_ORIGIN,
                Set.of(
                        "StructureDefinition",
                        "CodeSystem",
                        "ValueSet",
                        "SearchParameter",
                        "Measure"));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Emitted emitted;
    private static Hl7Validator.Run run;
    private static Map<String, JsonNode> packageResources;
    private static JsonNode packageManifest;

    @BeforeAll
    static void emitAndValidate(RunningServer server, ConformanceReport report) throws IOException {
        Path work = work();
        emitted = new Emitted(work.resolve("emitted"));
        Scenarios scenarios = new Scenarios(server, emitted);
        long start = System.nanoTime();
        scenarios.capabilityStatement();
        scenarios.imagingAndLabels();
        scenarios.quality();
        scenarios.schemaImpact();
        scenarios.deidentification(work);
        scenarios.operationOutcomes();
        scenarios.bundles();
        scenarios.auditEvents();
        long scenariosSeconds = (System.nanoTime() - start) / 1_000_000_000L;

        Path quorumPackage = quorumPackage(work);
        readPackage(quorumPackage);
        for (JsonNode resource : packageResources.values()) {
            emitted.add(PACKAGE_ORIGIN, resource.toString());
        }
        Hl7Validator validator = Hl7Validator.prepare(work, server.fhirContext());
        run = validator.validate(emitted.folder(), List.of(quorumPackage));
        report.section(
                ConformanceReport.FHIR,
                "FHIR resources Quorum emits: HL7 validator " + Hl7Validator.VERSION,
                ValidationReport.markdown(emitted, run, scenariosSeconds));
    }

    static Path work() {
        Path work = Path.of(System.getProperty("quorum.conformance.work", "target/conformance"));
        try {
            return Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One test per (origin, type): every resource of the group has no validator error. */
    @TestFactory
    Stream<DynamicTest> every_emitted_resource_passes_the_hl7_validator_without_error() {
        Map<String, List<Emitted.Resource>> groups = new TreeMap<>();
        for (Emitted.Resource resource : emitted.resources()) {
            groups.computeIfAbsent(
                            resource.type() + " from " + resource.origin(), k -> new ArrayList<>())
                    .add(resource);
        }
        return groups.entrySet().stream()
                .map(
                        group ->
                                DynamicTest.dynamicTest(
                                        group.getKey() + " (" + group.getValue().size() + ")",
                                        () -> {
                                            List<String> errors = new ArrayList<>();
                                            for (Emitted.Resource resource : group.getValue()) {
                                                for (Hl7Validator.Issue issue :
                                                        run.issues(resource.file())) {
                                                    if (issue.isError()) {
                                                        errors.add(
                                                                resource.file().getFileName()
                                                                        + " "
                                                                        + issue.location()
                                                                        + ": "
                                                                        + issue.message());
                                                    }
                                                }
                                            }
                                            assertThat(errors)
                                                    .as(
                                                            "HL7 validator errors (details in"
                                                                    + " target/conformance-report.md)")
                                                    .isEmpty();
                                        }));
    }

    @Test
    void every_kind_of_resource_quorum_creates_was_emitted_and_validated() {
        Map<String, Set<String>> seen = new LinkedHashMap<>();
        for (Emitted.Resource resource : emitted.resources()) {
            seen.computeIfAbsent(resource.origin(), k -> new TreeSet<>()).add(resource.type());
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
        EXPECTED.forEach(
                (origin, types) -> assertThat(seen.get(origin)).as(origin).containsAll(types));
        // Together the two records hold every type of the Synthea sample.
        Set<String> deidentified = new TreeSet<>(seen.get("$deidentify safe-harbor"));
        deidentified.addAll(seen.get("$deidentify date-shift"));
        assertThat(deidentified)
                .as("types de-identified by $deidentify")
                .containsAll(SyntheaRecords.types());
    }

    /**
     * Media types (CapabilityStatement.format and patchFormat, Attachment.contentType) are
     * well-formed (RFC 6838 §4.2, with parameters), checked here because the validator needs a
     * terminology server for BCP 13 and runs without one. R4 also allows xml, json and ttl as
     * formats.
     */
    @Test
    void every_media_type_quorum_emits_is_well_formed() {
        java.util.regex.Pattern mediaType =
                java.util.regex.Pattern.compile(
                        "(application|audio|font|image|message|model|multipart|text|video)"
                                + "/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
                                + "(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(\"[^\"]*\"|[A-Za-z0-9!#$&^_.+-]+))*");
        Map<String, String> malformed = new TreeMap<>();
        for (Emitted.Resource resource : emitted.resources()) {
            if (resource.origin().equals(PACKAGE_ORIGIN)) {
                continue;
            }
            JsonNode json = read(resource.file());
            for (String field : List.of("contentType", "format", "patchFormat")) {
                for (JsonNode value : json.findValues(field)) {
                    for (JsonNode type : value.isArray() ? value : List.of(value)) {
                        if (!type.isTextual()) {
                            continue; // DocumentReference.content.format is a Coding
                        }
                        String text = type.asText();
                        boolean shortcut =
                                field.equals("format")
                                        && Set.of("xml", "json", "ttl").contains(text);
                        if (!shortcut && !mediaType.matcher(text).matches()) {
                            malformed.putIfAbsent(
                                    text, resource.type() + " from " + resource.origin());
                        }
                    }
                }
            }
        }
        assertThat(malformed).as("media type -> first resource using it").isEmpty();
    }

    @Test
    void every_profile_of_the_package_has_a_complete_snapshot() {
        List<JsonNode> profiles =
                packageResources.values().stream()
                        .filter(r -> r.path("resourceType").asText().equals("StructureDefinition"))
                        .toList();
        assertThat(profiles).isNotEmpty();
        for (JsonNode profile : profiles) {
            String url = profile.path("url").asText();
            Set<String> snapshot = new TreeSet<>();
            profile.path("snapshot")
                    .path("element")
                    .forEach(e -> snapshot.add(e.path("id").asText()));
            assertThat(snapshot).as("snapshot of %s", url).isNotEmpty();
            for (JsonNode element : profile.path("differential").path("element")) {
                assertThat(snapshot)
                        .as("%s: differential element in the snapshot", url)
                        .contains(element.path("id").asText());
            }
        }
    }

    @Test
    void every_extension_quorum_emits_is_defined_in_its_package_or_by_hl7() {
        Set<String> defined =
                packageResources.values().stream()
                        .filter(r -> r.path("resourceType").asText().equals("StructureDefinition"))
                        .filter(r -> r.path("type").asText().equals("Extension"))
                        .map(r -> r.path("url").asText())
                        .collect(Collectors.toCollection(TreeSet::new));
        Map<String, String> undefined = new TreeMap<>();
        for (Emitted.Resource resource : emitted.resources()) {
            if (resource.origin().equals(PACKAGE_ORIGIN)) {
                continue;
            }
            for (String url : extensionUrls(read(resource.file()))) {
                boolean hl7 = url.startsWith("http://hl7.org/fhir/StructureDefinition/");
                boolean unchecked =
                        Hl7Validator.UNCHECKED_DOMAINS.stream().anyMatch(url::startsWith);
                if (!(defined.contains(url) || hl7 || unchecked)) {
                    undefined.putIfAbsent(url, resource.type() + " from " + resource.origin());
                }
            }
        }
        assertThat(undefined).as("extension URL -> first resource using it").isEmpty();
    }

    @Test
    void the_package_uses_one_canonical_base() {
        assertThat(packageManifest.path("canonical").asText()).isEqualTo(BASE);
        assertThat(packageManifest.path("fhirVersions").toString()).contains("4.0.1");
        for (JsonNode resource : packageResources.values()) {
            String type = resource.path("resourceType").asText();
            assertThat(resource.path("url").asText())
                    .as("url of %s/%s", type, resource.path("id").asText())
                    .isEqualTo(BASE + "/" + type + "/" + resource.path("id").asText());
            for (String canonical : quorumCanonicals(resource)) {
                assertThat(canonical)
                        .as("canonical referenced by %s", resource.path("url").asText())
                        .startsWith(BASE);
            }
        }
    }

    /** Every extension URL in a resource (absolute ones: sub-extensions use relative names). */
    static Set<String> extensionUrls(JsonNode node) {
        Set<String> urls = new TreeSet<>();
        collectExtensionUrls(node, urls);
        return urls;
    }

    private static void collectExtensionUrls(JsonNode node, Set<String> urls) {
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(
                            field -> {
                                if (field.getKey().equals("extension")
                                        || field.getKey().equals("modifierExtension")) {
                                    for (JsonNode extension : field.getValue()) {
                                        String url = extension.path("url").asText();
                                        if (url.contains(":")) {
                                            urls.add(url);
                                        }
                                    }
                                }
                                collectExtensionUrls(field.getValue(), urls);
                            });
        } else if (node.isArray()) {
            node.forEach(child -> collectExtensionUrls(child, urls));
        }
    }

    /** Canonical URLs in a package resource that point into Quorum's space (any spelling). */
    private static Set<String> quorumCanonicals(JsonNode node) {
        Set<String> found = new TreeSet<>();
        collectQuorumCanonicals(node, found);
        return found;
    }

    private static void collectQuorumCanonicals(JsonNode node, Set<String> found) {
        if (node.isTextual()) {
            String text = node.asText();
            if (text.matches("https?://[^ ]*quorum[^ ]*") && !text.startsWith("urn:")) {
                found.add(text);
            }
        } else if (node.isContainerNode()) {
            node.forEach(child -> collectQuorumCanonicals(child, found));
        }
    }

    private static Path quorumPackage(Path work) throws IOException {
        Path target = work.resolve("quorum-fhir-package.tgz");
        try (InputStream in =
                EmittedResourcesIT.class
                        .getClassLoader()
                        .getResourceAsStream("org/quorum/profiles/quorum-fhir-package.tgz")) {
            assertThat(in)
                    .as("Quorum's FHIR package on the class path (fhir-profiles)")
                    .isNotNull();
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static void readPackage(Path tgz) throws IOException {
        packageResources = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tgz);
                TarArchiveInputStream tar =
                        new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isDirectory() || !entry.getName().endsWith(".json")) {
                    continue;
                }
                JsonNode json =
                        JSON.readTree(new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                if (name.equals("package.json")) {
                    packageManifest = json;
                } else if (json.has("resourceType") && !name.startsWith(".")) {
                    packageResources.put(name, json);
                }
            }
        }
        assertThat(packageManifest).as("package/package.json").isNotNull();
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
