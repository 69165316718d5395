package org.quorum.quality.agreement;

/**
 * Walks the units of a coded rating table one by one, counting how often each value occurs in the
 * unit, without allocating per unit: the shared first step of percent agreement, the coincidence
 * matrix and Krippendorff's observed disagreement (Krippendorff 2011, §A: the values pairable
 * within a unit). On weighted rows ({@link CodedRatings#weight(int)}) it walks the rows, skipping
 * those of weight 0, and {@link #weight()} says how many units the current row stands for.
 */
final class UnitTally {

    private final int[] codes;
    private final int[] weights;
    private final int raters;
    private final int[] counts;
    private final int[] values;
    private int base;
    private int present;
    private int distinct;

    UnitTally(CodedRatings ratings) {
        this(
                ratings.codesView(),
                ratings.weightsView(),
                ratings.raterCount(),
                ratings.categoryCount());
    }

    private UnitTally(int[] codes, int[] weights, int raters, int categoryCount) {
        this.codes = codes;
        this.weights = weights;
        this.raters = raters;
        this.counts = new int[categoryCount];
        this.values = new int[raters];
        this.base = -raters;
    }

    /** Moves to the next unit; false when there is none. */
    boolean next() {
        for (int i = 0; i < distinct; i++) {
            counts[values[i]] = 0;
        }
        present = 0;
        distinct = 0;
        do {
            base += raters;
            if (base >= codes.length) {
                return false;
            }
        } while (weights != null && weights[base / raters] == 0);
        for (int r = 0; r < raters; r++) {
            int code = codes[base + r];
            if (code != CodedRatings.MISSING) {
                present++;
                if (counts[code]++ == 0) {
                    values[distinct++] = code;
                }
            }
        }
        return true;
    }

    /** How many units this row stands for (1 unless rows are weighted). */
    int weight() {
        return weights == null ? 1 : weights[base / raters];
    }

    /** Ratings present in this unit (m_u). */
    int present() {
        return present;
    }

    /** Distinct values in this unit. */
    int distinct() {
        return distinct;
    }

    /** The i-th distinct value's code. */
    int value(int i) {
        return values[i];
    }

    /** How often the i-th distinct value occurs in this unit (n_uc). */
    int count(int i) {
        return counts[values[i]];
    }
}
