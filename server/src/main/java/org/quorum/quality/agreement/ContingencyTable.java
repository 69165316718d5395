package org.quorum.quality.agreement;

import java.util.List;

/**
 * A square table of two raters' joint classifications: {@code count(i, j)} units (or proportions)
 * that rater A put in category {@code i} and rater B in category {@code j}. Rows are rater A,
 * columns rater B, both in the order of {@link #categories()}. Immutable.
 */
public final class ContingencyTable {

    private final List<String> categories;
    private final double[][] counts;

    /**
     * @param categories category labels in order; the table is {@code k × k} for {@code k} labels
     * @param counts non-negative counts or proportions, rows = rater A, columns = rater B
     * @throws IllegalArgumentException if the table is not {@code k × k}, is empty, has a negative
     *     or non-finite cell, or sums to zero
     */
    public ContingencyTable(List<String> categories, double[][] counts) {
        int k = categories.size();
        if (k == 0 || counts.length != k) {
            throw new IllegalArgumentException(
                    "a contingency table needs one row and one column per category (" + k + ")");
        }
        double total = 0;
        this.counts = new double[k][];
        for (int i = 0; i < k; i++) {
            if (counts[i].length != k) {
                throw new IllegalArgumentException(
                        "row " + (i + 1) + " has " + counts[i].length + " cells, expected " + k);
            }
            for (double count : counts[i]) {
                if (!(count >= 0) || Double.isInfinite(count)) {
                    throw new IllegalArgumentException(
                            "counts must be finite and non-negative, got " + count);
                }
                total += count;
            }
            this.counts[i] = counts[i].clone();
        }
        if (total == 0) {
            throw new IllegalArgumentException("the contingency table is empty (all counts are 0)");
        }
        this.categories = List.copyOf(categories);
    }

    /** Category labels, the order of both rows and columns. */
    public List<String> categories() {
        return categories;
    }

    /** Number of categories ({@code k} of the {@code k × k} table). */
    public int size() {
        return categories.size();
    }

    /** The count for rater A in category {@code row} and rater B in category {@code column}. */
    public double count(int row, int column) {
        return counts[row][column];
    }

    /** Sum of all cells. */
    public double total() {
        double total = 0;
        for (double[] row : counts) {
            for (double count : row) {
                total += count;
            }
        }
        return total;
    }
}
