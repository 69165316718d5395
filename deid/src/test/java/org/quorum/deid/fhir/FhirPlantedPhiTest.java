package org.quorum.deid.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.FamilyMemberHistory;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RelatedPerson;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Planted PHI in every kind of place a FHIR resource can hold it (issue 11): Reference.display of
 * subject, performer and resultsInterpreter, Attachment.title with names and dates, base64 text,
 * HTML and RTF attachments, valueString, Annotation.authorString and text, an extension (nested in
 * another) holding a relative's name, a HumanName in an extension, the address geolocation
 * extension, narratives, a contained resource, a resource type with no rule of its own. After
 * de-identification, no planted string occurs anywhere in the output JSON nor in any decoded
 * attachment, under both policies.
 */
class FhirPlantedPhiTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);
    private static final String RELATIVE_EXTENSION = "https://hospital.example/fhir/next-of-kin";

    /** Compared case-insensitively with the JSON and every decoded attachment. */
    private static final List<String> PLANTED =
            List.of(
                    "quarrington",
                    "delphine",
                    "vandersloot",
                    "ignatius",
                    "cornelius",
                    "rosalind",
                    "bramblewood",
                    "larkspur",
                    "wexhampton",
                    "02139",
                    "617-555-0143",
                    "6175550143",
                    "delphine.q@",
                    "1951-06-02",
                    "2024-03-16",
                    "03/16/2024",
                    "march 16",
                    "42.3601",
                    "71.0589",
                    "99318827",
                    "d.q.",
                    "records.hospital.example");

    private static PhiLexicon lexicon;

    @BeforeAll
    static void loadLexicon() {
        lexicon = PhiLexicon.standard();
    }

    @ParameterizedTest
    @EnumSource(DatePolicy.class)
    void no_planted_string_survives_in_any_element_or_attachment(DatePolicy policy)
            throws Exception {
        List<Resource> input = plantedRecord();
        String before = everything(input);
        assertThat(PLANTED).as("planted in the input").allMatch(before::contains);

        FhirDeidentifier.Result result =
                new FhirDeidentifier(
                                FHIR,
                                new DeidKeyService(
                                        "planted-phi-secret-0123456789"
                                                .getBytes(StandardCharsets.UTF_8)),
                                lexicon,
                                policy,
                                CLOCK)
                        .deidentify(input);
        List<Resource> output = new ArrayList<>(result.resources());
        output.addAll(result.provenances());
        String after = everything(output);

        assertThat(leaks(after)).isEmpty();
        // Clinical content stays readable.
        assertThat(after).contains("dupuytren contracture", "spo2 97%", "metoprolol 25 mg");
        // The PDF could not be scrubbed: removed, and the removal is on record.
        assertThat(result.totals()).containsKey("ATTACHMENT").containsKey("GEOLOCATION");
        Provenance ofReport =
                result.provenances().stream()
                        .filter(
                                p ->
                                        p.getTargetFirstRep()
                                                .getReference()
                                                .startsWith("DocumentReference/"))
                        .findFirst()
                        .orElseThrow();
        assertThat(FHIR.newJsonParser().encodeResourceToString(ofReport))
                .contains("\"ATTACHMENT\"");
    }

    private static List<String> leaks(String output) {
        List<String> leaks = new ArrayList<>();
        for (String planted : PLANTED) {
            int at = output.indexOf(planted);
            if (at >= 0) {
                leaks.add(
                        planted
                                + " in: "
                                + output.substring(
                                        Math.max(0, at - 60),
                                        Math.min(output.length(), at + planted.length() + 60)));
            }
        }
        return leaks;
    }

    /** The JSON of every resource plus the decoded text of every attachment, lower case. */
    private static String everything(List<Resource> resources) throws Exception {
        StringBuilder all = new StringBuilder();
        ObjectMapper json = new ObjectMapper();
        for (Resource resource : resources) {
            String text = FHIR.newJsonParser().encodeResourceToString(resource);
            all.append(text).append('\n');
            for (JsonNode data : json.readTree(text).findValues("data")) {
                if (data.isTextual()) {
                    try {
                        all.append(
                                        new String(
                                                Base64.getDecoder().decode(data.asText()),
                                                StandardCharsets.UTF_8))
                                .append('\n');
                    } catch (IllegalArgumentException notBase64) {
                        all.append(data.asText()).append('\n');
                    }
                }
            }
        }
        return all.toString().toLowerCase(Locale.ROOT);
    }

    private static List<Resource> plantedRecord() {
        Patient patient = new Patient();
        patient.setId("pat-1");
        patient.addIdentifier()
                .setSystem("https://records.hospital.example/mrn")
                .setValue("99318827")
                .getType()
                .addCoding()
                .setSystem("http://terminology.hl7.org/CodeSystem/v2-0203")
                .setCode("MR");
        patient.addName().setFamily("Quarrington").addGiven("Delphine");
        patient.setGender(Enumerations.AdministrativeGender.FEMALE);
        patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1951-06-02"));
        patient.addTelecom().setValue("617-555-0143");
        patient.addTelecom().setValue("delphine.q@example.net");
        var address =
                patient.addAddress()
                        .addLine("48 Larkspur Lane")
                        .setCity("Wexhampton")
                        .setState("MA")
                        .setPostalCode("02139-4471");
        Extension geo =
                address.addExtension()
                        .setUrl("http://hl7.org/fhir/StructureDefinition/geolocation");
        geo.addExtension("latitude", new DecimalType("42.3601"));
        geo.addExtension("longitude", new DecimalType("-71.0589"));
        patient.addContact().setName(new HumanName().setFamily("Quarrington").addGiven("Rosalind"));
        // A relative's name in a site extension, nested one level, and as a HumanName.
        Extension kin = patient.addExtension().setUrl(RELATIVE_EXTENSION);
        kin.addExtension("name", new StringType("Cornelius Quarrington (son)"));
        kin.addExtension(
                "legalName", new HumanName().setFamily("Quarrington").addGiven("Cornelius"));
        Narrative narrative = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
        narrative.setDivAsString(
                "<div xmlns=\"http://www.w3.org/1999/xhtml\">Delphine Quarrington,"
                        + " 48 Larkspur Lane, Wexhampton</div>");
        patient.setText(narrative);

        Practitioner doctor = new Practitioner();
        doctor.setId("dr-1");
        doctor.addName().setFamily("Vandersloot").addGiven("Ignatius").addPrefix("Dr.");
        Organization hospice = new Organization();
        hospice.setId("org-1");
        hospice.setName("Bramblewood Hospice");

        DiagnosticReport report = new DiagnosticReport();
        report.setId("dr-report");
        report.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
        report.getCode().setText("Hand radiograph");
        report.setSubject(new Reference("Patient/pat-1").setDisplay("Delphine Quarrington"));
        report.addPerformer(new Reference("Organization/org-1").setDisplay("Bramblewood Hospice"));
        report.addResultsInterpreter(
                new Reference("Practitioner/dr-1").setDisplay("Dr. Ignatius Vandersloot"));
        report.setConclusion(
                "Dupuytren contracture, left hand. Discussed with Delphine on 03/16/2024.");
        report.addPresentedForm(
                new Attachment()
                        .setContentType("text/html")
                        .setTitle("Report for D.Q. Quarrington 2024-03-16")
                        .setData(
                                ("<html><body><p title=\"Delphine Quarrington\">Patient: <b>QUARRINGTON,"
                                                + " Delphine</b> (D.Q.)</p><p>Seen March 16, 2024 by"
                                                + " Dr Vandersloot. Dupuytren contracture.</p></body></html>")
                                        .getBytes(StandardCharsets.UTF_8)));

        Observation observation = new Observation();
        observation.setId("obs-1");
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.getCode().setText("Comment");
        observation.setSubject(new Reference("Patient/pat-1").setDisplay("QUARRINGTON, DELPHINE"));
        observation.setValue(
                new StringType(
                        "SpO2 97% on room air, seen at Bramblewood Hospice by Ignatius Vandersloot"));
        observation.addPerformer(new Reference("Practitioner/dr-1").setDisplay("Vandersloot"));
        observation.addNote(
                new Annotation()
                        .setAuthor(new StringType("Ignatius Vandersloot"))
                        .setText("Daughter Rosalind Quarrington phoned 617-555-0143.")
                        .setTimeElement(new DateTimeType("2024-03-16T10:15:00Z")));

        DocumentReference note = new DocumentReference();
        note.setId("doc-1");
        note.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
        note.setSubject(new Reference("Patient/pat-1").setDisplay("Delphine Quarrington"));
        note.addAuthor(new Reference("Practitioner/dr-1").setDisplay("Ignatius Vandersloot MD"));
        note.addContent()
                .setAttachment(
                        new Attachment()
                                .setContentType("text/plain; charset=utf-8")
                                .setTitle("Discharge summary Delphine Quarrington 03/16/2024")
                                .setData(
                                        ("Patient Delphine Quarrington (MRN 99318827), DOB 1951-06-02,"
                                                        + " lives at 48 Larkspur Lane, Wexhampton 02139."
                                                        + " metoprolol 25 mg daily. Son Cornelius"
                                                        + " visits. Call 617-555-0143.")
                                                .getBytes(StandardCharsets.UTF_8)));
        note.addContent()
                .setAttachment(
                        new Attachment()
                                .setContentType("text/rtf")
                                .setTitle("Letter")
                                .setData(
                                        ("{\\rtf1\\ansi{\\fonttbl\\f0 Arial;}\\f0 Dear \\b Dr"
                                                        + " Vandersloot\\b0 ,\\par Re: Delphine"
                                                        + " Quarrington, seen March 16, 2024.\\par}")
                                                .getBytes(StandardCharsets.UTF_8)));
        note.addContent()
                .setAttachment(
                        new Attachment()
                                .setContentType("application/pdf")
                                .setTitle("Scanned referral")
                                .setData(
                                        "%PDF-1.4 Delphine Quarrington"
                                                .getBytes(StandardCharsets.UTF_8)));
        note.addContent()
                .setAttachment(
                        new Attachment()
                                .setContentType("image/jpeg")
                                .setUrl("https://records.hospital.example/img/99318827.jpg"));

        Encounter encounter = new Encounter();
        encounter.setId("enc-1");
        encounter.setStatus(Encounter.EncounterStatus.FINISHED);
        encounter.setSubject(new Reference("Patient/pat-1"));
        encounter
                .addLocation()
                .setLocation(
                        new Reference("Location/loc-1").setDisplay("Bramblewood Hospice, room 4"));
        encounter.getPeriod().setStartElement(new DateTimeType("2024-03-16T09:00:00Z"));

        Location location = new Location();
        location.setId("loc-1");
        location.setName("Bramblewood Hospice");
        location.getPosition().setLatitude(42.3601).setLongitude(-71.0589);

        Condition condition = new Condition();
        condition.setId("cond-1");
        condition.setSubject(new Reference("Patient/pat-1"));
        condition.getCode().setText("Dupuytren contracture");
        condition.addNote().setText("Family history: Cornelius Quarrington had the same.");
        RelatedPerson contained = new RelatedPerson();
        contained.setId("rp");
        contained.setPatient(new Reference("Patient/pat-1"));
        contained.addName().setFamily("Quarrington").addGiven("Cornelius");
        condition.addContained(contained);
        condition.setAsserter(new Reference("#rp").setDisplay("Cornelius Quarrington"));

        FamilyMemberHistory family = new FamilyMemberHistory();
        family.setId("fmh-1");
        family.setStatus(FamilyMemberHistory.FamilyHistoryStatus.COMPLETED);
        family.setPatient(new Reference("Patient/pat-1"));
        family.setName("Rosalind Quarrington");
        family.getRelationship().setText("mother");

        Communication message = new Communication();
        message.setId("msg-1");
        message.setStatus(Communication.CommunicationStatus.COMPLETED);
        message.setSubject(new Reference("Patient/pat-1"));
        message.addPayload()
                .setContent(
                        new StringType(
                                "Phone message from delphine quarrington: please call back on"
                                        + " 617-555-0143 (cell 6175550143) re appointment March 16."));

        return List.of(
                patient,
                doctor,
                hospice,
                report,
                observation,
                note,
                encounter,
                location,
                condition,
                family,
                message);
    }
}
