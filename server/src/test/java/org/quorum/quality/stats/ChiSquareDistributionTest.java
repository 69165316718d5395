package org.quorum.quality.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChiSquareDistributionTest {

    /**
     * Upper critical values of the chi-square distribution, as tabulated in the NIST/SEMATECH
     * e-Handbook of Statistical Methods §1.3.6.7.4 (to 3 decimals) and here to full precision from
     * R's {@code qchisq(1 - p, df)}: the survival function must give back p.
     */
    @ParameterizedTest(name = "df {0}: P(X >= {1}) = {2}")
    @CsvSource({
        "1, 3.841458820694124, 0.05",
        "1, 6.6348966010212145, 0.01",
        "1, 10.827566170662733, 0.001",
        "2, 5.991464547107979, 0.05",
        "3, 2.3659738843753377, 0.5",
        "5, 11.070497693516351, 0.05",
        "10, 18.307038053275146, 0.05",
        "30, 43.77297182574219, 0.05",
        "100, 124.34211340400407, 0.05"
    })
    void survival_gives_back_the_tabulated_upper_tail_probability(int df, double x, double p) {
        assertThat(ChiSquareDistribution.survival(x, df)).isCloseTo(p, within(p * 1e-10));
    }

    @Test
    void survival_matches_the_published_table_to_its_three_decimals() {
        // NIST/SEMATECH §1.3.6.7.4, upper 0.05 column: df 1 → 3.841, df 4 → 9.488, df 20 → 31.410.
        assertThat(ChiSquareDistribution.survival(3.841, 1)).isCloseTo(0.05, within(1e-4));
        assertThat(ChiSquareDistribution.survival(9.488, 4)).isCloseTo(0.05, within(1e-4));
        assertThat(ChiSquareDistribution.survival(31.410, 20)).isCloseTo(0.05, within(1e-4));
    }

    @Test
    void two_degrees_of_freedom_have_the_closed_form_exp_of_minus_x_over_two() {
        for (double x : new double[] {0.01, 0.5, 1, 7.3, 40, 200}) {
            assertThat(ChiSquareDistribution.survival(x, 2))
                    .isCloseTo(Math.exp(-x / 2), within(Math.exp(-x / 2) * 1e-12));
        }
    }

    @Test
    void tails_far_out_keep_their_relative_precision() {
        // scipy.stats.chi2.sf
        assertThat(ChiSquareDistribution.survival(300, 50))
                .isCloseTo(2.3141364165140704e-37, within(2.3141364165140704e-37 * 1e-9));
        assertThat(ChiSquareDistribution.survival(1e-3, 1))
                .isCloseTo(0.9747728793699604, within(1e-13));
        assertThat(ChiSquareDistribution.survival(0.5, 7))
                .isCloseTo(0.9994464813904249, within(1e-13));
        assertThat(ChiSquareDistribution.survival(0, 4)).isEqualTo(1);
    }

    @Test
    void regularized_gamma_functions_are_complementary_and_match_known_forms() {
        for (double a : new double[] {0.5, 1, 2.5, 10, 75}) {
            for (double x : new double[] {0.1, 1, a, a + 1, 3 * a + 5}) {
                assertThat(
                                ChiSquareDistribution.regularizedGammaP(a, x)
                                        + ChiSquareDistribution.regularizedGammaQ(a, x))
                        .isCloseTo(1, within(1e-14));
            }
        }
        // Q(1, x) = e^-x
        assertThat(ChiSquareDistribution.regularizedGammaQ(1, 2.2))
                .isCloseTo(Math.exp(-2.2), within(1e-15));
    }

    @Test
    void log_gamma_matches_known_values() {
        assertThat(ChiSquareDistribution.logGamma(0.5))
                .isCloseTo(Math.log(Math.sqrt(Math.PI)), within(1e-14));
        assertThat(ChiSquareDistribution.logGamma(10)).isCloseTo(Math.log(362880), within(1e-12));
        assertThat(ChiSquareDistribution.logGamma(1)).isCloseTo(0, within(1e-15));
        assertThat(ChiSquareDistribution.logGamma(0.1))
                .isCloseTo(2.2527126517342055, within(1e-13));
        assertThat(ChiSquareDistribution.logGamma(171.5))
                .isCloseTo(709.1431630309282, within(1e-10));
    }

    @Test
    void rejects_arguments_outside_the_domain() {
        assertThatThrownBy(() -> ChiSquareDistribution.survival(1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("degrees of freedom");
        assertThatThrownBy(() -> ChiSquareDistribution.survival(-1, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChiSquareDistribution.survival(Double.NaN, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
