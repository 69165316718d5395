package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quorum.quality.TestLabels.label;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quorum.labels.Label;
import org.quorum.quality.QualityException;
import org.quorum.quality.agreement.ProjectAgreement.ClassAgreement;
import org.quorum.quality.agreement.ProjectAgreement.SchemaAgreement;

class LabelAgreementTest {

    /** Annotator A: p p p p p n n n n n; annotator B: p p p p n n n n n p (per note 1-10). */
    private static List<Label> twoAnnotators() {
        String a = "ppppp nnnnn".replace(" ", "");
        String b = "ppppnnnnnp";
        List<Label> labels = new ArrayList<>();
        for (int note = 0; note < 10; note++) {
            labels.add(labelOf("A", note, a.charAt(note)));
            labels.add(labelOf("B", note, b.charAt(note)));
        }
        return labels;
    }

    private static Label labelOf(String rater, int note, char code) {
        return label("Observation/" + rater + note)
                .performer("PractitionerRole/" + rater)
                .subject("Patient/" + note)
                .source("DocumentReference/" + note)
                .code(code == 'p' ? "pneumonia" : "normal")
                .build();
    }

    @Test
    void two_annotators_on_ten_notes_give_the_kappa_computed_by_hand() {
        // Table: both p 4, A p/B n 1, A n/B p 1, both n 4. p_o = 0.8; both raters say p half of
        // the time, so p_e = 0.5 and kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6.
        SchemaAgreement schema =
                LabelAgreement.analyse(twoAnnotators(), AgreementOptions.defaults()).get(0);

        assertThat(schema.units()).isEqualTo(10);
        assertThat(schema.raters()).containsExactly("PractitionerRole/A", "PractitionerRole/B");
        assertThat(schema.pairs()).hasSize(1);
        assertThat(schema.pairs().get(0).kappa().value()).isCloseTo(0.6, within(1e-12));
        assertThat(schema.pairs().get(0).percentAgreement().value()).isCloseTo(0.8, within(1e-12));
        assertThat(schema.percentAgreement().value()).isCloseTo(0.8, within(1e-12));
        // Krippendorff: D_o = 4/20, D_e = 2·10·10/(20·19); alpha = 1 − 0.2/(200/380) = 0.62.
        assertThat(schema.alpha().value()).isCloseTo(0.62, within(1e-12));
        // Both annotators labelled every note: Fleiss' kappa on two raters (Scott's pi) = 0.6.
        assertThat(schema.fleissKappa().value()).isCloseTo(0.6, within(1e-12));
    }

    @Test
    void classes_are_rated_present_or_absent() {
        SchemaAgreement schema =
                LabelAgreement.analyse(twoAnnotators(), AgreementOptions.defaults()).get(0);

        assertThat(schema.classes())
                .extracting(ClassAgreement::code)
                .containsExactly("normal", "pneumonia");
        // With two classes, "pneumonia present" is the same rating as the class itself.
        assertThat(schema.classes().get(1).alpha().value()).isCloseTo(0.62, within(1e-12));
        assertThat(schema.classes().get(1).percentAgreement().value())
                .isCloseTo(0.8, within(1e-12));
    }

    @Test
    void intervals_are_reproducible_and_contain_the_estimate() {
        AgreementOptions options = AgreementOptions.defaults();
        Estimate first =
                LabelAgreement.analyse(twoAnnotators(), options).get(0).pairs().get(0).kappa();
        Estimate second =
                LabelAgreement.analyse(twoAnnotators(), options).get(0).pairs().get(0).kappa();

        assertThat(first.interval()).isPresent();
        assertThat(first.interval().get().contains(first.value())).isTrue();
        assertThat(first.interval()).isEqualTo(second.interval());
        assertThat(first.interval().get().seed()).isEqualTo(AgreementOptions.DEFAULT_SEED);

        AgreementOptions none =
                new AgreementOptions(
                        Optional.empty(),
                        MeasurementLevel.NOMINAL,
                        KappaWeights.NONE,
                        0,
                        10,
                        1,
                        AgreementOptions.DEFAULT_STATUSES);
        assertThat(
                        LabelAgreement.analyse(twoAnnotators(), none)
                                .get(0)
                                .pairs()
                                .get(0)
                                .kappa()
                                .interval())
                .isEmpty();
    }

    @Test
    void a_third_annotator_on_some_notes_makes_fleiss_use_only_the_complete_units() {
        List<Label> labels = new ArrayList<>(twoAnnotators());
        labels.add(labelOf("C", 0, 'p'));
        labels.add(labelOf("C", 9, 'n'));

        SchemaAgreement schema = LabelAgreement.analyse(labels, AgreementOptions.defaults()).get(0);

        assertThat(schema.pairs()).hasSize(3);
        assertThat(schema.fleissKappa().units()).isEqualTo(2);
        assertThat(schema.pairs().get(1).kappa().units()).isEqualTo(2); // A and C
    }

    @Test
    void several_codes_of_one_annotator_on_one_unit_are_one_rating_of_the_set() {
        List<Label> labels =
                List.of(
                        label("Observation/1").performer("PractitionerRole/A").code("a").build(),
                        label("Observation/2").performer("PractitionerRole/A").code("b").build(),
                        label("Observation/3").performer("PractitionerRole/B").code("a").build(),
                        label("Observation/4")
                                .performer("PractitionerRole/B")
                                .code("a")
                                .subject("Patient/2")
                                .build(),
                        label("Observation/5")
                                .performer("PractitionerRole/A")
                                .code("a")
                                .subject("Patient/2")
                                .build());

        SchemaAgreement schema = LabelAgreement.analyse(labels, AgreementOptions.defaults()).get(0);

        // Unit 1: A says {a, b}, B says {a}: disagree. Unit 2: both say a: agree.
        assertThat(schema.units()).isEqualTo(2);
        assertThat(schema.percentAgreement().value()).isCloseTo(0.5, within(1e-12));
        // Class a: present for both on both units.
        assertThat(schema.classes().get(0).percentAgreement().value())
                .isCloseTo(1.0, within(1e-12));
    }

    @Test
    void text_spans_make_separate_units_and_schemas_are_reported_apart() {
        List<Label> labels =
                List.of(
                        label("Observation/1").performer("PractitionerRole/A").span("0-5").build(),
                        label("Observation/2").performer("PractitionerRole/B").span("0-5").build(),
                        label("Observation/3").performer("PractitionerRole/B").span("9-12").build(),
                        label("Observation/4")
                                .system("https://example.org/other")
                                .performer("PractitionerRole/A")
                                .build());

        List<SchemaAgreement> schemas = LabelAgreement.analyse(labels, AgreementOptions.defaults());

        assertThat(schemas)
                .extracting(SchemaAgreement::system)
                .containsExactly(
                        "https://example.org/other",
                        "https://quorum.dev/fhir/CodeSystem/test-findings");
        assertThat(schemas.get(1).units()).isEqualTo(2);
        assertThat(schemas.get(0).alpha().undefinedReason())
                .get()
                .asString()
                .contains("only one annotator");
    }

    @Test
    void entered_in_error_labels_do_not_count() {
        List<Label> labels = new ArrayList<>(twoAnnotators());
        labels.add(
                label("Observation/x")
                        .performer("PractitionerRole/C")
                        .status("entered-in-error")
                        .build());

        assertThat(LabelAgreement.analyse(labels, AgreementOptions.defaults()).get(0).raters())
                .hasSize(2);
    }

    @Test
    void interval_level_on_codes_that_are_not_numbers_is_refused_with_a_clear_message() {
        AgreementOptions interval =
                new AgreementOptions(
                        Optional.empty(),
                        MeasurementLevel.INTERVAL,
                        KappaWeights.NONE,
                        0,
                        10,
                        1,
                        AgreementOptions.DEFAULT_STATUSES);

        assertThatThrownBy(() -> LabelAgreement.analyse(twoAnnotators(), interval))
                .isInstanceOf(QualityException.class)
                .hasMessageContaining("QUALITY-004")
                .hasMessageContaining("interval level");
    }
}
