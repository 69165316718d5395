package org.quorum.quality.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MultipleComparisonsTest {

    @Test
    void holm_multiplies_the_ith_smallest_p_by_m_minus_i_plus_one_and_keeps_the_order() {
        // By hand (Holm 1979): 0.01·5 = 0.05, 0.02·4 = 0.08, 0.03·3 = 0.09,
        // max(0.09, 0.04·2) = 0.09, max(0.09, 0.05·1) = 0.09; R: p.adjust(p, "holm").
        double[] adjusted =
                MultipleComparisons.HOLM.adjust(new double[] {0.01, 0.02, 0.03, 0.04, 0.05});

        assertThat(adjusted)
                .containsExactly(new double[] {0.05, 0.08, 0.09, 0.09, 0.09}, within(1e-15));
    }

    @Test
    void holm_returns_adjusted_values_in_the_input_order() {
        double[] adjusted = MultipleComparisons.HOLM.adjust(new double[] {0.04, 0.001, 0.3, 0.012});

        // sorted: 0.001·4 = 0.004, 0.012·3 = 0.036, 0.04·2 = 0.08, 0.3·1 → max(0.08, 0.3) = 0.3
        assertThat(adjusted).containsExactly(new double[] {0.08, 0.004, 0.3, 0.036}, within(1e-15));
    }

    @Test
    void bonferroni_multiplies_by_the_family_size_and_caps_at_one() {
        double[] adjusted = MultipleComparisons.BONFERRONI.adjust(new double[] {0.01, 0.2, 0.5});

        assertThat(adjusted).containsExactly(new double[] {0.03, 0.6, 1}, within(1e-15));
    }

    @Test
    void tests_that_could_not_be_made_stay_undefined_and_do_not_count() {
        double[] adjusted = MultipleComparisons.HOLM.adjust(new double[] {Double.NaN, 0.02, 0.01});

        assertThat(adjusted[0]).isNaN();
        assertThat(adjusted[1]).isCloseTo(0.02, within(1e-15));
        assertThat(adjusted[2]).isCloseTo(0.02, within(1e-15));
    }

    @Test
    void holm_is_never_larger_than_bonferroni() {
        double[] p = {0.001, 0.01, 0.02, 0.2, 0.03, 0.8};
        double[] holm = MultipleComparisons.HOLM.adjust(p);
        double[] bonferroni = MultipleComparisons.BONFERRONI.adjust(p);
        for (int i = 0; i < p.length; i++) {
            assertThat(holm[i]).isLessThanOrEqualTo(bonferroni[i]).isGreaterThanOrEqualTo(p[i]);
        }
    }
}
