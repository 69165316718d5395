package org.quorum.quality.agreement;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Nonparametric bootstrap confidence intervals for any {@link AgreementStatistic}: units are
 * resampled with replacement (raters stay fixed, as units are the sampling units of a reliability
 * study), the statistic is recomputed on each replicate, and the interval is the percentile
 * interval of the replicates (Efron and Tibshirani 1993, ch. 13).
 *
 * <p><b>Replicates as pattern counts.</b> A statistic of this package depends on the units only
 * through their rating patterns (the row of codes a unit has), so resampling {@code n} units with
 * replacement is, in distribution, a multinomial draw of {@code n} over the distinct patterns with
 * probabilities {@code count / n}. Each replicate is drawn that way ({@link Multinomial}) and the
 * statistic evaluated on the weighted patterns ({@link CodedRatings#weight(int)}): O(patterns) per
 * replicate instead of O(units), which is what makes intervals affordable at a million labels. A
 * statistic passed here must therefore weigh each row by its weight, as those of this package do.
 *
 * <p><b>Reproducibility.</b> Replicates are drawn from a {@link SplittableRandom} seeded with the
 * given seed, so the same data, statistic, level, replicate count and seed give the same interval.
 *
 * <p><b>Percentiles</b> are taken with linear interpolation between order statistics (Hyndman and
 * Fan 1996, type 7, R's default): at {@code (1 − level)/2} and {@code (1 + level)/2}.
 *
 * <p><b>Undefined replicates.</b> A replicate on which the statistic is {@code NaN} (for example a
 * resample in which every rating is the same) is left out and counted in {@link
 * BootstrapInterval#undefinedReplicates()}; report that count, since many undefined replicates make
 * the interval less trustworthy. If every replicate is undefined the bounds are {@code NaN}.
 *
 * @see <a href="https://doi.org/10.1201/9780429246593">Efron B., Tibshirani R.J. (1993) An
 *     Introduction to the Bootstrap</a>
 * @see <a href="https://doi.org/10.2307/2684934">Hyndman R.J., Fan Y. (1996) Sample quantiles in
 *     statistical packages, Am Stat 50:361-365</a>
 */
public final class Bootstrap {

    /** Replicates drawn when the caller does not say. */
    public static final int DEFAULT_REPLICATES = 1000;

    private Bootstrap() {}

    /**
     * A percentile interval with {@value #DEFAULT_REPLICATES} replicates.
     *
     * @see #percentileInterval(CodedRatings, AgreementStatistic, double, int, long)
     */
    public static BootstrapInterval percentileInterval(
            CodedRatings ratings, AgreementStatistic statistic, double level, long seed) {
        return percentileInterval(ratings, statistic, level, DEFAULT_REPLICATES, seed);
    }

    /**
     * A percentile interval.
     *
     * @param level confidence level, strictly between 0 and 1 (e.g. 0.95)
     * @param replicates number of bootstrap replicates, at least 1
     * @param seed seed of the random resampling
     * @throws IllegalArgumentException if {@code level} or {@code replicates} is out of range
     */
    public static BootstrapInterval percentileInterval(
            CodedRatings ratings,
            AgreementStatistic statistic,
            double level,
            int replicates,
            long seed) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException(
                    "confidence level must be strictly between 0 and 1, got " + level);
        }
        if (replicates < 1) {
            throw new IllegalArgumentException("need at least one replicate, got " + replicates);
        }
        SplittableRandom random = new SplittableRandom(seed);
        CodedRatings.Patterns patterns = ratings.patterns();
        int units = ratings.unitCount();
        double[] estimates = new double[replicates];
        int defined = 0;
        for (int b = 0; b < replicates; b++) {
            int[] counts = new int[patterns.counts().length];
            Multinomial.draw(random, units, patterns.counts(), units, counts);
            double estimate = statistic.estimate(patterns.ratings().withWeights(counts));
            if (!Double.isNaN(estimate)) {
                estimates[defined++] = estimate;
            }
        }
        double[] sorted = Arrays.copyOf(estimates, defined);
        Arrays.sort(sorted);
        double tail = (1 - level) / 2;
        return new BootstrapInterval(
                quantile(sorted, tail),
                quantile(sorted, 1 - tail),
                level,
                replicates,
                replicates - defined,
                seed);
    }

    /** Hyndman-Fan type 7 quantile of sorted values; NaN for none. */
    static double quantile(double[] sorted, double probability) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double position = (sorted.length - 1) * probability;
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        double fraction = position - below;
        return sorted[below] + fraction * (sorted[above] - sorted[below]);
    }
}
