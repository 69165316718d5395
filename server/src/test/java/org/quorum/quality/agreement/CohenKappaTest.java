package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quorum.quality.agreement.ReferenceData.ratings;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

class CohenKappaTest {

    private static final CodedRatings FIRST_TWO_DIAGNOSTICIANS =
            CodedRatings.encode(
                    ReferenceData.unitsAsRows("fleiss1971_diagnoses.csv")
                            .selectRaters(List.of("rater1", "rater2")));

    @Test
    void perfect_agreement_over_several_categories_gives_kappa_one() {
        CohenKappa.Result result =
                CohenKappa.compute(ratings("a,a", "b,b", "c,c", "a,a"), KappaWeights.NONE);

        assertThat(result.kappa()).isEqualTo(1.0);
        assertThat(result.observedAgreement()).isEqualTo(1.0);
        assertThat(result.undefinedReason()).isEmpty();
    }

    @Test
    void kappa_is_undefined_when_both_raters_use_one_single_category() {
        CohenKappa.Result result =
                CohenKappa.compute(ratings("a,a", "a,a", "a,a"), KappaWeights.NONE);

        assertThat(result.kappa()).isNaN();
        assertThat(result.expectedAgreement()).isEqualTo(1.0);
        assertThat(result.undefinedReason()).get().asString().contains("expected agreement is 1");
    }

    @Test
    void units_missing_either_rating_are_left_out() {
        CodedRatings withGaps = ratings("a,a", "b,b", "a,b", ",a", "b,", ",");
        CodedRatings complete = ratings("a,a", "b,b", "a,b");

        CohenKappa.Result result = CohenKappa.compute(withGaps, KappaWeights.NONE);

        assertThat(result.units()).isEqualTo(3);
        assertThat(result.kappa())
                .isEqualTo(CohenKappa.compute(complete, KappaWeights.NONE).kappa());
    }

    @Test
    void kappa_is_undefined_when_no_unit_has_both_ratings() {
        CohenKappa.Result result = CohenKappa.compute(ratings("a,", ",b"), KappaWeights.NONE);

        assertThat(result.kappa()).isNaN();
        assertThat(result.undefinedReason()).get().asString().contains("no unit");
    }

    @Test
    void two_rater_shortcut_rejects_data_with_three_raters() {
        assertThatThrownBy(() -> CohenKappa.compute(ratings("a,a,a", "b,b,a"), KappaWeights.NONE))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("exactly two raters")
                .extracting(e -> ((InvalidRatingDataException) e).problem())
                .isEqualTo(Problem.NOT_TWO_RATERS);
    }

    @Test
    void quadratic_weighted_kappa_equals_the_moment_formula() {
        // With w = 1 − (i−j)²/(k−1)², 1 − κ_w = E(X−Y)² / E_independent(X−Y)², which expands to
        // κ_w = 2 cov(X,Y) / (var X + var Y + (mean X − mean Y)²) with population moments of
        // the category positions: an independent computation from the raw pairs.
        double[] moments = positionMoments(FIRST_TWO_DIAGNOSTICIANS);
        double expected =
                2 * moments[4] / (moments[2] + moments[3] + Math.pow(moments[0] - moments[1], 2));

        assertThat(CohenKappa.compute(FIRST_TWO_DIAGNOSTICIANS, KappaWeights.QUADRATIC).kappa())
                .isCloseTo(expected, within(1e-12));
    }

    @Test
    void linear_weighted_kappa_equals_one_minus_the_ratio_of_mean_absolute_distances() {
        // With w = 1 − |i−j|/(k−1), 1 − κ_w = E|X−Y| / E_independent|X−Y|.
        CodedRatings data = FIRST_TWO_DIAGNOSTICIANS;
        int units = data.unitCount();
        double observed = 0;
        double independent = 0;
        for (int u = 0; u < units; u++) {
            observed += Math.abs(data.code(u, 0) - data.code(u, 1));
            for (int v = 0; v < units; v++) {
                independent += Math.abs(data.code(u, 0) - data.code(v, 1));
            }
        }
        double expected = 1 - (observed / units) / (independent / ((double) units * units));

        assertThat(CohenKappa.compute(data, KappaWeights.LINEAR).kappa())
                .isCloseTo(expected, within(1e-12));
    }

    @Test
    void weights_make_no_difference_with_two_categories() {
        CodedRatings binary = ratings("y,y", "y,n", "n,n", "n,y", "y,y", "n,n", "n,n");

        double unweighted = CohenKappa.compute(binary, KappaWeights.NONE).kappa();

        assertThat(CohenKappa.compute(binary, KappaWeights.LINEAR).kappa()).isEqualTo(unweighted);
        assertThat(CohenKappa.compute(binary, KappaWeights.QUADRATIC).kappa())
                .isEqualTo(unweighted);
    }

    @Test
    void numeric_categories_are_weighted_in_numeric_not_text_order() {
        // Text order would put 10 between 1 and 2; numerically the big miss is 1 vs 10.
        CodedRatings numbers = ratings("1,1", "2,2", "10,10", "1,2", "2,10", "10,1");
        CodedRatings relabelled = ratings("a,a", "b,b", "c,c", "a,b", "b,c", "c,a");

        assertThat(CohenKappa.compute(numbers, KappaWeights.LINEAR).kappa())
                .isEqualTo(CohenKappa.compute(relabelled, KappaWeights.LINEAR).kappa());
    }

    @Test
    void weights_are_spaced_over_the_categories_the_two_raters_used() {
        // Rater 3 alone uses category 5; it must not stretch the weights of raters 1 and 2.
        CodedRatings threeRaters = ratings("1,1,5", "2,3,5", "3,3,5", "1,2,5");
        CodedRatings pairOnly = ratings("1,1", "2,3", "3,3", "1,2");

        assertThat(CohenKappa.compute(threeRaters, 0, 1, KappaWeights.LINEAR).kappa())
                .isEqualTo(CohenKappa.compute(pairOnly, KappaWeights.LINEAR).kappa());
    }

    @Test
    void the_table_form_agrees_with_the_ratings_form() {
        ContingencyTable table =
                new ContingencyTable(List.of("a", "b"), new double[][] {{2, 1}, {0, 1}});

        CohenKappa.Result fromTable = CohenKappa.compute(table, KappaWeights.NONE);
        CohenKappa.Result fromRatings =
                CohenKappa.compute(ratings("a,a", "a,a", "a,b", "b,b"), KappaWeights.NONE);

        assertThat(fromTable).isEqualTo(fromRatings);
    }

    @Test
    void custom_weights_must_have_ones_on_the_diagonal() {
        ContingencyTable table =
                new ContingencyTable(List.of("a", "b"), new double[][] {{1, 0}, {0, 1}});

        assertThatThrownBy(() -> CohenKappa.compute(table, new double[][] {{0.5, 0}, {0, 1}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("diagonal");
    }

    /** mean X, mean Y, var X, var Y, cov (population) of the two raters' category codes. */
    private static double[] positionMoments(CodedRatings data) {
        int n = data.unitCount();
        double meanX = 0;
        double meanY = 0;
        for (int u = 0; u < n; u++) {
            meanX += data.code(u, 0);
            meanY += data.code(u, 1);
        }
        meanX /= n;
        meanY /= n;
        double varX = 0;
        double varY = 0;
        double cov = 0;
        for (int u = 0; u < n; u++) {
            double dx = data.code(u, 0) - meanX;
            double dy = data.code(u, 1) - meanY;
            varX += dx * dx;
            varY += dy * dy;
            cov += dx * dy;
        }
        return new double[] {meanX, meanY, varX / n, varY / n, cov / n};
    }
}
