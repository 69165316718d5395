package org.quorum.quality.agreement;

import java.util.Optional;
import java.util.Set;
import org.quorum.labels.Label;
import org.quorum.quality.QualityException;

/**
 * What {@code $agreement} computes.
 *
 * @param schema only labels of this label schema (CodeSystem url); empty: every schema the
 *     project's labels use, each reported on its own
 * @param level Krippendorff's level of measurement for the overall alpha (per-class alphas are on
 *     present/absent ratings, always nominal)
 * @param weights Cohen's kappa weights for annotator pairs (by category position: meaningful only
 *     for ordered codes)
 * @param confidenceLevel level of the bootstrap intervals, e.g. 0.95; 0 for none
 * @param replicates bootstrap replicates
 * @param seed bootstrap seed (same seed, same data: same interval)
 * @param statuses label statuses included
 */
public record AgreementOptions(
        Optional<String> schema,
        MeasurementLevel level,
        KappaWeights weights,
        double confidenceLevel,
        int replicates,
        long seed,
        Set<String> statuses) {

    public static final double DEFAULT_CONFIDENCE_LEVEL = 0.95;
    public static final int DEFAULT_REPLICATES = 1000;
    public static final int MAX_REPLICATES = 10_000;
    public static final long DEFAULT_SEED = 20_240_601L;

    /** Preliminary and final labels (final, amended, corrected) count. */
    public static final Set<String> DEFAULT_STATUSES = Label.ACTIVE_STATUSES;

    public AgreementOptions {
        statuses = Set.copyOf(statuses);
        if (!(confidenceLevel == 0 || (confidenceLevel > 0 && confidenceLevel < 1))) {
            throw QualityException.badParameter(
                    "ci", confidenceLevel, "give a confidence level between 0 and 1 (0: none)");
        }
        if (replicates < 1 || replicates > MAX_REPLICATES) {
            throw QualityException.badParameter(
                    "replicates", replicates, "give 1 to " + MAX_REPLICATES + " replicates");
        }
        for (String status : statuses) {
            if (!Label.ACTIVE_STATUSES.contains(status)) {
                throw QualityException.badParameter(
                        "status", status, "use labels that are " + Label.ACTIVE_STATUSES);
            }
        }
    }

    /** The defaults: all schemas, nominal, unweighted, 95 % intervals, 1000 replicates. */
    public static AgreementOptions defaults() {
        return new AgreementOptions(
                Optional.empty(),
                MeasurementLevel.NOMINAL,
                KappaWeights.NONE,
                DEFAULT_CONFIDENCE_LEVEL,
                DEFAULT_REPLICATES,
                DEFAULT_SEED,
                DEFAULT_STATUSES);
    }

    public boolean withIntervals() {
        return confidenceLevel > 0;
    }
}
