package org.quorum.quality.agreement;

import java.util.List;

/**
 * Krippendorff's coincidence matrix: {@code o_ck} counts the ordered pairs of values {@code (c, k)}
 * found within units, each unit's pairs weighted by {@code 1 / (m_u − 1)} where {@code m_u} is the
 * number of values in the unit; units with fewer than two values are not pairable and do not count
 * (Krippendorff 2011, section C, steps 1-2).
 *
 * <p>Row sums {@code n_c} are the pairable values per category and {@code n = Σ n_c}. The matrix is
 * symmetric.
 *
 * <p>Building it costs O(Σ_u d_u²) for {@code d_u} distinct values in unit {@code u}, at most
 * O(labels × min(raters, categories)). {@link KrippendorffAlpha#compute} does not build it for the
 * nominal, ordinal and interval levels; it exists for reports and as the reference the fast path is
 * tested against.
 *
 * @see <a href="https://repository.upenn.edu/asc_papers/43/">Krippendorff K. (2011) Computing
 *     Krippendorff's Alpha-Reliability</a>
 */
public final class CoincidenceMatrix {

    private final List<String> categories;
    private final double[] categoryValues;
    private final double[][] coincidences;

    private CoincidenceMatrix(
            List<String> categories, double[] categoryValues, double[][] coincidences) {
        this.categories = List.copyOf(categories);
        this.categoryValues = categoryValues;
        this.coincidences = coincidences;
    }

    /** Tabulates the coincidences of all pairable units of {@code ratings}. */
    public static CoincidenceMatrix of(CodedRatings ratings) {
        int categoryCount = ratings.categoryCount();
        double[][] o = new double[categoryCount][categoryCount];
        UnitTally unit = new UnitTally(ratings);
        while (unit.next()) {
            if (unit.present() >= 2) {
                double weight = (double) unit.weight() / (unit.present() - 1);
                for (int i = 0; i < unit.distinct(); i++) {
                    int c = unit.value(i);
                    // Pairs of different raters: n_c (n_c − 1) within c, n_c n_k across.
                    o[c][c] += unit.count(i) * (unit.count(i) - 1.0) * weight;
                    for (int j = i + 1; j < unit.distinct(); j++) {
                        int k = unit.value(j);
                        double across = (double) unit.count(i) * unit.count(j) * weight;
                        o[c][k] += across;
                        o[k][c] += across;
                    }
                }
            }
        }
        return new CoincidenceMatrix(ratings.categories(), ratings.categoryValuesView(), o);
    }

    /** Category labels, the order of rows and columns. */
    public List<String> categories() {
        return categories;
    }

    /** The numeric value of each category, {@code null} when the categories are not numbers. */
    double[] categoryValuesView() {
        return categoryValues;
    }

    /** Number of categories. */
    public int size() {
        return categories.size();
    }

    /** {@code o_ck}. */
    public double coincidences(int c, int k) {
        return coincidences[c][k];
    }

    /** {@code n_c}, the number of pairable values in category {@code c} (the row sum). */
    public double pairableValues(int c) {
        double sum = 0;
        for (double o : coincidences[c]) {
            sum += o;
        }
        return sum;
    }

    /** {@code n}, the number of pairable values. */
    public double pairableValues() {
        double sum = 0;
        for (int c = 0; c < coincidences.length; c++) {
            sum += pairableValues(c);
        }
        return sum;
    }
}
