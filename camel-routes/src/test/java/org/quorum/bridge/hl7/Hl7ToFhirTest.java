package org.quorum.bridge.hl7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.model.Message;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.quorum.deid.fhir.FhirDeidentifier;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.lexicon.PhiLexicon;

class Hl7ToFhirTest {

    private final Hl7ToFhir converter = new Hl7ToFhir("urn:test:mrn", ZoneId.of("America/Chicago"));

    private Message parse(String er7) throws Exception {
        return Hl7Intake.newHapiContext().getPipeParser().parse(er7);
    }

    @Test
    void an_mdm_t02_becomes_a_note_with_its_patient_encounter_and_author() throws Exception {
        Hl7ToFhir.Converted converted =
                converter.convert(parse(Hl7Messages.dischargeSummary("M1", "MRN-1")));
        assertThat(converted.messageKey()).isEqualTo("GENHOSP|M1");
        DocumentReference note = (DocumentReference) converted.records().get(0);
        String text =
                new String(
                        note.getContentFirstRep().getAttachment().getData(),
                        StandardCharsets.UTF_8);
        assertThat(text)
                .isEqualTo(
                        "Wilhelmina Testperson was admitted on 02/29/2024 with community-acquired pneumonia.\n"
                                + "She lives at 1 Elmwood Terrace, Springfield; call (217)555-0142.\n"
                                + "Discharged home in good condition; follow up with Dr. Ostrander in two weeks.");
        assertThat(note.getType().getCodingFirstRep().getCode()).isEqualTo("DS");
        assertThat(note.getDocStatus()).isEqualTo(DocumentReference.ReferredDocumentStatus.FINAL);
        // TXA-6 20240301100000 without an offset: the hospital's zone (Chicago, UTC-6 in March)
        assertThat(note.getDate().toInstant())
                .isEqualTo(java.time.Instant.parse("2024-03-01T16:00:00Z"));
        Patient patient =
                (Patient)
                        converted.related().values().stream()
                                .filter(Patient.class::isInstance)
                                .findFirst()
                                .orElseThrow();
        assertThat(patient.getIdentifierFirstRep().getValue()).isEqualTo("MRN-1");
        assertThat(patient.getIdentifierFirstRep().getType().getCodingFirstRep().getCode())
                .isEqualTo("MR");
        assertThat(patient.getNameFirstRep().getFamily()).isEqualTo("Testperson");
        assertThat(patient.getAddressFirstRep().getLine().get(0).getValue())
                .isEqualTo("1 Elmwood Terrace");
        assertThat(patient.getBirthDateElement().getValueAsString()).isEqualTo("1958-04-12");
        Encounter encounter =
                (Encounter)
                        converted.related().values().stream()
                                .filter(Encounter.class::isInstance)
                                .findFirst()
                                .orElseThrow();
        assertThat(encounter.getClass_().getCode()).isEqualTo("IMP");
        assertThat(encounter.getPeriod().getStartElement().getValueAsString())
                .isEqualTo("2024-02-29T08:00:00-06:00");
        assertThat(note.getAuthorFirstRep().getReference()).startsWith("Practitioner/hl7-");
        assertThat(note.getSubject().getReference())
                .isEqualTo("Patient/" + patient.getIdElement().getIdPart());
    }

    @Test
    void an_oru_r01_in_v2_3_becomes_a_report_with_formatted_text_as_lines() throws Exception {
        Hl7ToFhir.Converted converted = converter.convert(parse(Hl7Messages.chestReport("R1")));
        DiagnosticReport report = (DiagnosticReport) converted.records().get(0);
        assertThat(report.getStatus()).isEqualTo(DiagnosticReport.DiagnosticReportStatus.FINAL);
        assertThat(report.getCategoryFirstRep().getCodingFirstRep().getCode()).isEqualTo("RAD");
        assertThat(report.getCode().getCodingFirstRep().getCode()).isEqualTo("71046");
        assertThat(report.getIdentifierFirstRep().getValue()).isEqualTo("FL-R1");
        assertThat(new String(report.getPresentedFormFirstRep().getData(), StandardCharsets.UTF_8))
                .isEqualTo(
                        "FINDINGS:\nNo focal consolidation. Bartholomew Examplar tolerated the exam.\nIMPRESSION: Normal chest radiograph.");
    }

    @Test
    void what_the_bridge_does_not_take_is_refused_with_the_right_code() throws Exception {
        Message adt =
                parse(
                        Hl7Messages.message(
                                Hl7Messages.msh("F", "ADT^A01^ADT_A01", "A1", "2.5.1"),
                                Hl7Messages.pid("M", "Doe", "Jo")));
        assertThatThrownBy(() -> converter.convert(adt))
                .isInstanceOfSatisfying(
                        Hl7Rejection.class,
                        r -> assertThat(r.code()).isEqualTo(AcknowledgmentCode.AR));
        Message noPid =
                parse(
                        Hl7Messages.message(
                                Hl7Messages.msh("F", "MDM^T02", "A2", "2.5.1"),
                                Hl7Messages.segment("PID", 1, "1"),
                                Hl7Messages.txa("D"),
                                Hl7Messages.obxText(1, "TX", "x")));
        assertThatThrownBy(() -> converter.convert(noPid))
                .isInstanceOfSatisfying(
                        Hl7Rejection.class,
                        r -> {
                            assertThat(r.code()).isEqualTo(AcknowledgmentCode.AE);
                            assertThat(r.getMessage()).contains("PID-3");
                        });
        assertThat(Hl7ToFhir.formattedText("a\\.br\\b\\.sp\\c")).isEqualTo("a\nbc");
    }

    @Test
    void de_identification_of_a_converted_note_removes_what_the_message_says_about_the_patient()
            throws Exception {
        Hl7ToFhir.Converted converted =
                converter.convert(parse(Hl7Messages.dischargeSummary("M1", "MRN-1")));
        List<Resource> input = new ArrayList<>(converted.related().values());
        input.addAll(converted.records());
        FhirDeidentifier.Result result =
                new FhirDeidentifier(
                                FhirContext.forR4Cached(),
                                new DeidKeyService(
                                        "a-project-secret-of-enough-bytes"
                                                .getBytes(StandardCharsets.UTF_8)),
                                PhiLexicon.standard(),
                                DatePolicy.DATE_SHIFT,
                                Clock.systemUTC())
                        .deidentify(input);
        DocumentReference note =
                (DocumentReference) result.resources().get(result.resources().size() - 1);
        String text =
                new String(
                        note.getContentFirstRep().getAttachment().getData(),
                        StandardCharsets.UTF_8);
        assertThat(text)
                .contains("community-acquired pneumonia")
                .doesNotContain("Wilhelmina")
                .doesNotContain("Testperson")
                .doesNotContain("555-0142")
                .doesNotContain("Ostrander")
                .doesNotContain("Elmwood")
                .doesNotContain("Springfield");
    }
}
