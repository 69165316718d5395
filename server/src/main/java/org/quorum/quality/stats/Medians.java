package org.quorum.quality.stats;

import java.util.Arrays;
import java.util.Collection;

/** The median of a sample: the middle value, or the mean of the two middle values. */
public final class Medians {

    private Medians() {}

    /** The median, {@code NaN} for an empty sample; {@code NaN} values are not allowed. */
    public static double of(Collection<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
