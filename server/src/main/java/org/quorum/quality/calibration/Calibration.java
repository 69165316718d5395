package org.quorum.quality.calibration;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.quorum.quality.agreement.AgreementStatistic;
import org.quorum.quality.agreement.Bootstrap;
import org.quorum.quality.agreement.BootstrapInterval;
import org.quorum.quality.agreement.CodedRatings;
import org.quorum.quality.agreement.CohenKappa;
import org.quorum.quality.agreement.Estimate;
import org.quorum.quality.agreement.KappaWeights;
import org.quorum.quality.agreement.PercentAgreement;

/**
 * An annotator measured against reference labels: before the first production case (the calibration
 * set) and over the last hidden gold items (re-calibration). Each item is one case with the
 * reference code and the annotator's code; the statistics are those of the agreement library for
 * two raters, reference and annotator: percent agreement and Cohen's (1960) kappa, each with a
 * seeded bootstrap percentile interval.
 *
 * <p>The annotator passes when percent agreement reaches the threshold: by default 0.85 for a
 * binary schema and 0.75 for more classes (the quality framework's calibration rule), configurable
 * per project. Kappa is reported, not gated: on a small calibration set with one dominant class,
 * kappa can be low or undefined for an annotator who agrees on every case.
 */
public final class Calibration {

    /** Default threshold for schemas of two classes. */
    public static final double BINARY_THRESHOLD = 0.85;

    /** Default threshold for schemas of three or more classes. */
    public static final double MULTICLASS_THRESHOLD = 0.75;

    /** Confidence level of the intervals. */
    public static final double LEVEL = 0.95;

    private Calibration() {}

    /**
     * One calibration item.
     *
     * @param unit what was labelled (e.g. {@code DocumentReference/7})
     * @param reference the reference code
     * @param annotator the annotator's code
     */
    public record Item(String unit, String reference, String annotator) {

        public boolean agrees() {
            return reference.equals(annotator);
        }
    }

    /**
     * The outcome.
     *
     * @param items how many items were compared
     * @param percentAgreement share of items where the annotator gave the reference code
     * @param kappa Cohen's kappa of annotator and reference
     * @param threshold the percent agreement needed
     * @param passed whether percent agreement reached the threshold
     * @param disagreements the units where the annotator's code differs from the reference
     */
    public record Result(
            int items,
            Estimate percentAgreement,
            Estimate kappa,
            double threshold,
            boolean passed,
            List<String> disagreements) {

        public Result {
            disagreements = List.copyOf(disagreements);
        }
    }

    /** The default threshold for a schema with {@code classes} codes. */
    public static double defaultThreshold(int classes) {
        return classes <= 2 ? BINARY_THRESHOLD : MULTICLASS_THRESHOLD;
    }

    /**
     * Measures the annotator on {@code items}.
     *
     * @param replicates bootstrap replicates; 0 for no intervals
     * @param seed bootstrap seed (same items, same seed: same intervals)
     * @throws IllegalArgumentException when there is no item or the threshold is outside [0, 1]
     */
    public static Result assess(List<Item> items, double threshold, int replicates, long seed) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one item");
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must lie in [0, 1], got " + threshold);
        }
        Set<String> categories = new LinkedHashSet<>();
        items.forEach(
                item -> {
                    categories.add(item.reference());
                    categories.add(item.annotator());
                });
        List<String> categoryList = List.copyOf(categories);
        int[] codes = new int[items.size() * 2];
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            codes[2 * i] = categoryList.indexOf(item.reference());
            codes[2 * i + 1] = categoryList.indexOf(item.annotator());
            if (!item.agrees()) {
                disagreements.add(item.unit());
            }
        }
        CodedRatings ratings =
                CodedRatings.fromCodes(
                        List.of("reference", "annotator"), categoryList, null, items.size(), codes);
        PercentAgreement.Result percent = PercentAgreement.compute(ratings);
        CohenKappa.Result kappa = CohenKappa.compute(ratings, KappaWeights.NONE);
        Estimate percentEstimate =
                estimate(
                        percent.agreement(),
                        percent.units(),
                        percent.undefinedReason(),
                        ratings,
                        r -> PercentAgreement.compute(r).agreement(),
                        replicates,
                        seed);
        Estimate kappaEstimate =
                estimate(
                        kappa.kappa(),
                        (int) kappa.units(),
                        kappa.undefinedReason(),
                        ratings,
                        r -> CohenKappa.compute(r, KappaWeights.NONE).kappa(),
                        replicates,
                        seed);
        return new Result(
                items.size(),
                percentEstimate,
                kappaEstimate,
                threshold,
                percent.agreement() >= threshold,
                disagreements);
    }

    private static Estimate estimate(
            double value,
            int units,
            Optional<String> undefined,
            CodedRatings ratings,
            AgreementStatistic statistic,
            int replicates,
            long seed) {
        if (Double.isNaN(value)) {
            return Estimate.undefined(undefined.orElse("undefined"), units);
        }
        Optional<BootstrapInterval> interval =
                replicates > 0
                        ? Optional.of(
                                Bootstrap.percentileInterval(
                                        ratings, statistic, LEVEL, replicates, seed))
                        : Optional.empty();
        return new Estimate(value, units, interval, Optional.empty());
    }
}
