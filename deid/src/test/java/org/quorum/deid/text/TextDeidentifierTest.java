package org.quorum.deid.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.lexicon.PhiLexicon;

class TextDeidentifierTest {

    private static final PhiLexicon LEXICON = PhiLexicon.standard();
    private static final PhiDetector DETECTOR = new PhiDetector(LEXICON);
    private static final DeidKeyService KEYS =
            new DeidKeyService(
                    "text-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    private static final TextDeidentifier.Options SAFE_HARBOR =
            new TextDeidentifier.Options(DatePolicy.SAFE_HARBOR, ReplacementStyle.SURROGATE, 2025);

    private static TextDeidentifier deidentifier(TextDeidentifier.Options options) {
        return new TextDeidentifier(DETECTOR, KEYS, LEXICON, options);
    }

    private static final String NOTE =
            "Mrs. Szöllösy was seen on March 3, 2021 by Dr. Gelencsér. "
                    + "Call 617-555-0199 or mail szollosy@example.net. SSN 123-45-6789, MRN: A1234567. "
                    + "Szöllösy lives at 12 Main Street, Boston, MA 02118. She is 92 years old.";

    @Test
    void removes_every_identifier_and_keeps_the_clinical_words() {
        DeidentifiedText result = deidentifier(SAFE_HARBOR).deidentify(NOTE);

        assertThat(result.text())
                .doesNotContain(
                        "Szöllösy",
                        "Gelencsér",
                        "March 3",
                        "617-555-0199",
                        "szollosy@",
                        "123-45-6789",
                        "A1234567",
                        "12 Main Street",
                        "Boston",
                        "02118",
                        "92 years")
                .contains("was seen on 2021 by Dr.", "90+ years old", "@example.org", "lives at");
    }

    @Test
    void same_value_gets_the_same_surrogate_within_and_across_notes() {
        TextDeidentifier deidentifier = deidentifier(SAFE_HARBOR);
        String first = deidentifier.deidentify("Mrs. Szöllösy came. Later Szöllösy left.").text();
        String second = deidentifier.deidentify("Szöllösy returned.").text();

        String surrogate = first.substring("Mrs. ".length(), first.indexOf(" came"));
        assertThat(surrogate).isNotEqualTo("Szöllösy");
        assertThat(first).isEqualTo("Mrs. " + surrogate + " came. Later " + surrogate + " left.");
        assertThat(second).isEqualTo(surrogate + " returned.");
    }

    @Test
    void ssn_surrogates_use_an_area_number_never_issued() {
        String text = deidentifier(SAFE_HARBOR).deidentify("SSN 123-45-6789.").text();
        assertThat(text).matches("SSN 9\\d\\d-\\d\\d-\\d{4}\\.");
    }

    @Test
    void date_shift_moves_all_of_a_patients_dates_by_the_same_keyed_offset() {
        KnownPhi patient = KnownPhi.builder().patientKey("MRN-778899").build();
        int offset = KEYS.dateOffsetDays("MRN-778899");
        TextDeidentifier shifting = deidentifier(SAFE_HARBOR.withDatePolicy(DatePolicy.DATE_SHIFT));

        String text =
                shifting.deidentify("Admitted 2021-03-04, discharged 2021-03-14.", patient).text();

        String admitted = java.time.LocalDate.of(2021, 3, 4).plusDays(offset).toString();
        String discharged = java.time.LocalDate.of(2021, 3, 14).plusDays(offset).toString();
        assertThat(text).isEqualTo("Admitted " + admitted + ", discharged " + discharged + ".");
    }

    @Test
    void date_shift_without_a_known_patient_falls_back_to_the_year() {
        TextDeidentifier shifting = deidentifier(SAFE_HARBOR.withDatePolicy(DatePolicy.DATE_SHIFT));
        assertThat(shifting.deidentify("Admitted 2021-03-04.").text()).isEqualTo("Admitted 2021.");
    }

    @Test
    void tag_style_writes_the_type_in_brackets() {
        DeidentifiedText result =
                deidentifier(SAFE_HARBOR.withStyle(ReplacementStyle.TAG))
                        .deidentify("Call Mrs. Szöllösy at 617-555-0199 on 3rd of March.");

        assertThat(result.text()).isEqualTo("Call Mrs. [NAME] at [PHONE] on [DATE].");
    }

    @Test
    void counts_say_how_many_of_each_type_were_replaced_and_hold_no_values() {
        DeidentifiedText result = deidentifier(SAFE_HARBOR).deidentify(NOTE);

        assertThat(result.countsByType())
                .containsEntry(PhiType.SSN, 1)
                .containsEntry(PhiType.PHONE, 1)
                .containsEntry(PhiType.EMAIL, 1)
                .containsEntry(PhiType.AGE, 1);
        assertThat(result.countsByType().get(PhiType.NAME)).isGreaterThanOrEqualTo(3);
        assertThat(result.toString()).doesNotContain("Szöllösy", "617-555-0199");
    }

    @Test
    void a_known_phone_number_inside_an_address_does_not_let_the_address_words_through() {
        // The address cue takes "1 Elmwood Terrace, Springfield; call (217)555-0142" as one
        // span; the known telephone inside it must not turn it into a digits-only replacement.
        KnownPhi known =
                KnownPhi.builder()
                        .place("1 Elmwood Terrace")
                        .place("Springfield")
                        .telecom("(217)555-0142", PhiType.PHONE)
                        .build();

        String out =
                deidentifier(SAFE_HARBOR)
                        .deidentify(
                                "She lives at 1 Elmwood Terrace, Springfield; call (217)555-0142.",
                                known)
                        .text();

        assertThat(out)
                .startsWith("She lives at ")
                .doesNotContain("Elmwood")
                .doesNotContain("Springfield")
                .doesNotContain("555-0142");
    }
}
