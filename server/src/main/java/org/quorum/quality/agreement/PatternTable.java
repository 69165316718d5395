package org.quorum.quality.agreement;

import java.util.Arrays;

/**
 * Numbers the distinct rows of a units × raters code table in order of first occurrence: an
 * open-addressing hash table over the rows' codes, no boxing and no object per row. A few hundred
 * distinct patterns for a million units is the usual case (raters and categories are few).
 */
final class PatternTable {

    private final int raters;
    private int[] patternCodes;
    private int[] slots;
    private int size;

    PatternTable(int raters) {
        this.raters = raters;
        this.patternCodes = new int[raters * 16];
        this.slots = new int[64];
        Arrays.fill(slots, -1);
    }

    /** The number of the pattern {@code codes[from..from+raters)}, added if new. */
    int add(int[] codes, int from) {
        int mask = slots.length - 1;
        int slot = hash(codes, from) & mask;
        while (true) {
            int pattern = slots[slot];
            if (pattern < 0) {
                return insert(codes, from, slot);
            }
            if (Arrays.equals(
                    patternCodes,
                    pattern * raters,
                    pattern * raters + raters,
                    codes,
                    from,
                    from + raters)) {
                return pattern;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Number of distinct patterns. */
    int size() {
        return size;
    }

    /** The patterns' codes, pattern by pattern (a copy). */
    int[] codes() {
        return Arrays.copyOf(patternCodes, size * raters);
    }

    private int insert(int[] codes, int from, int slot) {
        if ((size + 1) * raters > patternCodes.length) {
            patternCodes = Arrays.copyOf(patternCodes, patternCodes.length * 2);
        }
        System.arraycopy(codes, from, patternCodes, size * raters, raters);
        int pattern = size++;
        slots[slot] = pattern;
        if (size * 2 > slots.length) {
            rehash();
        }
        return pattern;
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        Arrays.fill(slots, -1);
        int mask = slots.length - 1;
        for (int pattern = 0; pattern < size; pattern++) {
            int slot = hash(patternCodes, pattern * raters) & mask;
            while (slots[slot] >= 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = pattern;
        }
    }

    private int hash(int[] codes, int from) {
        int h = 1;
        for (int r = 0; r < raters; r++) {
            h = 31 * h + codes[from + r];
        }
        // Spread the low bits (the table is a power of two).
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
