package org.quorum.quality.agreement;

/**
 * One agreement coefficient as a function of the ratings, so that {@link Bootstrap} can recompute
 * it on resampled units. Returns {@code NaN} where the coefficient is undefined. The bootstrap
 * hands it weighted rows (distinct patterns with counts, {@link CodedRatings#weight(int)}), which
 * the statistics of this package all honour.
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
