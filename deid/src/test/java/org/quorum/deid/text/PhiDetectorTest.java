package org.quorum.deid.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PhiDetectorTest {

    private static final PhiDetector DETECTOR = PhiDetector.standard();

    /** The text of each detected span, with its type. */
    private static Map<String, PhiType> found(String text) {
        return DETECTOR.detect(text).stream()
                .collect(
                        Collectors.toMap(
                                s -> text.substring(s.start(), s.end()),
                                PhiSpan::type,
                                (a, b) -> a));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2021-03-04",
                "2021-03-04T10:22:05",
                "03/04/2021",
                "3/4/21",
                "4.3.2021",
                "March 3, 2021",
                "Mar. 3rd 2021",
                "3rd of March",
                "3 March 2021",
                "03-Mar-2021",
                "March 2021",
                "Thursday, March 4, 2021",
                "04/2021"
            })
    void finds_dates_in_many_spellings(String date) {
        assertThat(found("Seen on " + date + " for follow-up.")).containsEntry(date, PhiType.DATE);
    }

    @Test
    void finds_a_time_written_next_to_its_date_as_part_of_the_date() {
        assertThat(found("Admitted 2021-03-04 10:22 via ED."))
                .containsEntry("2021-03-04 10:22", PhiType.DATE);
    }

    @Test
    void finds_ages_over_89_and_leaves_younger_ones() {
        assertThat(found("A 92 year-old woman.")).containsEntry("92", PhiType.AGE);
        assertThat(found("Aged 101, lives alone.")).containsEntry("101", PhiType.AGE);
        assertThat(found("A 89 year-old woman.")).doesNotContainValue(PhiType.AGE);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Call (617) 555-0199 tomorrow.|(617) 555-0199|PHONE",
                "Mobile: +41 (0)38 549 02 90|+41 (0)38 549 02 90|PHONE",
                "Fax: 617-555-0100|617-555-0100|FAX",
                "Write to jane.doe@example.com today|jane.doe@example.com|EMAIL",
                "SSN 123-45-6789 on file|123-45-6789|SSN",
                "MRN: A1234567 verified|A1234567|ID",
                "Account number 00123456789 closed|00123456789|ACCOUNT",
                "Card 4111 1111 1111 1111 declined|4111 1111 1111 1111|ACCOUNT",
                "IBAN GB37LTXZ84215830989318 used|GB37LTXZ84215830989318|ACCOUNT",
                "See https://portal.example.org/p/123 now|https://portal.example.org/p/123|URL",
                "Login from 36.160.14.148 flagged|36.160.14.148|IP",
                "Driver's license number S99940903 seen|S99940903|LICENSE",
                "VIN 1HGCM82633A004352 registered|1HGCM82633A004352|VEHICLE",
                "Pacemaker serial number PM-445521 checked|PM-445521|DEVICE",
                "Lives at 12 Main Street, Boston, MA 02118.|12 Main Street, Boston, MA 02118|ADDRESS"
            })
    void finds_identifiers_by_shape_and_cue(String text, String value, PhiType type) {
        assertThat(found(text)).containsEntry(value, type);
    }

    @Test
    void finds_names_after_titles_and_names_no_dictionary_lists() {
        Map<String, PhiType> found =
                found("Seen by Dr. Hope Walker; Mrs. Szöllösy reports pain. Gelencsér agreed.");

        assertThat(found)
                .containsEntry("Hope Walker", PhiType.NAME)
                .containsEntry("Szöllösy", PhiType.NAME)
                .containsEntry("Gelencsér", PhiType.NAME);
    }

    @Test
    void finds_the_patient_named_before_an_age_statement() {
        assertThat(found("Marine542 Ai120\n is a 59 year-old nonhispanic white female."))
                .containsEntry("Marine542 Ai120", PhiType.NAME);
    }

    @Test
    void finds_a_multiline_address_block() {
        String text =
                "Billing address: Sara Schwarz\n    28245 Puruntie 82 Apt. 595\n   LAPPEENRANTA\n    53650";

        assertThat(found(text))
                .containsEntry(
                        "28245 Puruntie 82 Apt. 595\n   LAPPEENRANTA\n    53650", PhiType.ADDRESS);
    }

    @Test
    void finds_addresses_written_in_lower_case_or_with_the_street_word_welded_on() {
        assertThat(found("my flat is 17 kirkevej 4, ribe, denmark"))
                .containsEntry("17 kirkevej 4, ribe, denmark", PhiType.ADDRESS);
        assertThat(found("Her flat: 31 Lindenstraße 9\nHamburg.\nnan\n22087"))
                .containsEntry("31 Lindenstraße 9\nHamburg.\nnan\n22087", PhiType.ADDRESS);
        assertThat(found("Post to 88 Ørsted 12 suite 3 tomorrow").keySet())
                .anySatisfy(k -> assertThat(k).startsWith("88 Ørsted 12 suite 3"));
        assertThat(found("Her zip code is 021")).containsEntry("021", PhiType.ADDRESS);
    }

    @Test
    void an_address_line_ends_where_the_sentence_goes_on() {
        assertThat(found("Ship it to 4 Elm Street, Salem, Oregon 97301 before Friday please."))
                .containsEntry("4 Elm Street, Salem, Oregon 97301", PhiType.ADDRESS);
    }

    @Test
    void finds_places_after_travel_cues_even_when_they_are_english_words() {
        assertThat(found("Last week she flew to Reading Falls with her son."))
                .containsEntry("Reading Falls", PhiType.ADDRESS);
    }

    @Test
    void finds_names_that_only_the_context_gives_away() {
        assertThat(found("Nurse notes:\nMargarethe: the pain is worse at night."))
                .containsEntry("Margarethe", PhiType.NAME);
        assertThat(found("Please sit down, Joan!")).containsEntry("Joan", PhiType.NAME);
        assertThat(found("Brought in by Ruby's husband.")).containsEntry("Ruby", PhiType.NAME);
        assertThat(found("Seen by Harriet Okonkwo MD today."))
                .containsEntry("Harriet Okonkwo MD", PhiType.NAME);
        assertThat(found("Baker and Young were the surgeons on call."))
                .containsEntry("Baker", PhiType.NAME)
                .containsEntry("Young", PhiType.NAME);
        assertThat(found("we asked zdravko kovacic about it")).containsKey("zdravko kovacic");
        assertThat(found("they invited frank sinatra")).containsKey("frank sinatra");
    }

    @Test
    void years_after_an_article_are_dates_but_doses_are_not() {
        assertThat(found("She had a 1987 hip replacement.")).containsEntry("1987", PhiType.DATE);
        assertThat(found("Follow a 2000 calorie diet.")).doesNotContainKey("2000");
        assertThat(found("Give a 1000 mg dose.")).doesNotContainKey("1000");
    }

    @Test
    void form_labels_are_not_speakers() {
        assertThat(found("Date: pending\nNote: none")).isEmpty();
    }

    @Test
    void finds_organisations_by_their_legal_form_or_institution_word() {
        assertThat(found("She works at Newman Regional Hospital since May."))
                .containsEntry("Newman Regional Hospital", PhiType.ORGANIZATION);
        assertThat(found("Acme Widgets LLC called."))
                .containsEntry("Acme Widgets LLC", PhiType.ORGANIZATION);
    }

    @Test
    void leaves_clinical_language_alone() {
        String note =
                "Patient has a history of chronic kidney disease stage 3 (disorder) and Type 2 Diabetes. "
                        + "Metformin 500 mg oral tablet; lisinopril 10 mg. Blood pressure 120/80. No Known Allergies.\n"
                        + "# Assessment and Plan\nFollow up in 3 months. Patient currently has Medicare.";

        assertThat(DETECTOR.detect(note)).isEmpty();
    }

    @Test
    void leaves_clinical_eponyms_alone_but_not_the_clinician_of_the_same_name() {
        String note =
                "Positive Murphy's sign. History of Crohn's disease and Hodgkin lymphoma. Glasgow Coma Scale 15. "
                        + "Foley catheter placed. Seen by Dr. Murphy.";

        assertThat(found(note)).containsOnly(java.util.Map.entry("Murphy", PhiType.NAME));
    }

    @Test
    void merges_overlapping_findings_into_one_span_of_the_most_specific_type() {
        List<PhiSpan> merged =
                PhiDetector.merge(
                        List.of(
                                new PhiSpan(0, 10, PhiType.PHONE, "a"),
                                new PhiSpan(0, 10, PhiType.DATE, "b"),
                                new PhiSpan(20, 25, PhiType.NAME, "c"),
                                new PhiSpan(22, 30, PhiType.NAME, "d")));

        assertThat(merged)
                .extracting(PhiSpan::start, PhiSpan::end, PhiSpan::type)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(0, 10, PhiType.DATE),
                        org.assertj.core.groups.Tuple.tuple(20, 30, PhiType.NAME));
    }

    @Test
    void known_phi_from_the_record_is_found_in_any_case_and_punctuation() {
        KnownPhi known =
                KnownPhi.builder()
                        .personName("Will Rose")
                        .telecom("555-810-7203", PhiType.PHONE)
                        .identifier("999-94-5397", PhiType.SSN)
                        .build();
        String text = "WILL ROSE called from 5558107203; will call back. SSN 999945397.";

        Map<String, PhiType> found =
                DETECTOR.detect(text, known).stream()
                        .collect(
                                Collectors.toMap(
                                        s -> text.substring(s.start(), s.end()),
                                        PhiSpan::type,
                                        (a, b) -> a));

        assertThat(found)
                .containsEntry("WILL ROSE", PhiType.NAME)
                .containsEntry("5558107203", PhiType.PHONE)
                .containsEntry("999945397", PhiType.SSN)
                .doesNotContainKey("will");
    }

    // --- issue 11: general rules, each on sentences of its own ---------------------------------

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Seen by ortho for Dupuytren contracture of the right hand.",
                "Positive Ortolani and Barlow maneuver on the left.",
                "ECG shows Wolff-Parkinson-White pattern; history of Parkinson disease.",
                "Stage IIA Hodgkin lymphoma, Crohn disease in remission.",
                "Glasgow Coma Scale 14 on arrival, Apgar 8 and 9.",
                "Known Duchenne muscular dystrophy; Mobitz type II block on telemetry.",
                "SpO2 97% on RA, BP 120/80, HR 88, FiO2 40%.",
                "Started Lasix 20 mg and Keppra 500 mg, continue Eliquis 2.5 mg BID.",
                "Labs: Na 134, K 3.9, NIHSS 4, MMSE 24/30, APACHE II 18.",
                "MRI: disc bulge at L4-L5 and L5-S1 with radiculopathy."
            })
    void leaves_eponyms_vital_signs_doses_scores_and_spine_levels(String sentence) {
        assertThat(found(sentence)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"3/16", "03/16", "the 16th", "Mar 16th", "16 March"})
    void finds_dates_without_a_year(String date) {
        String text = "Seen on " + date + " at the clinic.";
        Map<String, PhiType> spans = found(text);
        String expected = date.startsWith("the ") ? date.substring(4) : date;
        assertThat(spans).containsEntry(expected, PhiType.DATE);
    }

    @Test
    void a_slash_after_a_score_or_blood_pressure_is_no_date() {
        assertThat(found("Pain 6/10, Apgars 7/9, BP 118/76.")).doesNotContainValue(PhiType.DATE);
        assertThat(found("The 5th percentile and the 3rd degree tear.")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a 97 yo man",
                "a 97yo man",
                "97 y/o",
                "a 103-year-old",
                "ninety-seven years old",
                "one hundred and two y/o",
                "she turns 97 next week"
            })
    void finds_ages_over_89_in_digits_and_words(String phrase) {
        assertThat(found("Patient is " + phrase + ".")).containsValue(PhiType.AGE);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "913/541-5017",
                "(913) 541-5017",
                "(913)541-5017",
                "913.541.5017",
                "913 541 5017",
                "+1 913 541 5017",
                "1-913-541-5017",
                "913-541-5017 ext. 204"
            })
    void finds_phone_numbers_in_every_punctuation(String phone) {
        assertThat(found("Call back on " + phone + " today.")).containsEntry(phone, PhiType.PHONE);
    }

    @Test
    void finds_organisations_by_their_kind_in_any_case() {
        // "Terrace" is also a street word: the span may be typed as an address; it goes either way.
        assertThat(found("Lives at Maple Terrace Care Home since May."))
                .containsKey("Maple Terrace Care Home");
        assertThat(found("Referred to Autumn Grove hospice."))
                .containsEntry("Autumn Grove hospice", PhiType.ORGANIZATION);
        assertThat(found("Works for HOLLISTER FREIGHT LINES as a driver."))
                .containsEntry("HOLLISTER FREIGHT LINES", PhiType.ORGANIZATION);
    }

    @Test
    void finds_identifiers_with_prefixes_and_suffixes_whole() {
        assertThat(found("Accession RAD-2016-501307 and 320564-MR reviewed."))
                .containsKeys("RAD-2016-501307", "320564-MR");
    }

    @Test
    void finds_initials_that_sign_a_note_and_dotted_initials() {
        assertThat(found("Report given to night nurse.\n-JD")).containsEntry("JD", PhiType.NAME);
        assertThat(found("Seen with T.D.G. in clinic.")).containsEntry("T.D.G.", PhiType.NAME);
        assertThat(found("Take one tablet b.i.d. and P.R.N.")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Performance status Karnofsky 70, ambulatory.",
                "Colorectal screening: Cologuard negative last year.",
                "Rhythm strip shows Wenckebach.",
                "Development on Denver II appropriate for age.",
                "Hips: Ortolani and Mallampati noted.",
                "Risk was Wells 4 at triage.",
                "Puberty Tanner 3, no concerns.",
                "Positive Tinel at the wrist.",
            })
    void leaves_scores_screening_tests_and_signs_named_without_a_head_noun(String text) {
        assertThat(found(text))
                .allSatisfy(
                        (value, type) ->
                                assertThat(type).as(value).isNotIn(PhiType.NAME, PhiType.ADDRESS));
    }

    @Test
    void a_score_name_that_is_a_family_name_or_place_stays_phi_without_a_grade() {
        assertThat(found("Seen today with her son Tanner, who drove from Denver."))
                .containsEntry("Tanner", PhiType.NAME);
        assertThat(found("Mr. Wells called about his results.")).containsKey("Wells");
    }
}
