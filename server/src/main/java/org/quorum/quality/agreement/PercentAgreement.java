package org.quorum.quality.agreement;

import java.util.Optional;

/**
 * Observed (percent) agreement, as a proportion in [0, 1], not corrected for chance.
 *
 * <p><b>Definition.</b> For each unit with {@code m_u ≥ 2} ratings, the share of its pairs of
 * raters that agree, {@code Σ_c n_uc (n_uc − 1) / (m_u (m_u − 1))}; the result is the mean of that
 * share over those units, each unit weighing the same. Units with fewer than two ratings are
 * skipped. For two raters this is the proportion of units (rated by both) on which they agree; for
 * complete data it is Fleiss' (1971) {@code P̄}. It is <em>not</em> irr's {@code agree()} for more
 * than two raters, which counts only units where all raters agree. Cost: O(ratings).
 *
 * @see <a href="https://doi.org/10.1037/h0031619">Fleiss J.L. (1971) Measuring nominal scale
 *     agreement among many raters, Psychol Bull 76:378-382, eq. 3-4</a>
 */
public final class PercentAgreement {

    private PercentAgreement() {}

    /**
     * @param agreement mean pairwise agreement, {@code NaN} when no unit has two ratings
     * @param units number of units with at least two ratings
     */
    public record Result(double agreement, int units) {

        /** Why {@link #agreement()} is {@code NaN}, or empty when it is defined. */
        public Optional<String> undefinedReason() {
            return units == 0
                    ? Optional.of("no unit has two or more ratings, so there is nothing to compare")
                    : Optional.empty();
        }
    }

    /**
     * Mean pairwise agreement over all units with at least two ratings (weighted rows count as
     * often as their weight).
     *
     * <p>Agreeing pairs are summed as integers per number of ratings {@code m} and divided once per
     * {@code m}, so the value does not depend on the order of the units nor on whether identical
     * units come as one weighted row or as repeated rows.
     */
    public static Result compute(CodedRatings ratings) {
        UnitTally unit = new UnitTally(ratings);
        int raters = ratings.raterCount();
        long[] agreeingPairsByPresent = new long[raters + 1];
        long units = 0;
        while (unit.next()) {
            int present = unit.present();
            if (present >= 2) {
                long agreeingPairs = 0;
                for (int i = 0; i < unit.distinct(); i++) {
                    long count = unit.count(i);
                    agreeingPairs += count * (count - 1);
                }
                agreeingPairsByPresent[present] += agreeingPairs * unit.weight();
                units += unit.weight();
            }
        }
        double sum = 0;
        for (int m = 2; m <= raters; m++) {
            sum += agreeingPairsByPresent[m] / ((double) m * (m - 1));
        }
        return new Result(units == 0 ? Double.NaN : sum / units, Math.toIntExact(units));
    }
}
