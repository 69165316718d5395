package org.quorum.deid.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.lexicon.PhiLexicon;

class FhirDeidentifierTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);

    private final FhirDeidentifier deidentifier =
            new FhirDeidentifier(
                    FHIR,
                    new DeidKeyService(
                            "unit-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8)),
                    PhiLexicon.standard(),
                    DatePolicy.SAFE_HARBOR,
                    CLOCK);

    private static Patient oldPatient() {
        Patient patient = new Patient();
        patient.setId("old-1");
        patient.addIdentifier()
                .setSystem("http://hospital.example/mrn")
                .setValue("MRN-778812")
                .getType()
                .addCoding()
                .setSystem("http://terminology.hl7.org/CodeSystem/v2-0203")
                .setCode("MR");
        patient.addName().setFamily("Wojciechowski").addGiven("Bartholomew");
        patient.setGender(Enumerations.AdministrativeGender.MALE);
        patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1930-02-11"));
        patient.addExtension(
                "http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName",
                new StringType("Przybylski"));
        patient.getMeta().setLastUpdated(new Date());
        return patient;
    }

    @Test
    void a_resource_type_without_special_rules_is_scrubbed_and_its_identifiers_pseudonymised() {
        Goal goal = new Goal();
        goal.setId("goal-9");
        goal.addIdentifier(new Identifier().setSystem("urn:goals").setValue("G-4471-XY"));
        goal.setSubject(new Reference("Patient/old-1").setDisplay("Bartholomew Wojciechowski"));
        goal.setDescription(
                new CodeableConcept().setText("Bartholomew Wojciechowski to walk daily"));
        goal.addNote(
                new Annotation()
                        .setText("Discussed with Bartholomew on 2024-03-05")
                        .setAuthor(new StringType("Nurse Przybylski")));

        FhirDeidentifier.Result result = deidentifier.deidentify(List.of(oldPatient(), goal));

        String json = encode(result.resources());
        assertThat(json)
                .doesNotContain("Wojciechowski", "Bartholomew", "Przybylski", "G-4471-XY")
                .doesNotContain("MRN-778812", "old-1", "goal-9", "2024-03-05", "1930");
        Goal out = (Goal) result.resources().get(1);
        assertThat(out.getSubject().getReference())
                .isEqualTo("Patient/" + result.resources().get(0).getIdElement().getIdPart());
        assertThat(out.getDescription().getText()).endsWith("to walk daily");
        assertThat(out.getNoteFirstRep().getText()).contains("2024");
    }

    @Test
    void a_patient_over_89_loses_the_birth_year_and_instants_go_under_safe_harbor() {
        FhirDeidentifier.Result result = deidentifier.deidentify(List.of(oldPatient()));

        Patient out = (Patient) result.resources().get(0);
        assertThat(out.hasBirthDate()).isFalse();
        assertThat(out.getMeta().hasLastUpdated()).isFalse();
        assertThat(out.getExtension()).isEmpty();
        assertThat(out.getGender()).isEqualTo(Enumerations.AdministrativeGender.MALE);
        assertThat(result.totals()).containsEntry("AGE", 1).containsEntry("EXTENSION", 1);
        String provenance =
                FHIR.newJsonParser().encodeResourceToString(result.provenances().get(0));
        assertThat(provenance)
                .contains(FhirDeidentifier.COUNTS_EXTENSION, "\"AGE\"", "DEID")
                .doesNotContain("Wojciechowski", "MRN-778812");
    }

    private static String encode(List<Resource> resources) {
        StringBuilder out = new StringBuilder();
        resources.forEach(r -> out.append(FHIR.newJsonParser().encodeResourceToString(r)));
        return out.toString();
    }

    @Test
    void bundle_entries_without_ids_get_pseudonymous_ids_and_stay_linked_by_full_url() {
        org.hl7.fhir.r4.model.Bundle bundle = new org.hl7.fhir.r4.model.Bundle();
        bundle.setType(org.hl7.fhir.r4.model.Bundle.BundleType.TRANSACTION);
        Patient patient = oldPatient();
        patient.setId((String) null);
        String patientUrl = "urn:uuid:4f1c9a52-7a0e-4d55-9d7e-2b2b0c1f0a11";
        bundle.addEntry().setFullUrl(patientUrl).setResource(patient);
        Goal goal = new Goal();
        goal.setSubject(new Reference(patientUrl));
        bundle.addEntry().setResource(goal);

        org.hl7.fhir.r4.model.Bundle out = deidentifier.deidentify(bundle);

        assertThat(out.getEntry()).hasSize(4);
        Patient outPatient = (Patient) out.getEntry().get(0).getResource();
        Goal outGoal = (Goal) out.getEntry().get(1).getResource();
        assertThat(outPatient.getIdElement().getIdPart()).startsWith("MRN-");
        assertThat(outGoal.getIdElement().getIdPart()).isNotBlank();
        // A urn:uuid reference points at the patient's new fullUrl.
        assertThat(outGoal.getSubject().getReference())
                .isEqualTo(out.getEntry().get(0).getFullUrl())
                .startsWith("urn:uuid:");
        assertThat(patient.getIdElement().getIdPart()).as("input untouched").isNull();
        assertThat(encode(List.<Resource>of(outPatient, outGoal))).doesNotContain("4f1c9a52");
    }
}
