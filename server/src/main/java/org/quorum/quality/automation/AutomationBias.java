package org.quorum.quality.automation;

import java.util.ArrayList;
import java.util.List;
import org.quorum.quality.stats.Medians;
import org.quorum.quality.stats.MultipleComparisons;
import org.quorum.quality.stats.TwoProportionTest;

/**
 * The automation-bias guard: do reviewers accept AI suggestions more often than the AI deserves?
 *
 * <p>How often the AI is right is estimated from <b>blind reads</b>: high-confidence AI cases that
 * a reviewer labelled without seeing the suggestion; the blind agreement is the share of those
 * labels with the AI label's code. A reviewer who is shown suggestions and checks them should
 * accept about as often as the AI is right. For each reviewer with at least {@link
 * Options#minimumReviews()} decided suggestions, a one-sided two-proportion z-test ({@link
 * TwoProportionTest}) asks whether their accept rate is greater than the blind agreement; the
 * p-values of all reviewers are adjusted together (Holm by default), and a reviewer is flagged
 * <em>over-accepting</em> when the adjusted p-value is below α. A reviewer is flagged
 * <em>fast-accepting</em> when the median time from claiming to accepting is below the project's
 * floor (a second is not enough to check a label).
 *
 * @see <a href="https://doi.org/10.1136/amiajnl-2011-000089">Goddard K., Roudsari A., Wyatt J.C.
 *     (2012) Automation bias: a systematic review of frequency, effect mediators, and mitigators,
 *     JAMIA 19:121-127</a>
 */
public final class AutomationBias {

    private AutomationBias() {}

    /**
     * What one reviewer did with the AI suggestions shown to them.
     *
     * @param reviewer the reviewer (PractitionerRole reference)
     * @param accepted suggestions accepted unchanged
     * @param modified suggestions changed
     * @param rejected suggestions rejected
     * @param acceptSeconds time from claim to decision of each acceptance
     */
    public record ReviewerTally(
            String reviewer, int accepted, int modified, int rejected, List<Double> acceptSeconds) {

        public ReviewerTally {
            acceptSeconds = List.copyOf(acceptSeconds);
        }

        /** Suggestions decided. */
        public int shown() {
            return accepted + modified + rejected;
        }
    }

    /**
     * @param alpha significance level for the adjusted p-values
     * @param minimumReviews decided suggestions a reviewer needs before being tested
     * @param minimumAcceptSeconds the floor of the median time to accept; 0 for none
     * @param correction the multiple-comparison adjustment over reviewers
     */
    public record Options(
            double alpha,
            int minimumReviews,
            double minimumAcceptSeconds,
            MultipleComparisons correction) {}

    /**
     * The figures of one reviewer.
     *
     * @param tally what they did
     * @param acceptRate accepted / shown, {@code NaN} when nothing was shown
     * @param medianAcceptSeconds median time to accept, {@code NaN} when nothing was accepted
     * @param test their accept rate against the blind agreement (undefined when not tested)
     * @param adjustedPValue the test's p-value after the correction, {@code NaN} when not tested
     * @param overAccepting adjusted p &lt; alpha
     * @param fastAccepting the median time to accept is below the floor
     * @param note why the reviewer was not tested, or empty
     */
    public record ReviewerResult(
            ReviewerTally tally,
            double acceptRate,
            double medianAcceptSeconds,
            TwoProportionTest.Result test,
            double adjustedPValue,
            boolean overAccepting,
            boolean fastAccepting,
            String note) {

        public boolean flagged() {
            return overAccepting || fastAccepting;
        }
    }

    /**
     * @param blindReads blind reads of high-confidence AI cases
     * @param blindAgreements how many of them had the AI label's code
     * @param reviewers one result per reviewer, in input order
     */
    public record Report(
            int blindReads, int blindAgreements, List<ReviewerResult> reviewers, Options options) {

        public Report {
            reviewers = List.copyOf(reviewers);
        }

        /** Share of blind reads that agreed with the AI, {@code NaN} without blind reads. */
        public double blindAgreement() {
            return blindReads == 0 ? Double.NaN : (double) blindAgreements / blindReads;
        }
    }

    /** Tests every reviewer against the blind agreement. */
    public static Report analyse(
            List<ReviewerTally> reviewers, int blindReads, int blindAgreements, Options options) {
        if (blindAgreements < 0 || blindAgreements > blindReads) {
            throw new IllegalArgumentException(
                    "need 0 <= blind agreements <= blind reads, got "
                            + blindAgreements
                            + " of "
                            + blindReads);
        }
        List<TwoProportionTest.Result> tests = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        double[] pValues = new double[reviewers.size()];
        for (int i = 0; i < reviewers.size(); i++) {
            ReviewerTally tally = reviewers.get(i);
            TwoProportionTest.Result test =
                    TwoProportionTest.greater(
                            tally.accepted(), tally.shown(), blindAgreements, blindReads);
            String note = "";
            if (tally.shown() < options.minimumReviews()) {
                note =
                        "fewer than "
                                + options.minimumReviews()
                                + " decided suggestions: not tested";
            } else if (blindReads == 0) {
                note = "no blind read yet: not tested";
            } else if (!test.defined()) {
                note = "every decision and every blind read went the same way: no test possible";
            }
            tests.add(test);
            notes.add(note);
            pValues[i] = note.isEmpty() ? test.pValue() : Double.NaN;
        }
        double[] adjusted = options.correction().adjust(pValues);
        List<ReviewerResult> results = new ArrayList<>();
        for (int i = 0; i < reviewers.size(); i++) {
            ReviewerTally tally = reviewers.get(i);
            double median = Medians.of(tally.acceptSeconds());
            boolean fast =
                    options.minimumAcceptSeconds() > 0
                            && tally.shown() >= options.minimumReviews()
                            && !Double.isNaN(median)
                            && median < options.minimumAcceptSeconds();
            results.add(
                    new ReviewerResult(
                            tally,
                            tally.shown() == 0
                                    ? Double.NaN
                                    : (double) tally.accepted() / tally.shown(),
                            median,
                            tests.get(i),
                            adjusted[i],
                            !Double.isNaN(adjusted[i]) && adjusted[i] < options.alpha(),
                            fast,
                            notes.get(i)));
        }
        return new Report(blindReads, blindAgreements, results, options);
    }
}
