package org.quorum.quality.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ChiSquareTestsTest {

    /**
     * Party identification by gender, Agresti (2007) An Introduction to Categorical Data Analysis,
     * 2nd ed., Table 2.5; the example of R's {@code ?chisq.test}: X-squared = 30.07, df = 2,
     * p-value = 2.954e-07.
     */
    @Test
    void independence_reproduces_agrestis_party_identification_example() {
        ChiSquareTests.Result result =
                ChiSquareTests.independence(new long[][] {{762, 327, 468}, {484, 239, 477}});

        assertThat(result.statistic()).isCloseTo(30.070149095754672, within(1e-10));
        assertThat(result.degreesOfFreedom()).isEqualTo(2);
        assertThat(result.pValue()).isCloseTo(2.9535891832117595e-07, within(1e-17));
        assertThat(result.lowExpectedCount()).isFalse();
    }

    @Test
    void independence_of_a_small_two_by_two_table_warns_about_low_expected_counts() {
        // scipy.stats.chi2_contingency(correction=False)
        ChiSquareTests.Result result = ChiSquareTests.independence(new long[][] {{2, 28}, {9, 1}});

        assertThat(result.statistic()).isCloseTo(26.12330198537095, within(1e-10));
        assertThat(result.pValue()).isCloseTo(3.2029521741281314e-07, within(1e-17));
        assertThat(result.minExpected()).isCloseTo(2.75, within(1e-12));
        assertThat(result.lowExpectedCount()).isTrue();
    }

    @Test
    void empty_rows_and_columns_are_left_out_and_a_single_row_cannot_be_tested() {
        ChiSquareTests.Result withEmptyRow =
                ChiSquareTests.independence(new long[][] {{2, 28}, {0, 0}, {9, 1}});
        assertThat(withEmptyRow.statistic()).isCloseTo(26.12330198537095, within(1e-10));
        assertThat(withEmptyRow.degreesOfFreedom()).isEqualTo(1);

        assertThat(ChiSquareTests.independence(new long[][] {{3, 5}}).defined()).isFalse();
        assertThat(ChiSquareTests.independence(new long[][] {{3, 0}, {5, 0}}).defined()).isFalse();
    }

    /**
     * Mendel's dihybrid cross (round/wrinkled × yellow/green: 315, 108, 101, 32) against 9:3:3:1,
     * the textbook goodness-of-fit example: X² = 0.470, df 3, p = 0.925.
     */
    @Test
    void goodness_of_fit_reproduces_mendels_peas() {
        ChiSquareTests.Result result =
                ChiSquareTests.goodnessOfFit(
                        new long[] {315, 108, 101, 32}, new double[] {9, 3, 3, 1});

        assertThat(result.statistic()).isCloseTo(0.4700239808153477, within(1e-12));
        assertThat(result.degreesOfFreedom()).isEqualTo(3);
        assertThat(result.pValue()).isCloseTo(0.925425895103616, within(1e-12));
    }
}
