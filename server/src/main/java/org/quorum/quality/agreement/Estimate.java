package org.quorum.quality.agreement;

import java.util.Optional;

/**
 * One agreement statistic as reported: its value, the number of units it rests on, its bootstrap
 * interval when one was asked for, and why it is undefined when it is.
 *
 * @param value the statistic, {@code NaN} when undefined
 * @param units units the value rests on
 * @param interval bootstrap percentile interval, when asked for and defined
 * @param undefinedReason why {@code value} is {@code NaN}
 */
public record Estimate(
        double value,
        int units,
        Optional<BootstrapInterval> interval,
        Optional<String> undefinedReason) {

    /** An undefined statistic, with the reason. */
    public static Estimate undefined(String reason, int units) {
        return new Estimate(Double.NaN, units, Optional.empty(), Optional.of(reason));
    }

    /** Whether the value is a number. */
    public boolean defined() {
        return !Double.isNaN(value);
    }
}
