package org.quorum.quality.agreement;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

/**
 * Fleiss' kappa for any fixed number {@code n ≥ 2} of ratings per unit, nominal categories (Fleiss
 * 1971). With {@code N} units, {@code n_ij} ratings of unit {@code i} in category {@code j}:
 *
 * <pre>
 * p_j  = Σ_i n_ij / (N n)                       share of all ratings in category j
 * P_i  = (Σ_j n_ij² − n) / (n (n − 1))           agreeing rater pairs within unit i
 * P̄    = Σ_i P_i / N,   P̄_e = Σ_j p_j²
 * κ    = (P̄ − P̄_e) / (1 − P̄_e)                  (Fleiss 1971, eq. 6-9)
 * κ_j  = 1 − Σ_i n_ij (n − n_ij) / (N n (n − 1) p_j q_j),  q_j = 1 − p_j   (eq. 20-21)
 * </pre>
 *
 * <p><b>Unequal numbers of ratings</b> are rejected: the formula assumes the same {@code n} for
 * every unit, and silently dropping units would change the statistic without telling anyone. Use
 * {@link KrippendorffAlpha} (nominal) for data with missing ratings.
 *
 * <p><b>Undefined values.</b> If every rating is in one category, {@code P̄_e = 1} and κ is 0/0:
 * {@link Result#kappa()} is {@code NaN}. {@code κ_j} is {@code NaN} for a category that no one used
 * or that everyone used for every unit ({@code p_j q_j = 0}). Cost: O(ratings + k).
 *
 * <p>Weighted rows ({@link CodedRatings#weight(int)}) count as often as their weight; the sums are
 * integers, so the value is the same as on the repeated rows.
 *
 * @see <a href="https://doi.org/10.1037/h0031619">Fleiss J.L. (1971) Measuring nominal scale
 *     agreement among many raters, Psychol Bull 76:378-382</a>
 */
public final class FleissKappa {

    private FleissKappa() {}

    /**
     * Fleiss' kappa with its parts.
     *
     * @param kappa overall κ, {@code NaN} when undefined
     * @param meanAgreement {@code P̄}, the mean proportion of agreeing rater pairs per unit
     * @param expectedAgreement {@code P̄_e}
     * @param categories category labels, in the order of {@link #categoryKappas()}
     * @param categoryKappas {@code κ_j} per category, {@code NaN} where undefined
     * @param units {@code N}
     * @param ratingsPerUnit {@code n}
     */
    public record Result(
            double kappa,
            double meanAgreement,
            double expectedAgreement,
            List<String> categories,
            List<Double> categoryKappas,
            int units,
            int ratingsPerUnit) {

        public Result {
            categories = List.copyOf(categories);
            categoryKappas = List.copyOf(categoryKappas);
        }

        /** Why {@link #kappa()} is {@code NaN}, or empty when it is defined. */
        public Optional<String> undefinedReason() {
            return Double.isNaN(kappa)
                    ? Optional.of(
                            "every rating is in the same category, so expected agreement is 1"
                                    + " and kappa is 0/0")
                    : Optional.empty();
        }
    }

    /**
     * Fleiss' kappa over all units and raters.
     *
     * @throws InvalidRatingDataException ({@link Problem#UNEQUAL_RATINGS_PER_UNIT}) naming the
     *     first unit whose number of ratings differs from the first unit's, or if units carry fewer
     *     than two ratings
     */
    public static Result compute(CodedRatings ratings) {
        int raters = ratings.raterCount();
        int categoryCount = ratings.categoryCount();
        int[] codes = ratings.codesView();
        int[] weights = ratings.weightsView();
        long[] categoryTotals = new long[categoryCount];
        long[] categorySquares = new long[categoryCount];
        int[] unitCounts = new int[categoryCount];
        int[] touched = new int[raters];
        int perUnit = -1;
        double sumOfSquares = 0;
        int units = ratings.unitCount();
        int rows = ratings.rowCount();
        for (int u = 0; u < rows; u++) {
            long weight = weights == null ? 1 : weights[u];
            if (weight == 0) {
                continue;
            }
            int base = u * raters;
            int present = 0;
            int distinct = 0;
            for (int r = 0; r < raters; r++) {
                int code = codes[base + r];
                if (code != CodedRatings.MISSING) {
                    present++;
                    if (unitCounts[code]++ == 0) {
                        touched[distinct++] = code;
                    }
                }
            }
            if (perUnit < 0) {
                perUnit = present;
                if (perUnit < 2) {
                    throw new InvalidRatingDataException(
                            Problem.UNEQUAL_RATINGS_PER_UNIT,
                            ratings.describeUnit(u)
                                    + " has "
                                    + present
                                    + " rating(s); Fleiss' kappa"
                                    + " needs at least two ratings for every unit");
                }
            } else if (present != perUnit) {
                throw new InvalidRatingDataException(
                        Problem.UNEQUAL_RATINGS_PER_UNIT,
                        ratings.describeUnit(u)
                                + " has "
                                + present
                                + " ratings but "
                                + ratings.describeUnit(0)
                                + " has "
                                + perUnit
                                + "; Fleiss' kappa needs the same number of ratings for every unit"
                                + " (use Krippendorff's alpha for data with missing ratings)");
            }
            for (int i = 0; i < distinct; i++) {
                int code = touched[i];
                long count = unitCounts[code];
                categoryTotals[code] += weight * count;
                categorySquares[code] += weight * count * count;
                sumOfSquares += weight * count * count;
                unitCounts[code] = 0;
            }
        }
        double n = perUnit;
        double ratingsTotal = (double) units * n;
        double meanAgreement = (sumOfSquares - units * n) / (units * n * (n - 1));
        double expectedAgreement = 0;
        Double[] categoryKappas = new Double[categoryCount];
        for (int j = 0; j < categoryCount; j++) {
            double p = categoryTotals[j] / ratingsTotal;
            expectedAgreement += p * p;
            // Fleiss 1971 eq. 20: Σ_i n_ij (n − n_ij) = n Σ_i n_ij − Σ_i n_ij².
            double disagreements = n * categoryTotals[j] - categorySquares[j];
            double pq = p * (1 - p);
            categoryKappas[j] =
                    pq == 0 ? Double.NaN : 1 - disagreements / (units * n * (n - 1) * pq);
        }
        double kappa =
                expectedAgreement >= 1
                        ? Double.NaN
                        : (meanAgreement - expectedAgreement) / (1 - expectedAgreement);
        return new Result(
                kappa,
                meanAgreement,
                expectedAgreement,
                ratings.categories(),
                List.of(categoryKappas),
                units,
                perUnit);
    }

    /**
     * Fleiss' kappa from a count table: {@code counts[i][j]} raters put unit {@code i} in category
     * {@code j}, the layout of Fleiss (1971) Table 1 and of Wikipedia's example.
     *
     * @param categories labels of the columns of {@code counts}
     * @throws InvalidRatingDataException if rows have different totals or a total below two
     */
    public static Result fromCounts(List<String> categories, int[][] counts) {
        if (counts.length == 0) {
            throw new InvalidRatingDataException(Problem.NO_UNITS, "the count table has no units");
        }
        int perUnit = -1;
        for (int u = 0; u < counts.length; u++) {
            if (counts[u].length != categories.size()) {
                throw new InvalidRatingDataException(
                        Problem.RAGGED_ROW,
                        "unit "
                                + (u + 1)
                                + " has "
                                + counts[u].length
                                + " counts, expected one per"
                                + " category ("
                                + categories.size()
                                + ")");
            }
            int total = 0;
            for (int count : counts[u]) {
                if (count < 0) {
                    throw new InvalidRatingDataException(
                            Problem.NOT_NUMERIC, "unit " + (u + 1) + " has a negative count");
                }
                total += count;
            }
            if (perUnit < 0) {
                perUnit = total;
            } else if (total != perUnit) {
                throw new InvalidRatingDataException(
                        Problem.UNEQUAL_RATINGS_PER_UNIT,
                        "unit "
                                + (u + 1)
                                + " has "
                                + total
                                + " ratings but unit 1 has "
                                + perUnit
                                + "; Fleiss' kappa needs the same number of ratings for every unit");
            }
        }
        if (perUnit < 2) {
            throw new InvalidRatingDataException(
                    Problem.UNEQUAL_RATINGS_PER_UNIT,
                    "units have "
                            + perUnit
                            + " rating(s); Fleiss' kappa needs at least two per unit");
        }
        // One row per unit with perUnit anonymous raters: raters are exchangeable in Fleiss'
        // kappa, so this gives the same statistic through the one implementation.
        List<String> raters = new ArrayList<>(perUnit);
        for (int r = 0; r < perUnit; r++) {
            raters.add("rating " + (r + 1));
        }
        int[] codes = new int[Math.multiplyExact(counts.length, perUnit)];
        for (int u = 0; u < counts.length; u++) {
            int next = u * perUnit;
            for (int j = 0; j < counts[u].length; j++) {
                for (int c = 0; c < counts[u][j]; c++) {
                    codes[next++] = j;
                }
            }
        }
        return compute(CodedRatings.fromCodes(raters, categories, null, counts.length, codes));
    }
}
