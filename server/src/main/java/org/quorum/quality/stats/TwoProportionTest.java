package org.quorum.quality.stats;

/**
 * The two-proportion z-test with a pooled standard error, one-sided: is the proportion of group 1
 * greater than that of group 2?
 *
 * <pre>
 * p̂₁ = x₁/n₁, p̂₂ = x₂/n₂, p̂ = (x₁ + x₂)/(n₁ + n₂)
 * z  = (p̂₁ − p̂₂) / √(p̂ (1 − p̂) (1/n₁ + 1/n₂))
 * p  = P(Z ≥ z) = ½ Q(½, z²/2) for z ≥ 0, 1 − ½ Q(½, z²/2) for z &lt; 0
 * </pre>
 *
 * Equivalent to R's {@code prop.test(c(x1, x2), c(n1, n2), alternative = "greater", correct =
 * FALSE)} (whose statistic is z²). The normal tail comes from the chi-square survival function with
 * one degree of freedom ({@link ChiSquareDistribution}), since Z² ~ χ²₁.
 *
 * <p>Undefined (z and p {@code NaN}) when a group is empty or when both proportions are 0 or both
 * are 1 (no variance under the null hypothesis). The normal approximation wants about five
 * successes and five failures per group; {@link Result#smallSample()} says when that is not so.
 *
 * @see <a href="https://doi.org/10.1002/0471445428">Fleiss J.L., Levin B., Paik M.C. (2003)
 *     Statistical Methods for Rates and Proportions, 3rd ed., §2.5 and §4.2</a>
 */
public final class TwoProportionTest {

    private TwoProportionTest() {}

    /**
     * @param proportion1 x₁/n₁
     * @param proportion2 x₂/n₂
     * @param z the statistic, {@code NaN} when undefined
     * @param pValue one-sided P(Z ≥ z), {@code NaN} when undefined
     * @param smallSample whether a group has fewer than five successes or failures
     */
    public record Result(
            double proportion1, double proportion2, double z, double pValue, boolean smallSample) {

        public boolean defined() {
            return !Double.isNaN(pValue);
        }
    }

    /**
     * Tests H₁: π₁ &gt; π₂ against H₀: π₁ = π₂.
     *
     * @throws IllegalArgumentException when a count is negative or successes exceed trials
     */
    public static Result greater(long successes1, long trials1, long successes2, long trials2) {
        check(successes1, trials1);
        check(successes2, trials2);
        double p1 = trials1 == 0 ? Double.NaN : (double) successes1 / trials1;
        double p2 = trials2 == 0 ? Double.NaN : (double) successes2 / trials2;
        boolean small =
                Math.min(successes1, trials1 - successes1) < 5
                        || Math.min(successes2, trials2 - successes2) < 5;
        if (trials1 == 0 || trials2 == 0) {
            return new Result(p1, p2, Double.NaN, Double.NaN, small);
        }
        double pooled = (double) (successes1 + successes2) / (trials1 + trials2);
        double variance = pooled * (1 - pooled) * (1.0 / trials1 + 1.0 / trials2);
        if (variance == 0) {
            return new Result(p1, p2, Double.NaN, Double.NaN, small);
        }
        double z = (p1 - p2) / Math.sqrt(variance);
        return new Result(p1, p2, z, upperTail(z), small);
    }

    /** P(Z ≥ z) for a standard normal Z. */
    public static double upperTail(double z) {
        double half = 0.5 * ChiSquareDistribution.survival(z * z, 1);
        return z >= 0 ? half : 1 - half;
    }

    private static void check(long successes, long trials) {
        if (successes < 0 || trials < 0 || successes > trials) {
            throw new IllegalArgumentException(
                    "need 0 <= successes <= trials, got " + successes + " of " + trials);
        }
    }
}
