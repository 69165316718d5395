package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quorum.quality.agreement.ReferenceData.ratings;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

class KrippendorffAlphaTest {

    @ParameterizedTest
    @EnumSource(MeasurementLevel.class)
    void perfect_agreement_gives_alpha_one(MeasurementLevel level) {
        CodedRatings agreeing = ratings("1,1,1", "2,2,", "3,3,3", ",5,5");

        assertThat(KrippendorffAlpha.compute(agreeing, level).alpha()).isEqualTo(1.0);
    }

    @ParameterizedTest
    @EnumSource(MeasurementLevel.class)
    void alpha_is_undefined_when_every_rating_has_the_same_value(MeasurementLevel level) {
        KrippendorffAlpha.Result result =
                KrippendorffAlpha.compute(ratings("4,4,4", "4,4,", "4,,4"), level);

        assertThat(result.alpha()).isNaN();
        assertThat(result.expectedDisagreement()).isZero();
        assertThat(result.undefinedReason()).get().asString().contains("same value");
    }

    @Test
    void alpha_is_undefined_when_no_unit_has_two_ratings() {
        KrippendorffAlpha.Result result =
                KrippendorffAlpha.compute(ratings("1,,", ",2,", ",,3"), MeasurementLevel.NOMINAL);

        assertThat(result.alpha()).isNaN();
        assertThat(result.pairableValues()).isZero();
        assertThat(result.undefinedReason()).get().asString().contains("no unit");
    }

    @Test
    void units_with_a_single_rating_do_not_change_alpha() {
        CodedRatings base = ratings("1,1,2", "2,2,2", "3,1,3", "1,2,");
        CodedRatings withLoneRatings =
                ratings("1,1,2", "2,2,2", "3,1,3", "1,2,", ",,3", "5,,", ",,");

        for (MeasurementLevel level : MeasurementLevel.values()) {
            assertThat(KrippendorffAlpha.compute(withLoneRatings, level).alpha())
                    .as(level.name())
                    .isCloseTo(KrippendorffAlpha.compute(base, level).alpha(), within(1e-12));
        }
    }

    @Test
    void interval_alpha_does_not_change_under_a_linear_rescaling_of_the_values() {
        CodedRatings original = ratings("1,2,2", "3,3,4", "5,4,5", "2,,1");
        CodedRatings rescaled = ratings("13,23,23", "33,33,43", "53,43,53", "23,,13");

        assertThat(KrippendorffAlpha.compute(rescaled, MeasurementLevel.INTERVAL).alpha())
                .isCloseTo(
                        KrippendorffAlpha.compute(original, MeasurementLevel.INTERVAL).alpha(),
                        within(1e-12));
    }

    @Test
    void interval_alpha_stays_accurate_for_large_values_with_a_small_spread() {
        CodedRatings small = ratings("1,2,2", "3,3,4", "5,4,5");
        CodedRatings large =
                ratings(
                        "1000000001,1000000002,1000000002",
                        "1000000003,1000000003,1000000004",
                        "1000000005,1000000004,1000000005");

        assertThat(KrippendorffAlpha.compute(large, MeasurementLevel.INTERVAL).alpha())
                .isCloseTo(
                        KrippendorffAlpha.compute(small, MeasurementLevel.INTERVAL).alpha(),
                        within(1e-9));
    }

    @Test
    void ordinal_alpha_orders_text_categories_lexicographically() {
        CodedRatings letters = ratings("a,b,b", "c,c,d", "e,d,e", "b,,a");
        CodedRatings numbers = ratings("1,2,2", "3,3,4", "5,4,5", "2,,1");

        assertThat(KrippendorffAlpha.compute(letters, MeasurementLevel.ORDINAL).alpha())
                .isCloseTo(
                        KrippendorffAlpha.compute(numbers, MeasurementLevel.ORDINAL).alpha(),
                        within(1e-12));
    }

    @Test
    void interval_level_rejects_text_ratings() {
        assertThatThrownBy(
                        () ->
                                KrippendorffAlpha.compute(
                                        ratings("1,yes", "2,2"), MeasurementLevel.INTERVAL))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("interval level needs numeric ratings")
                .hasMessageContaining("'yes'")
                .extracting(e -> ((InvalidRatingDataException) e).problem())
                .isEqualTo(Problem.NOT_NUMERIC);
    }

    @Test
    void ratio_level_rejects_negative_values() {
        assertThatThrownBy(
                        () ->
                                KrippendorffAlpha.compute(
                                        ratings("-1,2", "2,2"), MeasurementLevel.RATIO))
                .isInstanceOf(InvalidRatingDataException.class)
                .extracting(e -> ((InvalidRatingDataException) e).problem())
                .isEqualTo(Problem.NEGATIVE_RATIO_VALUE);
    }

    @ParameterizedTest
    @EnumSource(MeasurementLevel.class)
    void linear_time_path_agrees_with_the_coincidence_matrix_on_random_data_with_gaps(
            MeasurementLevel level) {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 20; trial++) {
            CodedRatings data =
                    randomRatings(
                            random,
                            1 + random.nextInt(60),
                            2 + random.nextInt(6),
                            1 + random.nextInt(7));
            KrippendorffAlpha.Result fast = KrippendorffAlpha.compute(data, level);
            KrippendorffAlpha.Result textbook =
                    KrippendorffAlpha.compute(CoincidenceMatrix.of(data), level);

            assertThat(fast.pairableValues()).isEqualTo(textbook.pairableValues());
            if (Double.isNaN(textbook.alpha())) {
                assertThat(fast.alpha()).as("trial %d", trial).isNaN();
            } else {
                assertThat(fast.alpha())
                        .as("trial %d", trial)
                        .isCloseTo(textbook.alpha(), within(1e-9));
                assertThat(fast.observedDisagreement())
                        .isCloseTo(textbook.observedDisagreement(), within(1e-9));
                assertThat(fast.expectedDisagreement())
                        .isCloseTo(textbook.expectedDisagreement(), within(1e-9));
            }
        }
    }

    /** Random numeric ratings 0..k-1 (spaced unevenly) with about a quarter missing. */
    private static CodedRatings randomRatings(
            SplittableRandom random, int units, int raters, int categories) {
        List<String> raterNames = new ArrayList<>();
        for (int r = 0; r < raters; r++) {
            raterNames.add("r" + r);
        }
        List<String> labels = new ArrayList<>();
        double[] values = new double[categories];
        for (int c = 0; c < categories; c++) {
            values[c] = c * c + 0.5 * c; // uneven spacing, so interval and ordinal differ
            labels.add(Double.toString(values[c]));
        }
        int[] codes = new int[units * raters];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = random.nextInt(4) == 0 ? CodedRatings.MISSING : random.nextInt(categories);
        }
        return CodedRatings.fromCodes(raterNames, labels, values, units, codes);
    }
}
