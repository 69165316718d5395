package org.quorum.quality.agreement;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The ordered set of categories (distinct rating values) of a data set and the integer code of
 * each, so that statistics work on {@code int} codes instead of strings.
 *
 * <p><b>Order.</b> If every value is a decimal number ({@code -3}, {@code 2.5}, {@code 1e3}),
 * categories are ordered numerically and values that denote the same number ({@code 1} and {@code
 * 1.0}) are one category, labelled by the first spelling seen. Otherwise categories are the
 * distinct strings in lexicographic order ({@link String#compareTo}, i.e. UTF-16 code units: {@code
 * "No" < "Yes"}, {@code "10" < "9"} when mixed with text). The order matters for weighted kappa and
 * for Krippendorff's ordinal level; nominal statistics ignore it.
 *
 * <p>Numbers follow a strict decimal syntax: Java's {@code NaN}, {@code Infinity}, hexadecimal and
 * type suffixes ({@code 1d}) are not numbers here, so such a value makes the data non-numeric
 * rather than silently becoming a number.
 */
public final class CategoryCoding {

    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");

    private final List<String> labels;
    private final double[] values;
    private final Map<String, Integer> codes;

    private CategoryCoding(List<String> labels, double[] values, Map<String, Integer> codes) {
        this.labels = List.copyOf(labels);
        this.values = values;
        this.codes = codes;
    }

    /**
     * Orders the given distinct values and assigns codes {@code 0..k-1} in that order.
     *
     * @param distinctValues the distinct non-missing values, in the order first seen (the first
     *     spelling of a number becomes its label)
     */
    public static CategoryCoding of(Collection<String> distinctValues) {
        Map<String, Integer> codes = new HashMap<>();
        if (distinctValues.stream().allMatch(CategoryCoding::isNumber)) {
            // Group spellings by numeric value; BigDecimal keeps 0.1 and 0.10 equal without
            // the rounding surprises of comparing parsed doubles.
            TreeMap<BigDecimal, String> labelByNumber = new TreeMap<>();
            Map<String, BigDecimal> numberBySpelling = new LinkedHashMap<>();
            for (String value : distinctValues) {
                BigDecimal number =
                        new BigDecimal(value.startsWith("+") ? value.substring(1) : value)
                                .stripTrailingZeros();
                labelByNumber.putIfAbsent(number, value);
                numberBySpelling.put(value, number);
            }
            List<String> labels = new ArrayList<>(labelByNumber.values());
            double[] values = new double[labels.size()];
            Map<BigDecimal, Integer> codeByNumber = new HashMap<>();
            int code = 0;
            for (BigDecimal number : labelByNumber.keySet()) {
                values[code] = number.doubleValue();
                codeByNumber.put(number, code++);
            }
            numberBySpelling.forEach(
                    (spelling, number) -> codes.put(spelling, codeByNumber.get(number)));
            return new CategoryCoding(labels, values, codes);
        }
        List<String> labels =
                distinctValues.stream().distinct().sorted(Comparator.naturalOrder()).toList();
        for (int code = 0; code < labels.size(); code++) {
            codes.put(labels.get(code), code);
        }
        return new CategoryCoding(labels, null, codes);
    }

    /** Whether {@code value} is a decimal number in the strict syntax described above. */
    public static boolean isNumber(String value) {
        // Finite only: "1e999" matches the syntax but is no usable interval value.
        return DECIMAL.matcher(value).matches() && Double.isFinite(Double.parseDouble(value));
    }

    /** The category labels in category order; the index of a label is its code. */
    public List<String> labels() {
        return labels;
    }

    /** Number of categories. */
    public int size() {
        return labels.size();
    }

    /** Whether all categories are numbers (so {@link #numericValues()} is present). */
    public boolean isNumeric() {
        return values != null;
    }

    /** The numeric value of each category by code, when all categories are numbers. */
    public Optional<double[]> numericValues() {
        return Optional.ofNullable(values).map(double[]::clone);
    }

    /**
     * The code of a value.
     *
     * @throws IllegalArgumentException if the value was not among those coded
     */
    public int codeOf(String value) {
        Integer code = codes.get(value);
        if (code == null) {
            throw new IllegalArgumentException(
                    "'" + value + "' is not one of the coded categories");
        }
        return code;
    }
}
