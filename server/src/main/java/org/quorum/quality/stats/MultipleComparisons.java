package org.quorum.quality.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;

/**
 * Adjusted p-values for a family of tests, so that "adjusted p &lt; α" controls the family-wise
 * error rate at α. Results are in the order of the input; {@code NaN} inputs (tests that could not
 * be made) stay {@code NaN} and do not count towards the family size.
 *
 * @see <a href="https://www.jstor.org/stable/4615733">Holm S. (1979) A simple sequentially
 *     rejective multiple test procedure, Scand J Statist 6:65-70</a>
 * @see <a href="https://doi.org/10.2307/2532694">Wright S.P. (1992) Adjusted p-values for
 *     simultaneous inference, Biometrics 48:1005-1013</a>
 */
public enum MultipleComparisons {
    /** {@code p̃_i = min(1, m p_i)}. */
    BONFERRONI,
    /**
     * Holm's step-down procedure: with {@code p_(1) ≤ … ≤ p_(m)}, {@code p̃_(i) = max_{j≤i} min(1,
     * (m − j + 1) p_(j))}. Uniformly more powerful than Bonferroni, same guarantee; R's {@code
     * p.adjust(p, "holm")}.
     */
    HOLM;

    /** The code used on the wire: {@code holm}, {@code bonferroni}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The adjusted p-values, in input order. */
    public double[] adjust(double[] pValues) {
        Integer[] order =
                java.util.stream.IntStream.range(0, pValues.length)
                        .filter(i -> !Double.isNaN(pValues[i]))
                        .boxed()
                        .sorted(Comparator.comparingDouble(i -> pValues[i]))
                        .toArray(Integer[]::new);
        int m = order.length;
        double[] adjusted = new double[pValues.length];
        Arrays.fill(adjusted, Double.NaN);
        double running = 0;
        for (int rank = 0; rank < m; rank++) {
            int i = order[rank];
            double p = pValues[i];
            if (this == BONFERRONI) {
                adjusted[i] = Math.min(1, m * p);
            } else {
                running = Math.max(running, Math.min(1, (m - rank) * p));
                adjusted[i] = running;
            }
        }
        return adjusted;
    }
}
