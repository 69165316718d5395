package org.quorum.quality.automation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quorum.quality.stats.MultipleComparisons;

class AutomationBiasTest {

    private static final AutomationBias.Options OPTIONS =
            new AutomationBias.Options(0.05, 8, 5, MultipleComparisons.HOLM);

    private static AutomationBias.ReviewerTally tally(
            String reviewer, int accepted, int modified, int rejected, double acceptSeconds) {
        return new AutomationBias.ReviewerTally(
                reviewer,
                accepted,
                modified,
                rejected,
                Collections.nCopies(accepted, acceptSeconds));
    }

    @Test
    void an_always_accepting_reviewer_is_flagged_and_a_critical_one_is_not() {
        // Blind reads agree with the AI 1 time in 4. Reviewer A accepts 8 of 8: z = 2·sqrt(2),
        // p = 0.00233886749052363. Reviewer B accepts 2 of 8: p_B = 0.25 vs 0.25, z = 0,
        // p = 0.5. Holm over two: p_A · 2 = 0.00467773498104726; max(that, 0.5 · 1) = 0.5.
        AutomationBias.Report report =
                AutomationBias.analyse(
                        List.of(
                                tally("PractitionerRole/a", 8, 0, 0, 30),
                                tally("PractitionerRole/b", 2, 4, 2, 40)),
                        4,
                        1,
                        OPTIONS);

        assertThat(report.blindAgreement()).isEqualTo(0.25);
        AutomationBias.ReviewerResult a = report.reviewers().get(0);
        AutomationBias.ReviewerResult b = report.reviewers().get(1);
        assertThat(a.acceptRate()).isEqualTo(1.0);
        assertThat(a.test().pValue()).isCloseTo(0.00233886749052363, within(1e-12));
        assertThat(a.adjustedPValue()).isCloseTo(0.00467773498104726, within(1e-12));
        assertThat(a.overAccepting()).isTrue();
        assertThat(a.fastAccepting()).isFalse();
        assertThat(b.test().pValue()).isCloseTo(0.5, within(1e-12));
        assertThat(b.adjustedPValue()).isCloseTo(0.5, within(1e-12));
        assertThat(b.flagged()).isFalse();
    }

    @Test
    void a_reviewer_who_accepts_faster_than_the_floor_is_flagged() {
        AutomationBias.Report report =
                AutomationBias.analyse(
                        List.of(tally("PractitionerRole/a", 6, 2, 2, 1.5)), 10, 6, OPTIONS);

        AutomationBias.ReviewerResult a = report.reviewers().get(0);
        assertThat(a.medianAcceptSeconds()).isEqualTo(1.5);
        assertThat(a.fastAccepting()).isTrue();
        assertThat(a.overAccepting()).isFalse();
    }

    @Test
    void reviewers_with_too_few_decisions_or_no_blind_reads_are_not_tested() {
        AutomationBias.Report few =
                AutomationBias.analyse(
                        List.of(tally("PractitionerRole/a", 5, 0, 0, 0.5)), 4, 1, OPTIONS);
        AutomationBias.Report noBlind =
                AutomationBias.analyse(
                        List.of(tally("PractitionerRole/a", 9, 0, 0, 30)), 0, 0, OPTIONS);

        assertThat(few.reviewers().get(0).adjustedPValue()).isNaN();
        assertThat(few.reviewers().get(0).flagged()).isFalse();
        assertThat(few.reviewers().get(0).note()).contains("fewer than 8");
        assertThat(noBlind.reviewers().get(0).note()).contains("no blind read");
        assertThat(noBlind.blindAgreement()).isNaN();
    }
}
