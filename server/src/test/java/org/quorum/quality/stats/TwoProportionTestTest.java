package org.quorum.quality.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TwoProportionTestTest {

    @Test
    void matches_prop_test_without_continuity_correction() {
        // R: prop.test(c(45, 30), c(50, 50), alternative = "greater", correct = FALSE):
        // X-squared = 12 (z = sqrt(12)), p-value = 0.000266002752569624 (scipy: norm.sf(sqrt(12))).
        TwoProportionTest.Result result = TwoProportionTest.greater(45, 50, 30, 50);

        assertThat(result.proportion1()).isEqualTo(0.9);
        assertThat(result.proportion2()).isEqualTo(0.6);
        assertThat(result.z()).isCloseTo(Math.sqrt(12), within(1e-12));
        assertThat(result.pValue()).isCloseTo(0.000266002752569624, within(1e-12));
        assertThat(result.smallSample()).isFalse();
    }

    @Test
    void an_always_accepting_reviewer_against_a_poor_blind_agreement() {
        // 8 of 8 accepted, 1 of 4 blind reads agreed: pooled 0.75, z = 0.75 / sqrt(0.1875 · 0.375)
        // = 2·sqrt(2); one-sided p = 0.00233886749052363 (scipy: norm.sf(2*sqrt(2))).
        TwoProportionTest.Result result = TwoProportionTest.greater(8, 8, 1, 4);

        assertThat(result.z()).isCloseTo(2 * Math.sqrt(2), within(1e-12));
        assertThat(result.pValue()).isCloseTo(0.00233886749052363, within(1e-12));
        assertThat(result.smallSample()).isTrue();
    }

    @Test
    void a_lower_first_proportion_gives_a_large_one_sided_p_value() {
        // 12/20 vs 14/20: z = -0.662993544131796, P(Z >= z) = 0.746332655609256.
        TwoProportionTest.Result result = TwoProportionTest.greater(12, 20, 14, 20);

        assertThat(result.z()).isCloseTo(-0.662993544131796, within(1e-12));
        assertThat(result.pValue()).isCloseTo(0.746332655609256, within(1e-12));
    }

    @Test
    void the_normal_tail_matches_tabulated_values() {
        assertThat(TwoProportionTest.upperTail(1.96)).isCloseTo(0.0249978951482204, within(1e-13));
        assertThat(TwoProportionTest.upperTail(-1)).isCloseTo(0.841344746068543, within(1e-13));
        assertThat(TwoProportionTest.upperTail(3.5)).isCloseTo(0.000232629079035525, within(1e-15));
        assertThat(TwoProportionTest.upperTail(0)).isCloseTo(0.5, within(1e-15));
    }

    @Test
    void is_undefined_without_variance_or_without_trials() {
        assertThat(TwoProportionTest.greater(5, 5, 3, 3).defined()).isFalse();
        assertThat(TwoProportionTest.greater(0, 0, 3, 4).defined()).isFalse();
        assertThatThrownBy(() -> TwoProportionTest.greater(6, 5, 1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("6 of 5");
    }
}
