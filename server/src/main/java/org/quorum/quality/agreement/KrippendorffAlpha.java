package org.quorum.quality.agreement;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

/**
 * Krippendorff's alpha for any number of raters, missing ratings allowed, at the nominal, ordinal,
 * interval or ratio level (Krippendorff 2011):
 *
 * <pre>
 * α   = 1 − D_o / D_e = 1 − (n − 1) Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck
 * D_o = Σ_ck o_ck δ²_ck / n                 observed disagreement
 * D_e = Σ_ck n_c n_k δ²_ck / (n (n − 1))    expected disagreement
 * </pre>
 *
 * with {@code o_ck} the {@link CoincidenceMatrix coincidences}, {@code n_c} the pairable values per
 * category, {@code n} their total and {@code δ²} the {@link MeasurementLevel}'s difference
 * function. Only units with two or more ratings are pairable.
 *
 * <p><b>Cost.</b> {@link #compute(CodedRatings, MeasurementLevel)} is linear in the number of
 * labels for the nominal, ordinal and interval levels: it never forms the coincidence matrix but
 * uses, per unit with {@code m_u} values, the identities {@code Σ_{i≠j} [v_i ≠ v_j] = m_u² − Σ_c
 * n_uc²} (nominal) and {@code Σ_{i,j} (p_i − p_j)² = 2 m_u Σ_i (p_i − p̄_u)²} (interval, and
 * ordinal with {@code p} the mid-rank {@code Σ_{g<c} n_g + n_c/2}, since Krippendorff's ordinal
 * difference equals the difference of mid-ranks). The ratio difference does not split that way, so
 * that level pairs the distinct values within each unit: O(Σ_u d_u²), plus O(k²) over categories
 * for {@code D_e}. {@link #compute(CoincidenceMatrix, MeasurementLevel)} is the textbook path
 * through the matrix; tests check that both agree. Weighted rows ({@link CodedRatings#weight(int)})
 * count as often as their weight: exactly the same value at the nominal level (integer sums), the
 * same up to rounding at the others.
 *
 * <p><b>Undefined values.</b> If no unit has two ratings, or every pairable value is the same
 * ({@code D_e = 0}), α is 0/0: {@link Result#alpha()} is {@code NaN} and {@link
 * Result#undefinedReason()} says why.
 *
 * @see <a href="https://repository.upenn.edu/asc_papers/43/">Krippendorff K. (2011) Computing
 *     Krippendorff's Alpha-Reliability</a>
 */
public final class KrippendorffAlpha {

    private KrippendorffAlpha() {}

    /**
     * Alpha with its parts.
     *
     * @param alpha the coefficient, {@code NaN} when undefined
     * @param observedDisagreement {@code D_o}
     * @param expectedDisagreement {@code D_e}
     * @param pairableValues {@code n}
     * @param level the level of measurement used
     */
    public record Result(
            double alpha,
            double observedDisagreement,
            double expectedDisagreement,
            double pairableValues,
            MeasurementLevel level) {

        /** Why {@link #alpha()} is {@code NaN}, or empty when it is defined. */
        public Optional<String> undefinedReason() {
            if (pairableValues == 0) {
                return Optional.of(
                        "no unit has two or more ratings, so there is nothing to compare");
            }
            if (expectedDisagreement == 0) {
                return Optional.of(
                        "every pairable rating has the same value, so expected"
                                + " disagreement is 0 and alpha is 0/0");
            }
            return Optional.empty();
        }
    }

    /**
     * Alpha of all units and raters, in time linear in the number of labels (ratio: see above).
     *
     * @throws InvalidRatingDataException ({@link Problem#NOT_NUMERIC}) for the interval or ratio
     *     level when the categories are not numbers, ({@link Problem#NEGATIVE_RATIO_VALUE}) for the
     *     ratio level with a negative value
     */
    public static Result compute(CodedRatings ratings, MeasurementLevel level) {
        double[] values =
                requireValuesFor(level, ratings.categoryValuesView(), ratings.categories());
        int raters = ratings.raterCount();
        int[] codes = ratings.codesView();
        int[] weights = ratings.weightsView();
        long[] marginals = pairableMarginals(codes, weights, raters, ratings.categoryCount());
        long n = 0;
        for (long count : marginals) {
            n += count;
        }
        if (n == 0) {
            return new Result(Double.NaN, Double.NaN, Double.NaN, 0, level);
        }
        double observedSum;
        double expectedSum;
        switch (level) {
            case NOMINAL -> {
                observedSum = nominalObservedSum(ratings);
                double sumOfSquares = 0;
                for (long count : marginals) {
                    sumOfSquares += (double) count * count;
                }
                expectedSum = (double) n * n - sumOfSquares;
            }
            case ORDINAL, INTERVAL -> {
                double[] positions =
                        level == MeasurementLevel.ORDINAL ? midRanks(toDoubles(marginals)) : values;
                observedSum = squaredDistanceObservedSum(codes, weights, raters, positions);
                expectedSum = squaredDistanceExpectedSum(positions, toDoubles(marginals));
            }
            case RATIO -> {
                observedSum = pairwiseObservedSum(ratings, values);
                expectedSum = pairwiseExpectedSum(level, values, toDoubles(marginals));
            }
            default -> throw new IllegalStateException("unhandled level " + level);
        }
        return result(level, n, observedSum, expectedSum);
    }

    /**
     * Alpha from a coincidence matrix, term by term as in Krippendorff (2011): O(k²).
     *
     * @throws InvalidRatingDataException as {@link #compute(CodedRatings, MeasurementLevel)}
     */
    public static Result compute(CoincidenceMatrix matrix, MeasurementLevel level) {
        double[] values = requireValuesFor(level, matrix.categoryValuesView(), matrix.categories());
        int k = matrix.size();
        double[] marginals = new double[k];
        double n = 0;
        for (int c = 0; c < k; c++) {
            marginals[c] = matrix.pairableValues(c);
            n += marginals[c];
        }
        if (n == 0) {
            return new Result(Double.NaN, Double.NaN, Double.NaN, 0, level);
        }
        double[] ranks = midRanks(marginals);
        double observedSum = 0;
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < k; j++) {
                observedSum += matrix.coincidences(c, j) * difference(level, c, j, values, ranks);
            }
        }
        return result(level, n, observedSum, pairwiseExpectedSum(level, values, marginals));
    }

    private static Result result(
            MeasurementLevel level, double n, double observedSum, double expectedSum) {
        double alpha = expectedSum == 0 ? Double.NaN : 1 - (n - 1) * observedSum / expectedSum;
        return new Result(alpha, observedSum / n, expectedSum / (n * (n - 1)), n, level);
    }

    private static double[] requireValuesFor(
            MeasurementLevel level, double[] values, List<String> categories) {
        if (level != MeasurementLevel.INTERVAL && level != MeasurementLevel.RATIO) {
            return values;
        }
        if (values == null) {
            String example =
                    categories.stream()
                            .filter(category -> !CategoryCoding.isNumber(category))
                            .findFirst()
                            .orElse("?");
            throw new InvalidRatingDataException(
                    Problem.NOT_NUMERIC,
                    "the "
                            + level.name().toLowerCase(Locale.ROOT)
                            + " level needs numeric ratings, but '"
                            + example
                            + "' is not a number; use the nominal or ordinal level for categories");
        }
        if (level == MeasurementLevel.RATIO) {
            for (int c = 0; c < values.length; c++) {
                if (values[c] < 0) {
                    throw new InvalidRatingDataException(
                            Problem.NEGATIVE_RATIO_VALUE,
                            "the ratio level needs values of zero or more (a ratio scale has an"
                                    + " absolute zero), but '"
                                    + categories.get(c)
                                    + "' is negative; use the interval level");
                }
            }
        }
        return values;
    }

    /** n_c: values per category, counting only units with at least two values. */
    private static long[] pairableMarginals(
            int[] codes, int[] weights, int raters, int categoryCount) {
        long[] marginals = new long[categoryCount];
        for (int base = 0, row = 0; base < codes.length; base += raters, row++) {
            int weight = weights == null ? 1 : weights[row];
            int present = 0;
            for (int r = 0; r < raters; r++) {
                if (codes[base + r] != CodedRatings.MISSING) {
                    present++;
                }
            }
            if (present >= 2) {
                for (int r = 0; r < raters; r++) {
                    int code = codes[base + r];
                    if (code != CodedRatings.MISSING) {
                        marginals[code] += weight;
                    }
                }
            }
        }
        return marginals;
    }

    /**
     * Σ_ck o_ck [c ≠ k] = Σ_u (m_u² − Σ_c n_uc²) / (m_u − 1), the integer numerators summed per
     * {@code m_u} and divided once per {@code m_u}: exact whatever the order of the units and
     * whether identical units come as one weighted row or as repeated rows.
     */
    private static double nominalObservedSum(CodedRatings ratings) {
        UnitTally unit = new UnitTally(ratings);
        long[] numeratorByPresent = new long[ratings.raterCount() + 1];
        while (unit.next()) {
            int present = unit.present();
            if (present >= 2) {
                long sameValuePairs = 0;
                for (int i = 0; i < unit.distinct(); i++) {
                    long count = unit.count(i);
                    sameValuePairs += count * count;
                }
                numeratorByPresent[present] +=
                        ((long) present * present - sameValuePairs) * unit.weight();
            }
        }
        double sum = 0;
        for (int m = 2; m < numeratorByPresent.length; m++) {
            sum += numeratorByPresent[m] / (m - 1.0);
        }
        return sum;
    }

    /** Σ_ck o_ck (p_c − p_k)² = Σ_u 2 m_u Σ_i (p_i − p̄_u)² / (m_u − 1). */
    private static double squaredDistanceObservedSum(
            int[] codes, int[] weights, int raters, double[] positions) {
        double sum = 0;
        for (int base = 0, row = 0; base < codes.length; base += raters, row++) {
            int weight = weights == null ? 1 : weights[row];
            if (weight == 0) {
                continue;
            }
            int present = 0;
            double total = 0;
            for (int r = 0; r < raters; r++) {
                int code = codes[base + r];
                if (code != CodedRatings.MISSING) {
                    present++;
                    total += positions[code];
                }
            }
            if (present >= 2) {
                // Centre on the unit mean before squaring: stable for large values.
                double mean = total / present;
                double squares = 0;
                for (int r = 0; r < raters; r++) {
                    int code = codes[base + r];
                    if (code != CodedRatings.MISSING) {
                        double deviation = positions[code] - mean;
                        squares += deviation * deviation;
                    }
                }
                sum += weight * (2.0 * present * squares / (present - 1));
            }
        }
        return sum;
    }

    /** Σ_ck n_c n_k (p_c − p_k)² = 2 n Σ_c n_c (p_c − p̄)². */
    private static double squaredDistanceExpectedSum(double[] positions, double[] marginals) {
        double n = 0;
        double total = 0;
        for (int c = 0; c < marginals.length; c++) {
            n += marginals[c];
            total += marginals[c] * positions[c];
        }
        double mean = total / n;
        double squares = 0;
        for (int c = 0; c < marginals.length; c++) {
            if (marginals[c] > 0) {
                double deviation = positions[c] - mean;
                squares += marginals[c] * deviation * deviation;
            }
        }
        return 2 * n * squares;
    }

    /** Σ_ck o_ck δ²_ck by pairing the distinct values of each unit (ratio level). */
    private static double pairwiseObservedSum(CodedRatings ratings, double[] values) {
        UnitTally unit = new UnitTally(ratings);
        double sum = 0;
        while (unit.next()) {
            if (unit.present() >= 2) {
                double unitSum = 0;
                for (int i = 0; i < unit.distinct(); i++) {
                    for (int j = i + 1; j < unit.distinct(); j++) {
                        unitSum +=
                                2.0
                                        * unit.count(i)
                                        * unit.count(j)
                                        * ratioDifference(
                                                values[unit.value(i)], values[unit.value(j)]);
                    }
                }
                sum += unit.weight() * (unitSum / (unit.present() - 1));
            }
        }
        return sum;
    }

    /** Σ_ck n_c n_k δ²_ck over the categories that occur: O(k²). */
    private static double pairwiseExpectedSum(
            MeasurementLevel level, double[] values, double[] marginals) {
        double[] ranks = midRanks(marginals);
        double sum = 0;
        for (int c = 0; c < marginals.length; c++) {
            if (marginals[c] == 0) {
                continue;
            }
            for (int k = 0; k < marginals.length; k++) {
                if (marginals[k] > 0) {
                    sum += marginals[c] * marginals[k] * difference(level, c, k, values, ranks);
                }
            }
        }
        return sum;
    }

    /** δ²_ck of Krippendorff (2011), section E; ordinal through mid-ranks (see class doc). */
    private static double difference(
            MeasurementLevel level, int c, int k, double[] values, double[] ranks) {
        if (c == k) {
            return 0;
        }
        return switch (level) {
            case NOMINAL -> 1;
            case ORDINAL -> square(ranks[c] - ranks[k]);
            case INTERVAL -> square(values[c] - values[k]);
            case RATIO -> ratioDifference(values[c], values[k]);
        };
    }

    private static double ratioDifference(double c, double k) {
        double sum = c + k;
        return sum == 0 ? 0 : square((c - k) / sum);
    }

    /**
     * Mid-rank of each category among the pairable values, {@code Σ_{g<c} n_g + n_c / 2}: then
     * {@code Σ_{g=c..k} n_g − (n_c + n_k)/2 = rank_k − rank_c} for {@code c < k}.
     */
    private static double[] midRanks(double[] marginals) {
        double[] ranks = new double[marginals.length];
        double below = 0;
        for (int c = 0; c < marginals.length; c++) {
            ranks[c] = below + marginals[c] / 2;
            below += marginals[c];
        }
        return ranks;
    }

    private static double[] toDoubles(long[] counts) {
        double[] doubles = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            doubles[i] = counts[i];
        }
        return doubles;
    }

    private static double square(double x) {
        return x * x;
    }
}
