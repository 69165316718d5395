package org.quorum.quality.agreement;

import java.util.Arrays;
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
 *
 * <p><b>Weighted rows.</b> Each row may stand for several identical units ({@link #weight(int)}):
 * the {@link Bootstrap} evaluates a replicate as counts of the distinct rating patterns instead of
 * copying the resampled units. Every statistic of this package weighs each row by its weight, so
 * its value on weighted patterns is its value on the units they stand for; {@link #unitCount()} is
 * the number of units (the sum of the weights), {@link #rowCount()} the number of rows. Ratings
 * built by {@link #encode} or {@link #fromCodes} have one row per unit, each of weight 1.
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
    private final int[] weights;

    private CodedRatings(
            List<String> raterNames,
            List<String> categories,
            double[] categoryValues,
            int unitCount,
            int[] codes,
            int[] sourceLines) {
        this(raterNames, categories, categoryValues, unitCount, codes, sourceLines, null);
    }

    private CodedRatings(
            List<String> raterNames,
            List<String> categories,
            double[] categoryValues,
            int unitCount,
            int[] codes,
            int[] sourceLines,
            int[] weights) {
        this.raterNames = List.copyOf(raterNames);
        this.categories = List.copyOf(categories);
        this.categoryValues = categoryValues;
        this.unitCount = unitCount;
        this.codes = codes;
        this.sourceLines = sourceLines;
        this.weights = weights;
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

    /** Number of units (the sum of the rows' weights). */
    public int unitCount() {
        return unitCount;
    }

    /** Number of rows: the number of units, or of distinct patterns when rows are weighted. */
    public int rowCount() {
        return codes.length / raterNames.size();
    }

    /** How many units row {@code row} stands for (1 unless rows are weighted; may be 0). */
    public int weight(int row) {
        return weights == null ? 1 : weights[row];
    }

    /** Whether rows carry weights other than 1 (see the class comment). */
    public boolean isWeighted() {
        return weights != null;
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

    /**
     * The code given by {@code rater} to the unit(s) of row {@code row}, or {@link #MISSING}; the
     * row is the unit unless rows are weighted.
     */
    public int code(int row, int rater) {
        return codes[row * raterNames.size() + rater];
    }

    /** Number of non-missing ratings (weighted rows counted as often as their weight). */
    public long ratingCount() {
        int raters = raterNames.size();
        long count = 0;
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] != MISSING) {
                count += weight(i / raters);
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

    /** The row weights without a copy, {@code null} when every row weighs 1. */
    int[] weightsView() {
        return weights;
    }

    /** The category values without a copy, {@code null} when not numeric. */
    double[] categoryValuesView() {
        return categoryValues;
    }

    /**
     * The distinct rating patterns (rows) of these unweighted ratings and how many units have each,
     * patterns in lexicographic order of their codes: so the bootstrap, which draws over them, does
     * not depend on the order of the units.
     *
     * @throws IllegalStateException if the rows are already weighted
     */
    Patterns patterns() {
        if (weights != null) {
            throw new IllegalStateException("the ratings are already patterns");
        }
        int raters = raterNames.size();
        PatternTable table = new PatternTable(raters);
        int[] countByFirstSeen = new int[16];
        for (int u = 0; u < unitCount; u++) {
            int pattern = table.add(codes, u * raters);
            if (pattern == countByFirstSeen.length) {
                countByFirstSeen = Arrays.copyOf(countByFirstSeen, pattern * 2);
            }
            countByFirstSeen[pattern]++;
        }
        int[] seenCodes = table.codes();
        Integer[] order = new Integer[table.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                (x, y) ->
                        Arrays.compare(
                                seenCodes,
                                x * raters,
                                x * raters + raters,
                                seenCodes,
                                y * raters,
                                y * raters + raters));
        int[] patternCodes = new int[seenCodes.length];
        int[] counts = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            System.arraycopy(seenCodes, order[i] * raters, patternCodes, i * raters, raters);
            counts[i] = countByFirstSeen[order[i]];
        }
        return new Patterns(
                new CodedRatings(
                        raterNames,
                        categories,
                        categoryValues,
                        unitCount,
                        patternCodes,
                        null,
                        counts),
                counts);
    }

    /**
     * These rows with the given weights (one per row, non-negative), standing for {@code Σ weights}
     * units; the codes are shared, not copied.
     */
    CodedRatings withWeights(int[] rowWeights) {
        if (rowWeights.length != rowCount()) {
            throw new IllegalArgumentException(
                    "expected " + rowCount() + " weights, got " + rowWeights.length);
        }
        long total = 0;
        for (int w : rowWeights) {
            if (w < 0) {
                throw new IllegalArgumentException("weights must not be negative, got " + w);
            }
            total += w;
        }
        return new CodedRatings(
                raterNames,
                categories,
                categoryValues,
                Math.toIntExact(total),
                codes,
                null,
                rowWeights);
    }

    /**
     * Distinct rating patterns and their counts.
     *
     * @param ratings one row per pattern, weighted by its count
     * @param counts units per pattern (the weights of {@code ratings}; not to be modified)
     */
    record Patterns(CodedRatings ratings, int[] counts) {}
}
