package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quorum.quality.agreement.ReferenceData.ratings;

import org.junit.jupiter.api.Test;

class PercentAgreementTest {

    @Test
    void two_raters_agree_on_the_share_of_units_rated_alike() {
        PercentAgreement.Result result =
                PercentAgreement.compute(ratings("a,a", "a,b", "b,b", "c,a"));

        assertThat(result.agreement()).isEqualTo(0.5);
        assertThat(result.units()).isEqualTo(4);
    }

    @Test
    void three_raters_average_the_share_of_agreeing_pairs_per_unit() {
        // Unit 1: all 3 pairs agree; unit 2: 1 of 3 pairs; unit 3: none. Mean = (1 + 1/3 + 0) / 3.
        PercentAgreement.Result result =
                PercentAgreement.compute(ratings("a,a,a", "a,a,b", "a,b,c"));

        assertThat(result.agreement()).isCloseTo(4.0 / 9, within(1e-15));
    }

    @Test
    void units_with_fewer_than_two_ratings_are_skipped_and_others_weigh_the_same() {
        // Unit 1 (2 ratings) agrees; unit 2 (3 ratings) has 1 of 3 pairs agreeing; unit 3 has
        // one rating and is skipped.
        PercentAgreement.Result result = PercentAgreement.compute(ratings("a,a,", "b,b,c", ",,a"));

        assertThat(result.units()).isEqualTo(2);
        assertThat(result.agreement()).isCloseTo((1 + 1.0 / 3) / 2, within(1e-15));
    }

    @Test
    void agreement_is_undefined_without_a_unit_with_two_ratings() {
        PercentAgreement.Result result = PercentAgreement.compute(ratings("a,", ",b"));

        assertThat(result.agreement()).isNaN();
        assertThat(result.undefinedReason()).isPresent();
    }

    @Test
    void complete_data_give_fleiss_mean_agreement() {
        CodedRatings diagnoses =
                CodedRatings.encode(ReferenceData.unitsAsRows("fleiss1971_diagnoses.csv"));

        assertThat(PercentAgreement.compute(diagnoses).agreement())
                .isCloseTo(FleissKappa.compute(diagnoses).meanAgreement(), within(1e-15));
    }
}
