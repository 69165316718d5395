package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The bootstrap draws each replicate as counts over the distinct rating patterns and evaluates the
 * statistics on weighted patterns. These tests pin that (1) a statistic on weighted patterns is its
 * value on the units they stand for, and (2) the resulting intervals are those of the textbook
 * per-unit resampling, within Monte-Carlo error.
 */
class PatternBootstrapTest {

    private static final List<String> CATEGORIES = List.of("1", "2", "3", "4", "5");

    /**
     * 1,500 units, 3 raters, 5 ordered categories, raters near each other, some ratings missing.
     */
    private static final CodedRatings THREE_RATERS = generated(1500, 3, 0.1, 11);

    /** The same kind of data for Cohen's kappa: 2 raters, nothing missing. */
    private static final CodedRatings TWO_RATERS = generated(1500, 2, 0, 12);

    /** Complete units for Fleiss' kappa. */
    private static final CodedRatings COMPLETE = generated(1500, 3, 0, 13);

    private static Map<String, Map.Entry<CodedRatings, AgreementStatistic>> statistics() {
        Map<String, Map.Entry<CodedRatings, AgreementStatistic>> statistics = new LinkedHashMap<>();
        statistics.put(
                "percent", Map.entry(THREE_RATERS, r -> PercentAgreement.compute(r).agreement()));
        statistics.put("fleiss", Map.entry(COMPLETE, r -> FleissKappa.compute(r).kappa()));
        statistics.put(
                "cohen",
                Map.entry(TWO_RATERS, r -> CohenKappa.compute(r, KappaWeights.NONE).kappa()));
        statistics.put(
                "cohen linear",
                Map.entry(TWO_RATERS, r -> CohenKappa.compute(r, KappaWeights.LINEAR).kappa()));
        for (MeasurementLevel level : MeasurementLevel.values()) {
            statistics.put(
                    "alpha " + level,
                    Map.entry(THREE_RATERS, r -> KrippendorffAlpha.compute(r, level).alpha()));
        }
        return statistics;
    }

    /** Statistics whose sums are integers: the weighted value is bit for bit the repeated one. */
    private static boolean exact(String name) {
        return !name.startsWith("alpha") || name.equals("alpha NOMINAL");
    }

    @Test
    void the_patterns_of_the_units_give_every_statistic_exactly() {
        statistics()
                .forEach(
                        (name, entry) -> {
                            CodedRatings units = entry.getKey();
                            CodedRatings.Patterns patterns = units.patterns();

                            assertThat(patterns.ratings().rowCount())
                                    .as(name)
                                    .isLessThan(units.unitCount() / 10);
                            assertThat(patterns.ratings().unitCount()).isEqualTo(units.unitCount());
                            assertValueOfUnits(
                                    name,
                                    entry.getValue().estimate(patterns.ratings()),
                                    entry.getValue().estimate(units));
                        });
    }

    @Test
    void weighted_patterns_give_the_value_of_the_units_they_stand_for() {
        SplittableRandom random = new SplittableRandom(5);
        statistics()
                .forEach(
                        (name, entry) -> {
                            CodedRatings patterns = entry.getKey().patterns().ratings();
                            for (int trial = 0; trial < 20; trial++) {
                                int[] weights = new int[patterns.rowCount()];
                                for (int i = 0; i < weights.length; i++) {
                                    // Zeros included: patterns left out of a replicate.
                                    weights[i] = random.nextInt(4);
                                }
                                weights[0] = Math.max(weights[0], 1);
                                CodedRatings expanded = expand(patterns, weights, random);

                                assertValueOfUnits(
                                        name,
                                        entry.getValue().estimate(patterns.withWeights(weights)),
                                        entry.getValue().estimate(expanded));
                            }
                        });
    }

    @Test
    void weighted_rows_count_units_and_ratings() {
        CodedRatings patterns =
                ReferenceData.ratings("a,b", "a,a", "a,b", ",b").patterns().ratings();

        assertThat(patterns.rowCount()).isEqualTo(3);
        assertThat(patterns.unitCount()).isEqualTo(4);
        assertThat(patterns.ratingCount()).isEqualTo(7);
        assertThat(List.of(patterns.weight(0), patterns.weight(1), patterns.weight(2)))
                .containsExactly(1, 1, 2);
        // Patterns in code order: (missing, b), (a, a), (a, b).
        CodedRatings weighted = patterns.withWeights(new int[] {0, 3, 1});
        assertThat(weighted.unitCount()).isEqualTo(4);
        assertThat(weighted.ratingCount()).isEqualTo(8);
    }

    /**
     * The intervals of the pattern bootstrap against a per-unit bootstrap (units drawn one by one
     * with replacement and copied), 2,000 replicates each, independent random streams.
     *
     * <p>Tolerance: a percentile bound from B replicates has a Monte-Carlo standard error of about
     * {@code sqrt(q(1−q)/B) / φ(z_q) · σ} for a near-normal replicate distribution with standard
     * deviation σ: {@code 2.67 σ / sqrt(B)} at q = 0.025, 0.060 σ at B = 2,000. The difference of
     * two independent runs has √2 times that, 0.085 σ; the test allows 4 of those, 0.34 σ. The
     * replicates' mean (standard error of the difference 0.032 σ) is allowed 0.13 σ and their
     * standard deviation (relative standard error of the ratio about 2.2 %) 10 %. A sampler that
     * drew patterns with the wrong probabilities or the wrong number of units moves the mean or the
     * spread by far more (a replicate of n/2 units has √2 times the spread).
     */
    @Test
    void pattern_intervals_agree_with_per_unit_resampling() {
        int replicates = 2000;
        statistics()
                .forEach(
                        (name, entry) -> {
                            CodedRatings units = entry.getKey();
                            AgreementStatistic statistic = entry.getValue();
                            double[] perUnit = perUnitReplicates(units, statistic, replicates, 99);
                            double[] byPattern = patternReplicates(units, statistic, replicates, 7);
                            double sd = standardDeviation(perUnit);
                            BootstrapInterval reference = interval(perUnit, 0.95);
                            BootstrapInterval interval =
                                    Bootstrap.percentileInterval(
                                            units, statistic, 0.95, replicates, 7);

                            assertThat(sd).as(name).isPositive();
                            assertThat(interval.lower())
                                    .as("%s lower, sd %s", name, sd)
                                    .isCloseTo(reference.lower(), within(0.34 * sd));
                            assertThat(interval.upper())
                                    .as("%s upper, sd %s", name, sd)
                                    .isCloseTo(reference.upper(), within(0.34 * sd));
                            assertThat(mean(byPattern))
                                    .as("%s mean", name)
                                    .isCloseTo(mean(perUnit), within(0.13 * sd));
                            assertThat(standardDeviation(byPattern) / sd)
                                    .as("%s spread", name)
                                    .isCloseTo(1.0, within(0.10));
                            assertThat(interval(byPattern, 0.95).lower())
                                    .as(
                                            "%s: the interval is the percentiles of those replicates",
                                            name)
                                    .isEqualTo(interval.lower());
                        });
    }

    @Test
    void the_interval_does_not_depend_on_the_order_of_the_units() {
        CodedRatings units = THREE_RATERS;
        int[] weights = new int[units.unitCount()];
        Arrays.fill(weights, 1);
        CodedRatings shuffled = expand(units, weights, new SplittableRandom(8));
        AgreementStatistic alpha =
                r -> KrippendorffAlpha.compute(r, MeasurementLevel.NOMINAL).alpha();

        assertThat(Bootstrap.percentileInterval(shuffled, alpha, 0.95, 300, 4))
                .isEqualTo(Bootstrap.percentileInterval(units, alpha, 0.95, 300, 4));
    }

    @Test
    void a_replicate_resamples_as_many_units_as_there_are() {
        CodedRatings.Patterns patterns = THREE_RATERS.patterns();
        SplittableRandom random = new SplittableRandom(3);
        int[] counts = new int[patterns.counts().length];
        for (int b = 0; b < 50; b++) {
            Multinomial.draw(random, THREE_RATERS.unitCount(), patterns.counts(), 1500, counts);

            assertThat(Arrays.stream(counts).sum()).isEqualTo(THREE_RATERS.unitCount());
            assertThat(Arrays.stream(counts).allMatch(c -> c >= 0)).isTrue();
        }
    }

    private static void assertValueOfUnits(String name, double weighted, double units) {
        if (exact(name)) {
            assertThat(weighted).as(name).isEqualTo(units);
        } else {
            // Sums of doubles in another order: equal up to rounding.
            assertThat(weighted).as(name).isCloseTo(units, within(1e-12 * Math.abs(units)));
        }
    }

    /** Each row repeated as often as its weight, in shuffled order. */
    private static CodedRatings expand(CodedRatings rows, int[] weights, SplittableRandom random) {
        List<Integer> order = new ArrayList<>();
        for (int row = 0; row < weights.length; row++) {
            for (int w = 0; w < weights[row]; w++) {
                order.add(row);
            }
        }
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer swap = order.get(i);
            order.set(i, order.get(j));
            order.set(j, swap);
        }
        return copyRows(rows, order::get, order.size());
    }

    private static CodedRatings copyRows(
            CodedRatings rows, Function<Integer, Integer> rowOf, int units) {
        int raters = rows.raterCount();
        int[] codes = new int[units * raters];
        for (int u = 0; u < units; u++) {
            for (int r = 0; r < raters; r++) {
                codes[u * raters + r] = rows.code(rowOf.apply(u), r);
            }
        }
        return CodedRatings.fromCodes(
                rows.raterNames(),
                rows.categories(),
                rows.categoryValues().orElse(null),
                units,
                codes);
    }

    /** The textbook bootstrap: n units drawn one by one with replacement, copied. */
    private static double[] perUnitReplicates(
            CodedRatings units, AgreementStatistic statistic, int replicates, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = units.unitCount();
        double[] estimates = new double[replicates];
        for (int b = 0; b < replicates; b++) {
            int[] sample = random.ints(n, 0, n).toArray();
            estimates[b] = statistic.estimate(copyRows(units, u -> sample[u], n));
        }
        return estimates;
    }

    /** The replicates {@link Bootstrap} draws for the same seed. */
    private static double[] patternReplicates(
            CodedRatings units, AgreementStatistic statistic, int replicates, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        CodedRatings.Patterns patterns = units.patterns();
        double[] estimates = new double[replicates];
        for (int b = 0; b < replicates; b++) {
            int[] counts = new int[patterns.counts().length];
            Multinomial.draw(
                    random, units.unitCount(), patterns.counts(), units.unitCount(), counts);
            estimates[b] = statistic.estimate(patterns.ratings().withWeights(counts));
        }
        return estimates;
    }

    private static BootstrapInterval interval(double[] estimates, double level) {
        double[] sorted = estimates.clone();
        Arrays.sort(sorted);
        double tail = (1 - level) / 2;
        return new BootstrapInterval(
                Bootstrap.quantile(sorted, tail),
                Bootstrap.quantile(sorted, 1 - tail),
                level,
                estimates.length,
                0,
                0);
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }

    private static double standardDeviation(double[] values) {
        double mean = mean(values);
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }

    /**
     * Units with a true class 0..4; each rater gives it, or a neighbour with probability 0.3, and
     * leaves it out with probability {@code missing} (at most one rater per unit, so every unit
     * stays pairable).
     */
    private static CodedRatings generated(int units, int raters, double missing, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] codes = new int[units * raters];
        for (int u = 0; u < units; u++) {
            int truth = random.nextInt(CATEGORIES.size());
            int left = random.nextDouble() < missing ? random.nextInt(raters) : -1;
            for (int r = 0; r < raters; r++) {
                int code = truth;
                if (random.nextDouble() < 0.3) {
                    code =
                            Math.max(
                                    0,
                                    Math.min(
                                            CATEGORIES.size() - 1,
                                            truth + (random.nextBoolean() ? 1 : -1)));
                }
                codes[u * raters + r] = r == left ? CodedRatings.MISSING : code;
            }
        }
        List<String> names = new ArrayList<>();
        for (int r = 0; r < raters; r++) {
            names.add("rater " + (r + 1));
        }
        return CodedRatings.fromCodes(
                names, CATEGORIES, new double[] {1, 2, 3, 4, 5}, units, codes);
    }
}
