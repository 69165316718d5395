package org.quorum.quality.agreement;

import java.util.Optional;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

/**
 * Cohen's kappa for two raters, unweighted or with agreement weights:
 *
 * <pre>
 * p_o = Σ_ij w_ij p_ij            (observed weighted agreement)
 * p_e = Σ_ij w_ij p_i. p_.j       (agreement expected from each rater's own marginals)
 * κ   = (p_o − p_e) / (1 − p_e)
 * </pre>
 *
 * where {@code p_ij} is the proportion of units rater A put in category {@code i} and rater B in
 * {@code j}. With {@link KappaWeights#NONE} this is Cohen (1960); with weights, Cohen (1968) in its
 * agreement-weight form (equal to {@code 1 − Σ v p_o / Σ v p_e} for disagreement weights {@code v =
 * 1 − w}).
 *
 * <p><b>From ratings</b>, units where either rater is missing are dropped (listwise, as irr's
 * {@code kappa2}); the categories are those either rater used on the remaining units, in the order
 * of {@link CategoryCoding} (numeric if all values are numbers, else lexicographic), and weights
 * are by category position in that list. A category no one used therefore does not widen the weight
 * spacing; use {@link #compute(ContingencyTable, KappaWeights)} with explicit categories to fix the
 * scale.
 *
 * <p><b>Undefined values.</b> When {@code p_e = 1} (both raters put every unit in the same single
 * category) κ is 0/0: {@link Result#kappa()} is {@code NaN} and {@link Result#undefinedReason()}
 * says why. Cost: O(units + k²).
 *
 * @see <a href="https://doi.org/10.1177/001316446002000104">Cohen J. (1960) A coefficient of
 *     agreement for nominal scales, Educ Psychol Meas 20:37-46</a>
 * @see <a href="https://doi.org/10.1037/h0026256">Cohen J. (1968) Weighted kappa, Psychol Bull
 *     70:213-220</a>
 */
public final class CohenKappa {

    private CohenKappa() {}

    /**
     * Kappa with its components.
     *
     * @param kappa the coefficient, {@code NaN} when undefined
     * @param observedAgreement {@code p_o} (weighted when weights are used)
     * @param expectedAgreement {@code p_e} (weighted when weights are used)
     * @param units number of units (or total count of the table) the value is based on
     */
    public record Result(
            double kappa, double observedAgreement, double expectedAgreement, double units) {

        /** Why {@link #kappa()} is {@code NaN}, or empty when it is defined. */
        public Optional<String> undefinedReason() {
            if (units == 0) {
                return Optional.of("no unit was rated by both raters");
            }
            if (Double.isNaN(kappa)) {
                return Optional.of(
                        "expected agreement is 1 (both raters used one and the same"
                                + " category for every unit), so kappa is 0/0");
            }
            return Optional.empty();
        }
    }

    /**
     * Kappa of the only two raters in {@code ratings}.
     *
     * @throws InvalidRatingDataException ({@link Problem#NOT_TWO_RATERS}) if there are more than
     *     two raters
     */
    public static Result compute(CodedRatings ratings, KappaWeights weights) {
        if (ratings.raterCount() != 2) {
            throw new InvalidRatingDataException(
                    Problem.NOT_TWO_RATERS,
                    "Cohen's kappa compares exactly two raters, but there are "
                            + ratings.raterCount()
                            + " "
                            + ratings.raterNames()
                            + "; choose two of them");
        }
        return compute(ratings, 0, 1, weights);
    }

    /** Kappa of raters {@code raterA} and {@code raterB} (0-based columns) of {@code ratings}. */
    public static Result compute(
            CodedRatings ratings, int raterA, int raterB, KappaWeights weights) {
        int raters = ratings.raterCount();
        int categories = ratings.categoryCount();
        int[] codes = ratings.codesView();
        int[] rowWeights = ratings.weightsView();
        // Joint counts over all coded categories first: one pass, no boxing.
        long[] joint = new long[categories * categories];
        long units = 0;
        for (int base = 0, row = 0; base < codes.length; base += raters, row++) {
            int a = codes[base + raterA];
            int b = codes[base + raterB];
            if (a != CodedRatings.MISSING && b != CodedRatings.MISSING) {
                int weight = rowWeights == null ? 1 : rowWeights[row];
                if (weight > 0) {
                    joint[a * categories + b] += weight;
                    units += weight;
                }
            }
        }
        if (units == 0) {
            return new Result(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        // Keep only the categories these two raters used, so weights are spaced over them.
        boolean[] used = new boolean[categories];
        for (int a = 0; a < categories; a++) {
            for (int b = 0; b < categories; b++) {
                if (joint[a * categories + b] > 0) {
                    used[a] = true;
                    used[b] = true;
                }
            }
        }
        int[] position = new int[categories];
        int k = 0;
        for (int c = 0; c < categories; c++) {
            position[c] = used[c] ? k++ : -1;
        }
        double[][] table = new double[k][k];
        for (int a = 0; a < categories; a++) {
            for (int b = 0; b < categories; b++) {
                long count = joint[a * categories + b];
                if (count > 0) {
                    table[position[a]][position[b]] = count;
                }
            }
        }
        return fromTable(table, weights.matrix(k));
    }

    /** Kappa from a contingency table; weights are spaced over all of its categories. */
    public static Result compute(ContingencyTable table, KappaWeights weights) {
        return compute(table, weights.matrix(table.size()));
    }

    /**
     * Kappa from a contingency table with arbitrary agreement weights, as in Cohen's (1968) worked
     * example.
     *
     * @param agreementWeights {@code k × k} weights in [0, 1] with 1 on the diagonal
     * @throws IllegalArgumentException if the weights are not of that form
     */
    public static Result compute(ContingencyTable table, double[][] agreementWeights) {
        int k = table.size();
        if (agreementWeights.length != k) {
            throw new IllegalArgumentException("need a " + k + " × " + k + " weight matrix");
        }
        for (int i = 0; i < k; i++) {
            if (agreementWeights[i].length != k || agreementWeights[i][i] != 1) {
                throw new IllegalArgumentException(
                        "weights must be " + k + " × " + k + " with 1 on the diagonal");
            }
            for (double w : agreementWeights[i]) {
                if (!(w >= 0 && w <= 1)) {
                    throw new IllegalArgumentException("weights must lie in [0, 1], got " + w);
                }
            }
        }
        double[][] counts = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                counts[i][j] = table.count(i, j);
            }
        }
        return fromTable(counts, agreementWeights);
    }

    private static Result fromTable(double[][] counts, double[][] weights) {
        int k = counts.length;
        double total = 0;
        double[] rowTotals = new double[k];
        double[] columnTotals = new double[k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                rowTotals[i] += counts[i][j];
                columnTotals[j] += counts[i][j];
                total += counts[i][j];
            }
        }
        double observed = 0;
        double expected = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                observed += weights[i][j] * counts[i][j] / total;
                expected += weights[i][j] * (rowTotals[i] / total) * (columnTotals[j] / total);
            }
        }
        // p_e = 1 only when all mass sits in cells of weight 1 for both marginals: 0/0.
        double kappa = expected >= 1 ? Double.NaN : (observed - expected) / (1 - expected);
        return new Result(kappa, observed, expected, total);
    }
}
