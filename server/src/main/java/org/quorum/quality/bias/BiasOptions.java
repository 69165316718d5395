package org.quorum.quality.bias;

import java.time.LocalDate;
import java.util.Optional;
import java.util.Set;
import org.quorum.labels.Label;
import org.quorum.quality.QualityException;
import org.quorum.quality.stats.MultipleComparisons;

/**
 * What {@code $bias-report} computes.
 *
 * @param schema only labels of this label schema; empty: all
 * @param reference the reference distribution groups are compared with
 * @param ageBands the age bands
 * @param ageAt the date ages are computed on
 * @param representationRatio a group is under-represented when its share of the data set is below
 *     this fraction of its reference share (default 0.8)
 * @param alpha significance level for prevalence differences, on adjusted p-values
 * @param correction the multiple-comparison correction over all prevalence tests of the report
 * @param statuses label statuses included (default: final, amended, corrected)
 */
public record BiasOptions(
        Optional<String> schema,
        ReferenceDistribution reference,
        AgeBands ageBands,
        LocalDate ageAt,
        double representationRatio,
        double alpha,
        MultipleComparisons correction,
        Set<String> statuses) {

    public static final double DEFAULT_REPRESENTATION_RATIO = 0.8;
    public static final double DEFAULT_ALPHA = 0.05;

    public BiasOptions {
        statuses = Set.copyOf(statuses);
        if (!(representationRatio > 0 && representationRatio <= 1)) {
            throw QualityException.badParameter(
                    "representationRatio",
                    representationRatio,
                    "give a fraction above 0 and at most 1, e.g. 0.8");
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw QualityException.badParameter(
                    "alpha", alpha, "give a significance level between 0 and 1, e.g. 0.05");
        }
        for (String status : statuses) {
            if (!Label.ACTIVE_STATUSES.contains(status)) {
                throw QualityException.badParameter(
                        "status", status, "use labels that are " + Label.ACTIVE_STATUSES);
            }
        }
    }

    /** Defaults: US Census 2020, bands 0-17/18-64/65+, ages today, ratio 0.8, α 0.05, Holm. */
    public static BiasOptions defaults(LocalDate today) {
        return new BiasOptions(
                Optional.empty(),
                ReferenceDistribution.usCensus2020(AgeBands.DEFAULT),
                AgeBands.DEFAULT,
                today,
                DEFAULT_REPRESENTATION_RATIO,
                DEFAULT_ALPHA,
                MultipleComparisons.HOLM,
                Label.FINAL_STATUSES);
    }
}
