package org.quorum.deid.text;

/**
 * A stretch of text found to be PHI: {@code [start, end)} character offsets, the PHI type and the
 * rule that found it (for diagnostics; it never holds the text itself).
 */
public record PhiSpan(int start, int end, PhiType type, String rule)
        implements Comparable<PhiSpan> {

    public PhiSpan {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("Bad span [" + start + ", " + end + ")");
        }
    }

    public int length() {
        return end - start;
    }

    public boolean overlaps(PhiSpan other) {
        return start < other.end && other.start < end;
    }

    public boolean covers(int from, int to) {
        return start <= from && to <= end;
    }

    @Override
    public int compareTo(PhiSpan o) {
        int byStart = Integer.compare(start, o.start);
        return byStart != 0 ? byStart : Integer.compare(o.end, end);
    }
}
