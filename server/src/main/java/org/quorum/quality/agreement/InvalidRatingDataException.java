package org.quorum.quality.agreement;

/**
 * Rating data that an agreement statistic cannot use: a malformed CSV file, a table with too few
 * raters or units, a text value where numbers are needed, or a shape that a statistic does not
 * accept (for example unequal numbers of ratings per unit for Fleiss' kappa).
 *
 * <p>The message names the row (CSV line or unit) and the column (rater) when there is one, and
 * says what to change. {@link #problem()} gives a stable code for callers that map errors to exit
 * codes or HTTP statuses.
 */
public class InvalidRatingDataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Stable codes for the kinds of bad rating data; the message carries the details. */
    public enum Problem {
        /** The CSV text itself is broken: an unclosed quote, text after a closing quote. */
        MALFORMED_CSV,
        /** The CSV has no header row of rater names, or a header cell is blank or repeated. */
        BAD_HEADER,
        /** A row has a different number of cells than the header has rater names. */
        RAGGED_ROW,
        /** Fewer than two raters: agreement needs at least two. */
        TOO_FEW_RATERS,
        /** A rater name asked for is not in the data. */
        UNKNOWN_RATER,
        /** No units (data rows). */
        NO_UNITS,
        /** A value is not a number where the statistic needs numbers (interval, ratio, counts). */
        NOT_NUMERIC,
        /** A negative value where the ratio level needs values of zero or more. */
        NEGATIVE_RATIO_VALUE,
        /** Units carry different numbers of ratings where the statistic needs them equal. */
        UNEQUAL_RATINGS_PER_UNIT,
        /** The statistic needs exactly two raters and the data have a different number. */
        NOT_TWO_RATERS
    }

    private final Problem problem;

    /**
     * @param problem the stable code of the problem
     * @param message what is wrong, where, and what to do about it
     */
    public InvalidRatingDataException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    /** The stable code of the problem. */
    public Problem problem() {
        return problem;
    }
}
