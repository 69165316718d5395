package org.quorum.quality.agreement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

/**
 * Ratings as read: units (cases) in rows, raters in columns, each value a string and {@code null}
 * for a missing rating. Immutable.
 *
 * <p>This is the form the CSV reader produces and error messages refer to (it remembers the CSV
 * line of each unit). Statistics run on {@link CodedRatings}, obtained with {@link
 * CodedRatings#encode(RatingTable)}.
 */
public final class RatingTable {

    private final List<String> raterNames;
    private final String[][] values;
    private final int[] sourceLines;

    private RatingTable(List<String> raterNames, String[][] values, int[] sourceLines) {
        this.raterNames = List.copyOf(raterNames);
        this.values = values;
        this.sourceLines = sourceLines;
    }

    /**
     * A table from rows of values, one row per unit and one value per rater. A {@code null} or
     * blank value is a missing rating.
     *
     * @throws InvalidRatingDataException if there are fewer than two raters, no units, a blank or
     *     repeated rater name, or a row whose length differs from the number of raters
     */
    public static RatingTable of(List<String> raterNames, List<? extends List<String>> units) {
        return of(raterNames, units, null);
    }

    /**
     * As {@link #of(List, List)}, remembering for each unit the line of the source file it came
     * from so that error messages can point at it.
     *
     * @param sourceLines 1-based line of each unit, or {@code null} when there is no file
     */
    static RatingTable of(
            List<String> raterNames, List<? extends List<String>> units, int[] sourceLines) {
        requireValidRaterNames(raterNames);
        if (units.isEmpty()) {
            throw new InvalidRatingDataException(
                    Problem.NO_UNITS, "the ratings have no units (rows): nothing to compare");
        }
        String[][] values = new String[units.size()][];
        for (int u = 0; u < units.size(); u++) {
            List<String> row = units.get(u);
            if (row.size() != raterNames.size()) {
                throw new InvalidRatingDataException(
                        Problem.RAGGED_ROW,
                        locate(sourceLines, u)
                                + " has "
                                + row.size()
                                + " values but there are "
                                + raterNames.size()
                                + " raters; give every unit one value per rater, empty for missing");
            }
            values[u] = new String[row.size()];
            for (int r = 0; r < row.size(); r++) {
                String value = row.get(r);
                values[u][r] = value == null || value.isBlank() ? null : value;
            }
        }
        return new RatingTable(
                raterNames, values, sourceLines == null ? null : sourceLines.clone());
    }

    private static void requireValidRaterNames(List<String> raterNames) {
        if (raterNames.size() < 2) {
            throw new InvalidRatingDataException(
                    Problem.TOO_FEW_RATERS,
                    "found "
                            + raterNames.size()
                            + " rater column(s) "
                            + raterNames
                            + "; agreement needs at least two raters");
        }
        Set<String> seen = new HashSet<>();
        for (int r = 0; r < raterNames.size(); r++) {
            String name = raterNames.get(r);
            if (name == null || name.isBlank()) {
                throw new InvalidRatingDataException(
                        Problem.BAD_HEADER,
                        "column "
                                + (r + 1)
                                + " has no rater name; name every rater in the header row");
            }
            if (!seen.add(name)) {
                throw new InvalidRatingDataException(
                        Problem.BAD_HEADER,
                        "rater name '"
                                + name
                                + "' appears twice in the header (again in column "
                                + (r + 1)
                                + "); rater names must be unique");
            }
        }
    }

    /** Number of units (rows). */
    public int unitCount() {
        return values.length;
    }

    /** Number of raters (columns). */
    public int raterCount() {
        return raterNames.size();
    }

    /** Rater names in column order. */
    public List<String> raterNames() {
        return raterNames;
    }

    /** The rating of {@code rater} for {@code unit} (both 0-based), {@code null} when missing. */
    public String value(int unit, int rater) {
        return values[unit][rater];
    }

    /**
     * "line 7" when the unit came from a file, otherwise "unit 6" (1-based): how error messages
     * name a unit.
     */
    public String describeUnit(int unit) {
        return locate(sourceLines, unit);
    }

    static String locate(int[] sourceLines, int unit) {
        return sourceLines == null ? "unit " + (unit + 1) : "line " + sourceLines[unit];
    }

    int[] sourceLines() {
        return sourceLines == null ? null : sourceLines.clone();
    }

    /**
     * The same units with only the named raters, in the order given.
     *
     * @throws InvalidRatingDataException if a name is unknown or fewer than two are given
     */
    public RatingTable selectRaters(List<String> names) {
        int[] columns = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
            columns[i] = raterNames.indexOf(names.get(i));
            if (columns[i] < 0) {
                throw new InvalidRatingDataException(
                        Problem.UNKNOWN_RATER,
                        "no rater named '" + names.get(i) + "'; the raters are " + raterNames);
            }
        }
        List<List<String>> rows = new ArrayList<>(values.length);
        for (String[] unit : values) {
            List<String> row = new ArrayList<>(columns.length);
            for (int column : columns) {
                row.add(unit[column]);
            }
            rows.add(row);
        }
        return of(names, rows, sourceLines);
    }

    /**
     * Checks that every rating is a decimal number (see {@link CategoryCoding#isNumber}).
     *
     * @param purpose why numbers are needed, e.g. "the interval level"; used in the message
     * @throws InvalidRatingDataException naming the first cell (line or unit, and rater) that is
     *     not a number
     */
    public void requireNumeric(String purpose) {
        for (int u = 0; u < values.length; u++) {
            for (int r = 0; r < values[u].length; r++) {
                String value = values[u][r];
                if (value != null && !CategoryCoding.isNumber(value)) {
                    throw new InvalidRatingDataException(
                            Problem.NOT_NUMERIC,
                            describeUnit(u)
                                    + ", column "
                                    + (r + 1)
                                    + " (rater '"
                                    + raterNames.get(r)
                                    + "'): '"
                                    + value
                                    + "' is not a number, and "
                                    + purpose
                                    + " needs numeric ratings");
                }
            }
        }
    }
}
