package org.quorum.quality.agreement;

/**
 * One agreement coefficient as a function of the ratings, so that {@link Bootstrap} can recompute
 * it on resampled units. Returns {@code NaN} where the coefficient is undefined.
 *
 * <pre>
 * AgreementStatistic alpha = r -&gt; KrippendorffAlpha.compute(r, MeasurementLevel.NOMINAL).alpha();
 * </pre>
 */
@FunctionalInterface
public interface AgreementStatistic {

    /** The coefficient for {@code ratings}, {@code NaN} where undefined. */
    double estimate(CodedRatings ratings);
}
