package org.quorum.quality.agreement;

/**
 * Agreement weights for Cohen's kappa over {@code k} ordered categories, indexed by category
 * position {@code i, j = 0..k-1} (positions, not the categories' numeric values).
 *
 * @see <a href="https://doi.org/10.1037/h0026256">Cohen J. (1968) Weighted kappa, Psychol Bull
 *     70:213-220</a>
 */
public enum KappaWeights {
    /** Only exact agreement counts: {@code w = 1} on the diagonal, 0 elsewhere (Cohen 1960). */
    NONE,
    /**
     * Linear ("equal-spacing") weights {@code w = 1 - |i-j| / (k-1)}, Cicchetti and Allison (1971);
     * irr's {@code kappa2(weight = "equal")}.
     */
    LINEAR,
    /**
     * Quadratic weights {@code w = 1 - (i-j)² / (k-1)²}, Fleiss and Cohen (1973); irr's {@code
     * kappa2(weight = "squared")}.
     */
    QUADRATIC;

    /**
     * The {@code k × k} agreement-weight matrix. With a single category the only cell is the
     * diagonal, weight 1.
     */
    public double[][] matrix(int k) {
        double[][] weights = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                weights[i][j] = weight(i, j, k);
            }
        }
        return weights;
    }

    private double weight(int i, int j, int k) {
        if (i == j) {
            return 1;
        }
        double distance = Math.abs(i - j) / (double) (k - 1);
        return switch (this) {
            case NONE -> 0;
            case LINEAR -> 1 - distance;
            case QUADRATIC -> 1 - distance * distance;
        };
    }
}
