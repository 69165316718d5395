package org.quorum.quality.stats;

/**
 * Pearson's chi-square tests: of independence in an {@code r × c} contingency table, and of
 * goodness of fit of observed counts to expected shares.
 *
 * <pre>
 * X² = Σ (O − E)² / E
 * independence:    E_ij = row_i col_j / n,  df = (r' − 1)(c' − 1)
 * goodness of fit: E_i  = n s_i,            df = k' − 1
 * </pre>
 *
 * where {@code r', c', k'} count only the rows, columns and categories with a non-zero expected
 * count (an empty row or column carries no information and would divide by zero). No continuity
 * correction: with many tables and a multiple-comparison correction on top, Yates' correction only
 * costs power.
 *
 * @see <a href="https://doi.org/10.1080/14786440009463897">Pearson K. (1900) On the criterion that
 *     a given system of deviations from the probable…, Phil Mag 50:157-175</a>
 * @see <a href="https://doi.org/10.1002/0471249688">Agresti A. (2013) Categorical Data Analysis,
 *     3rd ed., §3.2</a>
 */
public final class ChiSquareTests {

    /** Below this expected count the chi-square approximation is commonly held to be rough. */
    public static final double LOW_EXPECTED_COUNT = 5;

    private ChiSquareTests() {}

    /**
     * A test result.
     *
     * @param statistic {@code X²}, {@code NaN} when the test cannot be made
     * @param degreesOfFreedom df, 0 when the test cannot be made
     * @param pValue upper-tail p-value, {@code NaN} when the test cannot be made
     * @param minExpected smallest expected count among the cells used
     */
    public record Result(
            double statistic, int degreesOfFreedom, double pValue, double minExpected) {

        /** Whether the test could be made (at least one degree of freedom). */
        public boolean defined() {
            return degreesOfFreedom > 0;
        }

        /** Whether an expected count is below {@link #LOW_EXPECTED_COUNT}. */
        public boolean lowExpectedCount() {
            return defined() && minExpected < LOW_EXPECTED_COUNT;
        }

        static Result undefined() {
            return new Result(Double.NaN, 0, Double.NaN, Double.NaN);
        }
    }

    /**
     * Test of independence of rows and columns.
     *
     * @param counts {@code r × c} non-negative counts
     * @throws IllegalArgumentException for a ragged table or a negative count
     */
    public static Result independence(long[][] counts) {
        int rows = counts.length;
        int columns = rows == 0 ? 0 : counts[0].length;
        double[] rowTotals = new double[rows];
        double[] columnTotals = new double[columns];
        double total = 0;
        for (int i = 0; i < rows; i++) {
            if (counts[i].length != columns) {
                throw new IllegalArgumentException("every row needs " + columns + " counts");
            }
            for (int j = 0; j < columns; j++) {
                if (counts[i][j] < 0) {
                    throw new IllegalArgumentException("counts must be ≥ 0");
                }
                rowTotals[i] += counts[i][j];
                columnTotals[j] += counts[i][j];
                total += counts[i][j];
            }
        }
        int usedRows = 0;
        for (double t : rowTotals) {
            usedRows += t > 0 ? 1 : 0;
        }
        int usedColumns = 0;
        for (double t : columnTotals) {
            usedColumns += t > 0 ? 1 : 0;
        }
        int df = (usedRows - 1) * (usedColumns - 1);
        if (usedRows < 2 || usedColumns < 2) {
            return Result.undefined();
        }
        double statistic = 0;
        double minExpected = Double.POSITIVE_INFINITY;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                if (rowTotals[i] == 0 || columnTotals[j] == 0) {
                    continue;
                }
                double expected = rowTotals[i] * columnTotals[j] / total;
                double difference = counts[i][j] - expected;
                statistic += difference * difference / expected;
                minExpected = Math.min(minExpected, expected);
            }
        }
        return new Result(
                statistic, df, ChiSquareDistribution.survival(statistic, df), minExpected);
    }

    /**
     * Goodness of fit of observed counts to expected shares (which are normalised to sum to 1).
     * Categories with an expected share of 0 are left out; an observation in such a category makes
     * the fit impossible and is rejected.
     *
     * @throws IllegalArgumentException if the arrays differ in length, a count or share is
     *     negative, or a category with share 0 has observations
     */
    public static Result goodnessOfFit(long[] observed, double[] expectedShares) {
        if (observed.length != expectedShares.length) {
            throw new IllegalArgumentException("one expected share per observed count is needed");
        }
        double shareTotal = 0;
        double total = 0;
        for (int i = 0; i < observed.length; i++) {
            if (observed[i] < 0 || !(expectedShares[i] >= 0)) {
                throw new IllegalArgumentException("counts and shares must be ≥ 0");
            }
            if (expectedShares[i] == 0 && observed[i] > 0) {
                throw new IllegalArgumentException(
                        "category " + i + " has observations but an expected share of 0");
            }
            shareTotal += expectedShares[i];
            total += observed[i];
        }
        int used = 0;
        double statistic = 0;
        double minExpected = Double.POSITIVE_INFINITY;
        for (int i = 0; i < observed.length; i++) {
            if (expectedShares[i] == 0) {
                continue;
            }
            used++;
            double expected = total * expectedShares[i] / shareTotal;
            double difference = observed[i] - expected;
            statistic += difference * difference / expected;
            minExpected = Math.min(minExpected, expected);
        }
        if (used < 2 || total == 0) {
            return Result.undefined();
        }
        int df = used - 1;
        return new Result(
                statistic, df, ChiSquareDistribution.survival(statistic, df), minExpected);
    }
}
