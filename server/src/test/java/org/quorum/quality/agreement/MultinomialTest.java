package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quorum.quality.stats.ChiSquareDistribution;

class MultinomialTest {

    /**
     * 200,000 draws against the exact probability mass function, by a chi-square goodness-of-fit
     * test over cells with at least 5 expected draws (tails pooled). The seed is fixed, so the test
     * is deterministic; a p-value below 0.001 means the sampler is not drawing from Binomial(n, p)
     * (both the inversion branch, np &lt; 10, and BTRS, np ≥ 10, and p &gt; 0.5 by symmetry).
     */
    @ParameterizedTest
    @CsvSource({
        "1, 0.3",
        "30, 0.1",
        "19, 0.5",
        "200, 0.04",
        "40, 0.5",
        "1000, 0.3",
        "1000, 0.93",
        "1000000, 0.0004",
        "1000000, 0.37"
    })
    void binomial_draws_follow_the_binomial_distribution(int n, double p) {
        int draws = 200_000;
        SplittableRandom random = new SplittableRandom(2026);
        int[] observed = new int[n + 1];
        double sum = 0;
        for (int i = 0; i < draws; i++) {
            int k = Multinomial.binomial(random, n, p);
            observed[k]++;
            sum += k;
        }
        double[] expected = new double[n + 1];
        for (int k = 0; k <= n; k++) {
            expected[k] =
                    draws
                            * Math.exp(
                                    Multinomial.logFactorial(n)
                                            - Multinomial.logFactorial(k)
                                            - Multinomial.logFactorial(n - k)
                                            + k * Math.log(p)
                                            + (n - k) * Math.log1p(-p));
        }
        // Cells of at least 5 expected draws, the tails pooled (the last tail into the last cell).
        List<double[]> cells = new ArrayList<>();
        double pooledExpected = 0;
        double pooledObserved = 0;
        for (int k = 0; k <= n; k++) {
            pooledExpected += expected[k];
            pooledObserved += observed[k];
            if (pooledExpected >= 5) {
                cells.add(new double[] {pooledObserved, pooledExpected});
                pooledExpected = 0;
                pooledObserved = 0;
            }
        }
        if (!cells.isEmpty()) {
            cells.get(cells.size() - 1)[0] += pooledObserved;
            cells.get(cells.size() - 1)[1] += pooledExpected;
        }
        double chiSquare = 0;
        for (double[] cell : cells) {
            chiSquare += square(cell[0] - cell[1]) / cell[1];
        }

        assertThat(sum / draws).isCloseTo(n * p, within(5 * Math.sqrt(n * p * (1 - p) / draws)));
        if (cells.size() > 1) {
            double pValue = ChiSquareDistribution.survival(chiSquare, cells.size() - 1);
            assertThat(pValue)
                    .as("chi-square %s on %s cells", chiSquare, cells.size())
                    .isGreaterThan(1e-3);
        }
    }

    @Test
    void log_factorials_above_the_table_match_the_sum_of_logarithms() {
        double sum = 0;
        for (int k = 1; k <= 5000; k++) {
            sum += Math.log(k);
            assertThat(Multinomial.logFactorial(k)).isCloseTo(sum, within(1e-12 * sum));
        }
    }

    @Test
    void a_multinomial_draw_puts_every_trial_somewhere_and_none_where_the_weight_is_zero() {
        SplittableRandom random = new SplittableRandom(1);
        int[] weights = {5, 0, 1, 994, 0};
        int[] counts = new int[5];
        long[] totals = new long[5];
        for (int b = 0; b < 10_000; b++) {
            Multinomial.draw(random, 1000, weights, 1000, counts);

            assertThat(counts[0] + counts[1] + counts[2] + counts[3] + counts[4]).isEqualTo(1000);
            assertThat(counts[1]).isZero();
            assertThat(counts[4]).isZero();
            for (int i = 0; i < 5; i++) {
                totals[i] += counts[i];
            }
        }
        // Means n p_i: 5, 1 and 994 per draw.
        assertThat(totals[0] / 10_000.0).isCloseTo(5, within(0.1));
        assertThat(totals[2] / 10_000.0).isCloseTo(1, within(0.05));
    }

    private static double square(double x) {
        return x * x;
    }
}
