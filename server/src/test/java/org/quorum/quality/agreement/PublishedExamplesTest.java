package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Worked examples published with the formulas, each cited where it is used. */
class PublishedExamplesTest {

    /**
     * Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories, counts n_ij
     * per subject. Published: P̄ = 0.378, P̄_e = 0.213, κ = 0.210.
     */
    private static final int[][] WIKIPEDIA_FLEISS_COUNTS = {
        {0, 0, 0, 0, 14},
        {0, 2, 6, 4, 2},
        {0, 0, 3, 5, 6},
        {0, 3, 9, 2, 0},
        {2, 2, 8, 1, 1},
        {7, 7, 0, 0, 0},
        {3, 2, 6, 3, 0},
        {2, 5, 3, 2, 2},
        {6, 5, 2, 1, 0},
        {0, 2, 2, 3, 7}
    };

    private static final List<String> FIVE_CATEGORIES = List.of("1", "2", "3", "4", "5");

    @Test
    void fleiss_kappa_of_the_wikipedia_example_is_0_210() {
        FleissKappa.Result result =
                FleissKappa.fromCounts(FIVE_CATEGORIES, WIKIPEDIA_FLEISS_COUNTS);

        assertThat(result.meanAgreement()).isCloseTo(0.378, within(0.0005));
        assertThat(result.expectedAgreement()).isCloseTo(0.213, within(0.0005));
        assertThat(result.kappa()).isCloseTo(0.210, within(0.0005));
    }

    @Test
    void percent_agreement_of_the_wikipedia_example_is_its_mean_pairwise_agreement_0_378() {
        PercentAgreement.Result result = PercentAgreement.compute(expand(WIKIPEDIA_FLEISS_COUNTS));

        assertThat(result.units()).isEqualTo(10);
        assertThat(result.agreement()).isCloseTo(0.378, within(0.0005));
    }

    /** Krippendorff (2011), section A, binary data, two observers, no missing data: α = 0.095. */
    @Test
    void krippendorff_alpha_of_the_binary_example_is_0_095() {
        CodedRatings ratings =
                ReferenceData.ratingsByRater("0,1,0,0,0,0,0,0,1,0", "1,1,1,0,0,1,0,0,0,0");

        assertThat(KrippendorffAlpha.compute(ratings, MeasurementLevel.NOMINAL).alpha())
                .isCloseTo(0.095, within(0.0005));
    }

    /** Krippendorff (2011), section B, nominal data, two observers, no missing data: α = 0.692. */
    @Test
    void krippendorff_alpha_of_the_two_observer_nominal_example_is_0_692() {
        CodedRatings ratings =
                ReferenceData.ratingsByRater("a,a,b,b,d,c,c,c,e,d,d,a", "b,a,b,b,b,c,c,c,e,d,d,d");

        assertThat(KrippendorffAlpha.compute(ratings, MeasurementLevel.NOMINAL).alpha())
                .isCloseTo(0.692, within(0.0005));
    }

    /**
     * Krippendorff (2011), section C, step 2: the coincidence matrix of the 4-observer example,
     * with margins n_c = 9, 13, 10, 5, 3 and n = 40 (unit 12, with a single value, is not
     * pairable).
     */
    @Test
    void coincidence_matrix_of_the_four_observer_example_matches_krippendorff_2011() {
        CoincidenceMatrix matrix =
                CoincidenceMatrix.of(
                        CodedRatings.encode(
                                ReferenceData.ratersAsRows(
                                        "krippendorff2011_C_paper_layout.csv", false, true)));

        double third = 1.0 / 3;
        double[][] expected = {
            {7, 4 * third, third, third, 0},
            {4 * third, 10, 4 * third, third, 0},
            {third, 4 * third, 8, third, 0},
            {third, third, third, 4, 0},
            {0, 0, 0, 0, 3}
        };
        assertThat(matrix.categories()).containsExactly("1", "2", "3", "4", "5");
        for (int c = 0; c < 5; c++) {
            for (int k = 0; k < 5; k++) {
                assertThat(matrix.coincidences(c, k))
                        .as("o[%d][%d]", c + 1, k + 1)
                        .isCloseTo(expected[c][k], within(1e-12));
            }
        }
        assertThat(
                        new double[] {
                            matrix.pairableValues(0),
                            matrix.pairableValues(1),
                            matrix.pairableValues(2),
                            matrix.pairableValues(3),
                            matrix.pairableValues(4)
                        })
                .containsExactly(new double[] {9, 13, 10, 5, 3}, within(1e-12));
        assertThat(matrix.pairableValues()).isCloseTo(40, within(1e-12));
    }

    /**
     * Cohen (1968), Table 1: two judges, 200 patients, personality disorder / neurosis / psychosis,
     * observed proportions as below (also psych's cohen.kappa example), disagreement weights 1
     * (PD-N), 3 (PD-P), 6 (N-P). Published: κ = .49, κ_w = .35.
     */
    @Test
    void weighted_kappa_of_cohens_1968_example_is_0_35() {
        ContingencyTable table =
                new ContingencyTable(
                        List.of("personality disorder", "neurosis", "psychosis"),
                        new double[][] {
                            {0.44, 0.07, 0.09}, {0.05, 0.20, 0.05}, {0.01, 0.03, 0.06}
                        });
        double[][] disagreement = {{0, 1, 3}, {1, 0, 6}, {3, 6, 0}};
        // Cohen's κ_w = 1 − Σ v p_o / Σ v p_e equals the agreement form with w = 1 − v / v_max.
        double[][] agreement = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                agreement[i][j] = 1 - disagreement[i][j] / 6;
            }
        }

        assertThat(CohenKappa.compute(table, KappaWeights.NONE).kappa())
                .isCloseTo(0.49, within(0.005));
        assertThat(CohenKappa.compute(table, agreement).kappa()).isCloseTo(0.35, within(0.005));
    }

    /** One unit per row of a Fleiss count table, the ratings in category order. */
    private static CodedRatings expand(int[][] counts) {
        int perUnit = 0;
        for (int count : counts[0]) {
            perUnit += count;
        }
        List<List<String>> rows = new ArrayList<>();
        for (int[] unit : counts) {
            List<String> row = new ArrayList<>();
            for (int j = 0; j < unit.length; j++) {
                for (int c = 0; c < unit[j]; c++) {
                    row.add(FIVE_CATEGORIES.get(j));
                }
            }
            rows.add(row);
        }
        List<String> raters = new ArrayList<>();
        for (int r = 0; r < perUnit; r++) {
            raters.add("rater " + (r + 1));
        }
        return CodedRatings.encode(RatingTable.of(raters, rows));
    }
}
