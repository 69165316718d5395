package org.quorum.quality.agreement;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Ratings encoded once as {@code int} category codes, the form every statistic here runs on: units
 * × raters stored row by row in one {@code int[]}, {@link #MISSING} for a missing rating. Codes
 * follow the category order of {@link CategoryCoding}. Immutable.
 *
 * <p>Encoding once keeps boxing and string hashing out of the statistics' loops, which matters for
 * tens of millions of labels.
 */
public final class CodedRatings {

    /** The code of a missing rating. */
    public static final int MISSING = -1;

    private final List<String> raterNames;
    private final List<String> categories;
    private final double[] categoryValues;
    private final int unitCount;
    private final int[] codes;
    private final int[] sourceLines;

    private CodedRatings(
            List<String> raterNames,
            List<String> categories,
            double[] categoryValues,
            int unitCount,
            int[] codes,
            int[] sourceLines) {
        this.raterNames = List.copyOf(raterNames);
        this.categories = List.copyOf(categories);
        this.categoryValues = categoryValues;
        this.unitCount = unitCount;
        this.codes = codes;
        this.sourceLines = sourceLines;
    }

    /** Encodes a table, ordering its categories as {@link CategoryCoding} describes. */
    public static CodedRatings encode(RatingTable table) {
        int units = table.unitCount();
        int raters = table.raterCount();
        Set<String> distinct = new LinkedHashSet<>();
        for (int u = 0; u < units; u++) {
            for (int r = 0; r < raters; r++) {
                String value = table.value(u, r);
                if (value != null) {
                    distinct.add(value);
                }
            }
        }
        CategoryCoding coding = CategoryCoding.of(distinct);
        int[] codes = new int[Math.multiplyExact(units, raters)];
        for (int u = 0; u < units; u++) {
            for (int r = 0; r < raters; r++) {
                String value = table.value(u, r);
                codes[u * raters + r] = value == null ? MISSING : coding.codeOf(value);
            }
        }
        return new CodedRatings(
                table.raterNames(),
                coding.labels(),
                coding.numericValues().orElse(null),
                units,
                codes,
                table.sourceLines());
    }

    /**
     * Ratings from codes that are already computed (generated data, data from a database).
     *
     * @param raterNames one name per rater, at least two
     * @param categories category labels in order; code {@code c} means {@code categories[c]}
     * @param categoryValues the numeric value of each category, or {@code null} when the categories
     *     are not numbers (interval and ratio statistics then refuse the data)
     * @param unitCount number of units, at least one
     * @param codes {@code unitCount × raterNames.size()} codes, unit by unit; copied
     * @throws IllegalArgumentException if sizes disagree or a code is out of range
     */
    public static CodedRatings fromCodes(
            List<String> raterNames,
            List<String> categories,
            double[] categoryValues,
            int unitCount,
            int[] codes) {
        if (raterNames.size() < 2 || unitCount < 1) {
            throw new IllegalArgumentException(
                    "need at least two raters and one unit, got "
                            + raterNames.size()
                            + " raters and "
                            + unitCount
                            + " units");
        }
        if (codes.length != (long) unitCount * raterNames.size()) {
            throw new IllegalArgumentException(
                    "expected "
                            + (long) unitCount * raterNames.size()
                            + " codes, got "
                            + codes.length);
        }
        if (categoryValues != null && categoryValues.length != categories.size()) {
            throw new IllegalArgumentException("one numeric value per category is needed");
        }
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] < MISSING || codes[i] >= categories.size()) {
                throw new IllegalArgumentException(
                        "code " + codes[i] + " at index " + i + " is out of range");
            }
        }
        return new CodedRatings(
                raterNames,
                categories,
                categoryValues == null ? null : categoryValues.clone(),
                unitCount,
                codes.clone(),
                null);
    }

    /** Number of units. */
    public int unitCount() {
        return unitCount;
    }

    /** Number of raters. */
    public int raterCount() {
        return raterNames.size();
    }

    /** Rater names in column order. */
    public List<String> raterNames() {
        return raterNames;
    }

    /** Category labels in category order (index = code). */
    public List<String> categories() {
        return categories;
    }

    /** Number of categories. */
    public int categoryCount() {
        return categories.size();
    }

    /** Whether every category is a number. */
    public boolean isNumeric() {
        return categoryValues != null;
    }

    /** The numeric value of each category (index = code), when every category is a number. */
    public Optional<double[]> categoryValues() {
        return Optional.ofNullable(categoryValues).map(double[]::clone);
    }

    /** The code given by {@code rater} to {@code unit}, or {@link #MISSING}. */
    public int code(int unit, int rater) {
        return codes[unit * raterNames.size() + rater];
    }

    /** Number of non-missing ratings. */
    public long ratingCount() {
        long count = 0;
        for (int code : codes) {
            if (code != MISSING) {
                count++;
            }
        }
        return count;
    }

    /** "line 7" when the unit came from a CSV file, otherwise "unit 6" (1-based). */
    public String describeUnit(int unit) {
        return RatingTable.locate(sourceLines, unit);
    }

    /** The codes without a copy, for the statistics' loops; callers must not modify them. */
    int[] codesView() {
        return codes;
    }

    /** The category values without a copy, {@code null} when not numeric. */
    double[] categoryValuesView() {
        return categoryValues;
    }

    /**
     * A bootstrap sample: the units at the given indices, repeats allowed, same raters and
     * categories.
     */
    CodedRatings withUnits(int[] unitIndices) {
        int raters = raterNames.size();
        int[] sample = new int[unitIndices.length * raters];
        for (int i = 0; i < unitIndices.length; i++) {
            System.arraycopy(codes, unitIndices[i] * raters, sample, i * raters, raters);
        }
        return new CodedRatings(
                raterNames, categories, categoryValues, unitIndices.length, sample, null);
    }
}
