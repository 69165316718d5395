package org.quorum.quality.agreement;

/**
 * A bootstrap percentile confidence interval and how it was obtained.
 *
 * @param lower lower bound, {@code NaN} if every replicate was undefined
 * @param upper upper bound, {@code NaN} if every replicate was undefined
 * @param level confidence level, e.g. 0.95
 * @param replicates replicates drawn
 * @param undefinedReplicates replicates on which the statistic was undefined and left out
 * @param seed seed of the resampling
 */
public record BootstrapInterval(
        double lower,
        double upper,
        double level,
        int replicates,
        int undefinedReplicates,
        long seed) {

    /** Whether {@code value} lies within the interval, bounds included. */
    public boolean contains(double value) {
        return value >= lower && value <= upper;
    }
}
