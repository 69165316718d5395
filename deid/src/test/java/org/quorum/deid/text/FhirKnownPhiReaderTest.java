package org.quorum.deid.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class FhirKnownPhiReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String PATIENT =
            """
            {"resourceType":"Patient","id":"p1",
             "identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"MRN-778899"},
                           {"type":{"coding":[{"code":"SS"}]},"value":"999-94-5397"}],
             "name":[{"family":"Medhurst46","given":["Sumiko254","Larue605"]}],
             "telecom":[{"system":"phone","value":"555-810-7203"},{"system":"email","value":"sumiko@example.net"}],
             "birthDate":"1927-05-21",
             "address":[{"line":["742 Evergreen Terrace"],"city":"Olathe","state":"Kansas","postalCode":"66061"}]}
            """;

    @Test
    void patient_key_is_the_medical_record_number() throws Exception {
        assertThat(FhirKnownPhiReader.read(JSON.readTree(PATIENT)).patientKey())
                .contains("MRN-778899");
    }

    @Test
    void patient_values_are_found_in_text_in_other_spellings() throws Exception {
        KnownPhi known = FhirKnownPhiReader.read(JSON.readTree(PATIENT));
        String text =
                "Sumiko (DOB May 21, 1927) of Olathe, tel (555) 810-7203, SSN 999945397, mail sumiko@example.net; "
                        + "Medhurst family.";

        List<String> found =
                PhiDetector.standard().detect(text, known).stream()
                        .map(s -> text.substring(s.start(), s.end()))
                        .toList();

        assertThat(found)
                .contains(
                        "Sumiko",
                        "May 21, 1927",
                        "Olathe",
                        "(555) 810-7203",
                        "999945397",
                        "sumiko@example.net",
                        "Medhurst");
    }

    @Test
    void practitioner_organization_and_location_values_are_known_phi() throws Exception {
        KnownPhi.Builder builder = KnownPhi.builder();
        for (String resource :
                List.of(
                        "{\"resourceType\":\"Practitioner\",\"name\":[{\"family\":\"Kunze215\",\"given\":[\"Liane379\"]}],"
                                + "\"identifier\":[{\"system\":\"http://hl7.org/fhir/sid/us-npi\",\"value\":\"9999974592\"}]}",
                        "{\"resourceType\":\"Organization\",\"name\":\"NEWMAN REGIONAL HEALTH\","
                                + "\"telecom\":[{\"system\":\"fax\",\"value\":\"620-555-0100\"}]}",
                        "{\"resourceType\":\"Location\",\"name\":\"Quiet Pines Annex\",\"address\":{\"city\":\"Emporia\"}}",
                        "{\"resourceType\":\"Observation\",\"valueString\":\"not read\"}")) {
            FhirKnownPhiReader.addResource(builder, JSON.readTree(resource));
        }
        KnownPhi known = builder.build();
        String text =
                "Seen by liane379 kunze215 (NPI 9999974592) at Newman Regional Health, Quiet Pines Annex in Emporia;"
                        + " fax 620 555 0100. not read";

        List<PhiSpan> spans = PhiDetector.standard().detect(text, known);
        List<String> found = spans.stream().map(s -> text.substring(s.start(), s.end())).toList();

        assertThat(found)
                .contains(
                        "liane379 kunze215",
                        "9999974592",
                        "Newman Regional Health",
                        "Quiet Pines Annex",
                        "Emporia",
                        "620 555 0100");
        assertThat(found).noneMatch(value -> value.contains("not read"));
    }

    @Test
    void an_empty_record_adds_nothing() throws Exception {
        JsonNode empty = JSON.readTree("{\"resourceType\":\"Patient\"}");
        assertThat(FhirKnownPhiReader.read(empty).isEmpty()).isTrue();
    }
}
