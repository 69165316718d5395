package org.quorum.quality.agreement;

import java.util.SplittableRandom;

/**
 * Exact multinomial and binomial draws, in time that does not grow with the number of trials: what
 * lets the {@link Bootstrap} resample a million units as counts over their few hundred distinct
 * rating patterns.
 *
 * <p><b>Multinomial</b> by conditional binomials: the count of category {@code i} is {@code
 * Binomial(n − Σ_{j<i} k_j, p_i / Σ_{j≥i} p_j)} (e.g. Devroye 1986, XI.1.4); with probabilities
 * given as integer counts the ratios are exact.
 *
 * <p><b>Binomial</b> by inversion (sequential search from 0) when {@code n·min(p, 1 − p) < 10},
 * expected O(np) steps, and otherwise by Hörmann's (1993) BTRS, transformed rejection with squeeze,
 * O(1) expected; the acceptance test uses log-factorials, exact below 256 and by Stirling's series
 * with three correction terms above (error below 1e-16 there).
 *
 * @see <a href="https://doi.org/10.1080/00949659308811496">Hörmann W. (1993) The generation of
 *     binomial random variates, J Stat Comput Simul 46:101-110</a>
 * @see <a href="http://luc.devroye.org/rnbookindex.html">Devroye L. (1986) Non-Uniform Random
 *     Variate Generation</a>
 */
final class Multinomial {

    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    private static final double[] LOG_FACTORIAL = new double[256];

    static {
        for (int k = 1; k < LOG_FACTORIAL.length; k++) {
            LOG_FACTORIAL[k] = LOG_FACTORIAL[k - 1] + Math.log(k);
        }
    }

    private Multinomial() {}

    /**
     * Draws {@code trials} items over categories with probabilities proportional to {@code
     * weights}, writing the count per category into {@code into}.
     *
     * @param weights non-negative, with a positive sum
     * @param total the sum of {@code weights}
     */
    static void draw(SplittableRandom random, int trials, int[] weights, long total, int[] into) {
        int remaining = trials;
        long remainingWeight = total;
        for (int i = 0; i < weights.length; i++) {
            if (remaining == 0 || weights[i] == 0) {
                into[i] = 0;
            } else if (weights[i] >= remainingWeight) {
                into[i] = remaining;
                remaining = 0;
            } else {
                int k = binomial(random, remaining, (double) weights[i] / remainingWeight);
                into[i] = k;
                remaining -= k;
            }
            remainingWeight -= weights[i];
        }
    }

    /** A Binomial(n, p) variate. */
    static int binomial(SplittableRandom random, int n, double p) {
        if (n == 0 || p <= 0) {
            return 0;
        }
        if (p >= 1) {
            return n;
        }
        if (p > 0.5) {
            return n - binomial(random, n, 1 - p);
        }
        return n * p < 10 ? inversion(random, n, p) : btrs(random, n, p);
    }

    /** Sequential search of the cumulative distribution from 0 (p ≤ 0.5, np < 10). */
    private static int inversion(SplittableRandom random, int n, double p) {
        double q = 1 - p;
        double s = p / q;
        double a = (n + 1) * s;
        double first = Math.pow(q, n);
        while (true) {
            double u = random.nextDouble();
            double r = first;
            int x = 0;
            while (u > r) {
                u -= r;
                x++;
                if (x > n) {
                    break;
                }
                r *= a / x - s;
            }
            if (x <= n) {
                return x;
            }
            // Rounding left u above the whole mass: draw again.
        }
    }

    /** Hörmann's BTRS (p ≤ 0.5, np ≥ 10). */
    private static int btrs(SplittableRandom random, int n, double p) {
        double q = 1 - p;
        double spq = Math.sqrt(n * p * q);
        double b = 1.15 + 2.53 * spq;
        double a = -0.0873 + 0.0248 * b + 0.01 * p;
        double c = n * p + 0.5;
        double vr = 0.92 - 4.2 / b;
        double alpha = (2.83 + 5.1 / b) * spq;
        double lpq = Math.log(p / q);
        int m = (int) Math.floor((n + 1) * p);
        double h = logFactorial(m) + logFactorial(n - m);
        while (true) {
            double u = random.nextDouble() - 0.5;
            double v = random.nextDouble();
            double us = 0.5 - Math.abs(u);
            double k = Math.floor((2 * a / us + b) * u + c);
            if (k < 0 || k > n) {
                continue;
            }
            if (us >= 0.07 && v <= vr) {
                return (int) k;
            }
            int x = (int) k;
            v = Math.log(v * alpha / (a / (us * us) + b));
            if (v <= h - logFactorial(x) - logFactorial(n - x) + (x - m) * lpq) {
                return x;
            }
        }
    }

    /** ln k!. */
    static double logFactorial(int k) {
        if (k < LOG_FACTORIAL.length) {
            return LOG_FACTORIAL[k];
        }
        double x = k + 1.0;
        double x2 = x * x;
        return (x - 0.5) * Math.log(x)
                - x
                + HALF_LOG_TWO_PI
                + (1.0 / 12 - (1.0 / 360 - 1.0 / (1260 * x2)) / x2) / x;
    }
}
