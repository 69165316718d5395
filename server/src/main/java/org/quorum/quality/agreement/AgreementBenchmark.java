package org.quorum.quality.agreement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Times the agreement statistics on 10 million generated labels: 2,000,000 units × 5 raters, 5
 * ordered categories, every rater agreeing with a unit's true category 70% of the time. Fleiss'
 * kappa and Cohen's kappa run on the complete data; Krippendorff's alpha on a copy where 5% of the
 * ratings are missing. Each statistic runs once to warm up the JIT, then three times; the best of
 * the three is reported. Not a test: run it by hand.
 *
 * <pre>
 * mvn -B -q compile
 * java -Xmx4g -cp target/classes org.quorum.quality.agreement.AgreementBenchmark
 * </pre>
 */
public final class AgreementBenchmark {

    private static final int UNITS = 2_000_000;
    private static final int RATERS = 5;
    private static final int CATEGORIES = 5;
    private static final double MISSING_SHARE = 0.05;
    private static final long SEED = 20_251_127L;
    private static final int TIMED_RUNS = 3;

    private AgreementBenchmark() {}

    /** Runs the benchmark and prints one line per statistic. */
    public static void main(String[] args) {
        long start = System.nanoTime();
        SplittableRandom random = new SplittableRandom(SEED);
        int[] complete = new int[UNITS * RATERS];
        for (int u = 0; u < UNITS; u++) {
            int truth = random.nextInt(CATEGORIES);
            for (int r = 0; r < RATERS; r++) {
                complete[u * RATERS + r] =
                        random.nextDouble() < 0.7 ? truth : random.nextInt(CATEGORIES);
            }
        }
        int[] withMissing = complete.clone();
        for (int i = 0; i < withMissing.length; i++) {
            if (random.nextDouble() < MISSING_SHARE) {
                withMissing[i] = CodedRatings.MISSING;
            }
        }
        List<String> raters = new ArrayList<>();
        for (int r = 0; r < RATERS; r++) {
            raters.add("rater" + (r + 1));
        }
        List<String> categories = List.of("1", "2", "3", "4", "5");
        double[] values = {1, 2, 3, 4, 5};
        CodedRatings full = CodedRatings.fromCodes(raters, categories, values, UNITS, complete);
        CodedRatings sparse =
                CodedRatings.fromCodes(raters, categories, values, UNITS, withMissing);
        System.out.printf(
                Locale.ROOT,
                "generated %,d units x %d raters (%,d labels; %,d with 5%% missing)"
                        + " in %.2f s%n",
                UNITS,
                RATERS,
                full.ratingCount(),
                sparse.ratingCount(),
                seconds(start));
        System.out.printf(
                Locale.ROOT,
                "%-34s %12s %9s %14s %10s%n",
                "statistic",
                "labels",
                "seconds",
                "labels/s",
                "value");
        time(
                "Krippendorff alpha, nominal",
                sparse.ratingCount(),
                sparse,
                r -> KrippendorffAlpha.compute(r, MeasurementLevel.NOMINAL).alpha());
        time(
                "Krippendorff alpha, interval",
                sparse.ratingCount(),
                sparse,
                r -> KrippendorffAlpha.compute(r, MeasurementLevel.INTERVAL).alpha());
        time(
                "Krippendorff alpha, ordinal",
                sparse.ratingCount(),
                sparse,
                r -> KrippendorffAlpha.compute(r, MeasurementLevel.ORDINAL).alpha());
        time(
                "Krippendorff alpha, ratio",
                sparse.ratingCount(),
                sparse,
                r -> KrippendorffAlpha.compute(r, MeasurementLevel.RATIO).alpha());
        time("Fleiss kappa", full.ratingCount(), full, r -> FleissKappa.compute(r).kappa());
        time(
                "Cohen kappa (raters 1-2), unweighted",
                2L * UNITS,
                full,
                r -> CohenKappa.compute(r, 0, 1, KappaWeights.NONE).kappa());
        time(
                "Cohen kappa (raters 1-2), quadratic",
                2L * UNITS,
                full,
                r -> CohenKappa.compute(r, 0, 1, KappaWeights.QUADRATIC).kappa());
        time(
                "percent agreement",
                full.ratingCount(),
                full,
                r -> PercentAgreement.compute(r).agreement());
    }

    private static void time(
            String name,
            long labels,
            CodedRatings ratings,
            ToDoubleFunction<CodedRatings> statistic) {
        double value = statistic.applyAsDouble(ratings); // JIT warm-up
        double[] runs = new double[TIMED_RUNS];
        for (int i = 0; i < TIMED_RUNS; i++) {
            long start = System.nanoTime();
            value = statistic.applyAsDouble(ratings);
            runs[i] = seconds(start);
        }
        double best = Arrays.stream(runs).min().orElseThrow();
        System.out.printf(
                Locale.ROOT,
                "%-34s %,12d %9.3f %,14.0f %10.6f%n",
                name,
                labels,
                best,
                labels / best,
                value);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
