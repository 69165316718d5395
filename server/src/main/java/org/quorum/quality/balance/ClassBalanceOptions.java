package org.quorum.quality.balance;

import java.util.Optional;
import java.util.Set;
import org.quorum.labels.Label;
import org.quorum.quality.QualityException;

/**
 * What {@code $class-balance} computes.
 *
 * @param schema only this label schema; empty: every schema the project's labels use
 * @param minPrevalence a class below this prevalence is rare (default 0.01)
 * @param minCases a class with fewer cases is rare (default 30)
 * @param statuses label statuses counted (default: final, amended, corrected)
 */
public record ClassBalanceOptions(
        Optional<String> schema, double minPrevalence, int minCases, Set<String> statuses) {

    public static final double DEFAULT_MIN_PREVALENCE = 0.01;
    public static final int DEFAULT_MIN_CASES = 30;

    public ClassBalanceOptions {
        statuses = Set.copyOf(statuses);
        if (!(minPrevalence >= 0 && minPrevalence < 1)) {
            throw QualityException.badParameter(
                    "minPrevalence", minPrevalence, "give a share from 0 up to (not including) 1");
        }
        if (minCases < 0) {
            throw QualityException.badParameter("minCases", minCases, "give 0 or more cases");
        }
        for (String status : statuses) {
            if (!Label.ACTIVE_STATUSES.contains(status)) {
                throw QualityException.badParameter(
                        "status", status, "use labels that are " + Label.ACTIVE_STATUSES);
            }
        }
    }

    public static ClassBalanceOptions defaults() {
        return new ClassBalanceOptions(
                Optional.empty(), DEFAULT_MIN_PREVALENCE, DEFAULT_MIN_CASES, Label.FINAL_STATUSES);
    }
}
