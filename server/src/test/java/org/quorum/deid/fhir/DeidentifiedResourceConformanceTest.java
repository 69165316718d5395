package org.quorum.deid.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.lexicon.PhiLexicon;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.profiles.StandaloneValidationSupport;

/**
 * What {@code quorum deid fhir} and {@code $deidentify} emit validates against FHIR R4 and Quorum's
 * package (issue 17): the Provenance's counts extension is defined there, and identifier pseudonyms
 * keep each identifier valid for its system. HAPI's instance validator (the HL7 validator core),
 * strict about extensions: an extension it cannot resolve is an error here.
 */
class DeidentifiedResourceConformanceTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);
    private static final String UUID_VALUE = "urn:uuid:6f1e3c52-8d0a-4b8e-9a41-2b7f0c9d1e55";
    private static final String OID_VALUE = "urn:oid:1.2.840.113619.2.55.3.604688119.868.1";
    private static final String URL_VALUE = "https://ehr.hospital.example/documents/88123";
    private static final String UUID_PATTERN =
            "urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    private static List<IBaseResource> packaged;
    private static FhirValidator validator;
    private static PhiLexicon lexicon;

    @BeforeAll
    static void loadPackageAndValidator() throws IOException {
        packaged = readPackage(QuorumProfiles.packageBytes());
        FhirInstanceValidator module =
                new FhirInstanceValidator(StandaloneValidationSupport.create(FHIR, packaged));
        module.setAnyExtensionsAllowed(false);
        validator = FHIR.newValidator();
        validator.registerValidatorModule(module);
        lexicon = PhiLexicon.standard();
    }

    private static FhirDeidentifier.Result deidentify(String secret) {
        FhirDeidentifier deidentifier =
                new FhirDeidentifier(
                        FHIR,
                        new DeidKeyService(secret.getBytes(StandardCharsets.UTF_8)),
                        lexicon,
                        DatePolicy.SAFE_HARBOR,
                        CLOCK);
        return deidentifier.deidentify(List.of(patient(), note()));
    }

    private static Patient patient() {
        Patient patient = new Patient();
        patient.setId("p1");
        patient.addIdentifier()
                .setSystem("http://hospital.example/mrn")
                .setValue("MRN-5521907")
                .getType()
                .addCoding()
                .setSystem("http://terminology.hl7.org/CodeSystem/v2-0203")
                .setCode("MR");
        patient.addName().setFamily("Okonkwo").addGiven("Adaeze");
        patient.setGender(Enumerations.AdministrativeGender.FEMALE);
        return patient;
    }

    private static DocumentReference note() {
        DocumentReference note = new DocumentReference();
        note.setId("d1");
        note.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
        note.setMasterIdentifier(new Identifier().setSystem(FhirDeidentifier.URI_SYSTEM))
                .getMasterIdentifier()
                .setValue(UUID_VALUE);
        note.addIdentifier().setSystem(FhirDeidentifier.URI_SYSTEM).setValue(OID_VALUE);
        note.addIdentifier().setSystem(FhirDeidentifier.URI_SYSTEM).setValue(URL_VALUE);
        note.setSubject(new Reference("Patient/p1"));
        note.addContent()
                .getAttachment()
                .setContentType("text/plain")
                .setData("Adaeze Okonkwo was seen today.".getBytes(StandardCharsets.UTF_8));
        return note;
    }

    private static DocumentReference noteOf(FhirDeidentifier.Result result) {
        return result.resources().stream()
                .filter(DocumentReference.class::isInstance)
                .map(DocumentReference.class::cast)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void every_emitted_resource_validates_without_errors_extensions_strict() {
        FhirDeidentifier.Result result = deidentify("conformance-test-secret-0123456789");
        List<Resource> emitted = new ArrayList<>(result.resources());
        emitted.addAll(result.provenances());
        for (Resource resource : emitted) {
            assertThat(errors(resource))
                    .as(
                            resource.fhirType()
                                    + " "
                                    + FHIR.newJsonParser().encodeResourceToString(resource))
                    .isEmpty();
        }
    }

    @Test
    void the_validator_here_does_catch_both_defects_of_issue_17() {
        // Negative controls: without them a lenient validator would pass anything.
        DocumentReference plainPseudonym = note();
        plainPseudonym.setSubject(null);
        plainPseudonym.getIdentifier().get(1).setValue("ID-VOA5B7R2KW3VH7YRWX3R");
        assertThat(errors(plainPseudonym))
                .anySatisfy(m -> assertThat(m.getLocationString()).contains("identifier"));

        Provenance undefined = result().provenances().get(0).copy();
        undefined
                .getExtension()
                .get(0)
                .setUrl("https://quorum.example.org/fhir/StructureDefinition/deid-counts");
        assertThat(errors(undefined))
                .anySatisfy(m -> assertThat(m.getMessage()).contains("deid-counts"));
    }

    private static FhirDeidentifier.Result result() {
        return deidentify("conformance-test-secret-0123456789");
    }

    @Test
    void uri_identifiers_get_pseudonyms_of_the_same_form_keyed_and_deterministic() {
        DeidKeyService keys =
                new DeidKeyService(
                        "conformance-test-secret-0123456789".getBytes(StandardCharsets.UTF_8));
        DocumentReference first = noteOf(result());
        DocumentReference again = noteOf(result());
        DocumentReference otherKey = noteOf(deidentify("another-secret-for-the-same-test-42"));

        assertThat(first.getMasterIdentifier().getValue())
                .matches(UUID_PATTERN)
                .isNotEqualTo(UUID_VALUE)
                .isEqualTo(again.getMasterIdentifier().getValue())
                .isNotEqualTo(otherKey.getMasterIdentifier().getValue());
        // urn:oid: values map as DICOM UIDs do, so ImagingStudy identifiers match the DICOM.
        assertThat(first.getIdentifier().get(0).getValue())
                .isEqualTo("urn:oid:" + keys.remapUid(OID_VALUE.substring("urn:oid:".length())))
                .matches("urn:oid:2\\.25\\.[1-9][0-9]*")
                .isNotEqualTo(otherKey.getIdentifier().get(0).getValue());
        assertThat(first.getIdentifier().get(1).getValue())
                .matches(UUID_PATTERN)
                .isEqualTo(again.getIdentifier().get(1).getValue())
                .isNotEqualTo(otherKey.getIdentifier().get(1).getValue());
        assertThat(FHIR.newJsonParser().encodeResourceToString(first))
                .doesNotContain("6f1e3c52", "113619", "ehr.hospital.example", "88123");
    }

    @Test
    void the_provenance_counts_use_the_packaged_extension_and_category_codes() {
        Provenance provenance = result().provenances().get(1);
        Extension counts = provenance.getExtensionByUrl(QuorumProfiles.EXT_DEID_COUNTS);
        assertThat(counts).isNotNull();
        assertThat(FhirDeidentifier.COUNTS_EXTENSION).isEqualTo(QuorumProfiles.EXT_DEID_COUNTS);
        assertThat(counts.getExtension())
                .isNotEmpty()
                .allSatisfy(
                        category -> {
                            assertThat(category.getUrl()).isEqualTo("category");
                            assertThat(category.getExtensionByUrl("code").getValue()).isNotNull();
                            assertThat(category.getExtensionByUrl("count").getValue()).isNotNull();
                        });

        assertThat(packaged)
                .filteredOn(StructureDefinition.class::isInstance)
                .extracting(r -> ((StructureDefinition) r).getUrl())
                .contains(QuorumProfiles.EXT_DEID_COUNTS);
        CodeSystem categories =
                packaged.stream()
                        .filter(CodeSystem.class::isInstance)
                        .map(CodeSystem.class::cast)
                        .filter(cs -> cs.getUrl().equals(QuorumProfiles.CS_DEID_CATEGORY))
                        .findFirst()
                        .orElseThrow();
        Set<String> packagedCodes =
                categories.getConcept().stream()
                        .map(CodeSystem.ConceptDefinitionComponent::getCode)
                        .collect(Collectors.toSet());
        Set<String> javaCodes =
                Arrays.stream(DeidCategory.values())
                        .map(DeidCategory::code)
                        .collect(Collectors.toSet());
        assertThat(packagedCodes).isEqualTo(javaCodes);
    }

    private static List<SingleValidationMessage> errors(IBaseResource resource) {
        return validator.validateWithResult(resource).getMessages().stream()
                .filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .toList();
    }

    private static List<IBaseResource> readPackage(byte[] tgz) throws IOException {
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
