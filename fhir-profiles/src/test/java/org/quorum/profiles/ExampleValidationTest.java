package org.quorum.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validates the examples against the profiles as packaged in the jar (snapshots from the build),
 * without a server. The server tests repeat this over HTTP.
 */
class ExampleValidationTest {

    private static final Path EXAMPLES = Path.of("examples");
    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static FhirValidator validator;
    private static List<IBaseResource> packaged;

    @BeforeAll
    static void loadPackage() throws IOException {
        packaged = readPackage(QuorumProfiles.packageBytes());
        validator = FHIR.newValidator();
        validator.registerValidatorModule(
                new FhirInstanceValidator(StandaloneValidationSupport.create(FHIR, packaged)));
    }

    @Test
    void package_holds_every_profile_with_a_generated_snapshot() {
        List<StructureDefinition> definitions =
                packaged.stream()
                        .filter(StructureDefinition.class::isInstance)
                        .map(StructureDefinition.class::cast)
                        .toList();
        assertThat(definitions)
                .extracting(StructureDefinition::getUrl)
                .contains(
                        QuorumProfiles.LABEL,
                        QuorumProfiles.ANNOTATOR,
                        QuorumProfiles.REVIEW_TASK,
                        QuorumProfiles.EXT_TEXT_SPAN,
                        QuorumProfiles.EXT_IMAGE_REGION);
        assertThat(definitions)
                .allSatisfy(sd -> assertThat(sd.getSnapshot().getElement()).isNotEmpty());
        StructureDefinition label =
                definitions.stream()
                        .filter(sd -> sd.getUrl().equals(QuorumProfiles.LABEL))
                        .findFirst()
                        .orElseThrow();
        assertThat(label.getSnapshot().getElement())
                .anySatisfy(e -> assertThat(e.getId()).isEqualTo("Observation.extension:project"));
    }

    static Stream<Path> validExamples() throws IOException {
        return jsonFiles(EXAMPLES.resolve("valid"));
    }

    static Stream<Path> invalidExamples() throws IOException {
        return jsonFiles(EXAMPLES.resolve("invalid"))
                .filter(p -> !p.getFileName().toString().equals("expected-elements.json"));
    }

    @ParameterizedTest
    @MethodSource("validExamples")
    void valid_example_has_no_errors(Path example) throws IOException {
        ValidationResult result = validator.validateWithResult(Files.readString(example));
        assertThat(errors(result)).as(example.toString()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("invalidExamples")
    void invalid_example_fails_on_the_element_its_name_promises(Path example) throws IOException {
        String expectedElement = expectedElements().get(example.getFileName().toString());
        assertThat(expectedElement).as("expected-elements.json names " + example).isNotNull();
        ValidationResult result = validator.validateWithResult(Files.readString(example));
        assertThat(errors(result))
                .as(example.toString())
                .isNotEmpty()
                .anySatisfy(
                        m ->
                                assertThat(m.getLocationString() + " " + m.getMessage())
                                        .contains(expectedElement));
    }

    static Map<String, String> expectedElements() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, String> map =
                new ObjectMapper()
                        .readValue(
                                EXAMPLES.resolve("invalid/expected-elements.json").toFile(),
                                Map.class);
        return map;
    }

    private static List<SingleValidationMessage> errors(ValidationResult result) {
        return result.getMessages().stream()
                .filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .toList();
    }

    private static Stream<Path> jsonFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    static List<IBaseResource> readPackage(byte[] tgz) throws IOException {
        List<IBaseResource> resources = new ArrayList<>();
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(
                        new GzipCompressorInputStream(new ByteArrayInputStream(tgz)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.getName().endsWith(".json")
                        && !entry.getName().endsWith("package.json")) {
                    String json = new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                    resources.add(FHIR.newJsonParser().parseResource(json));
                }
            }
        }
        return resources;
    }
}
