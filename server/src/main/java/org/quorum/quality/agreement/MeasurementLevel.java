package org.quorum.quality.agreement;

/**
 * Levels of measurement of Krippendorff's alpha, each with its squared difference function {@code
 * δ²(c, k)} between values {@code c} and {@code k} (Krippendorff 2011, section E).
 *
 * @see <a href="https://repository.upenn.edu/asc_papers/43/">Krippendorff K. (2011) Computing
 *     Krippendorff's Alpha-Reliability</a>
 */
public enum MeasurementLevel {
    /** {@code δ² = 0} if {@code c = k}, else 1. Categories need no order. */
    NOMINAL,
    /**
     * {@code δ² = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²}, where {@code n_g} counts the pairable values
     * in category {@code g}: differences of ranks. Categories are ordered as {@link CategoryCoding}
     * describes (numeric, else lexicographic).
     */
    ORDINAL,
    /** {@code δ² = (c − k)²}. Needs numeric values. */
    INTERVAL,
    /** {@code δ² = ((c − k) / (c + k))²}. Needs numeric values of zero or more. */
    RATIO
}
