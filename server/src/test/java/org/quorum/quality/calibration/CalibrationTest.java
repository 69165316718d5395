package org.quorum.quality.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    /**
     * {@code n} items with the reference code {@code reference} and the annotator's {@code code}.
     */
    private static void add(List<Calibration.Item> items, int n, String reference, String code) {
        for (int i = 0; i < n; i++) {
            items.add(
                    new Calibration.Item(
                            "DocumentReference/" + (items.size() + 1), reference, code));
        }
    }

    @Test
    void binary_schema_eight_of_ten_is_below_the_85_percent_gate() {
        // 2x2: yes/yes 4, yes/no 1, no/yes 1, no/no 4: p_o = 0.8, p_e = 0.5·0.5 + 0.5·0.5 = 0.5,
        // kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6 (Cohen 1960).
        List<Calibration.Item> items = new ArrayList<>();
        add(items, 4, "yes", "yes");
        add(items, 1, "yes", "no");
        add(items, 1, "no", "yes");
        add(items, 4, "no", "no");

        Calibration.Result result =
                Calibration.assess(items, Calibration.defaultThreshold(2), 1000, 7);

        assertThat(result.percentAgreement().value()).isCloseTo(0.8, within(1e-12));
        assertThat(result.kappa().value()).isCloseTo(0.6, within(1e-12));
        assertThat(result.threshold()).isEqualTo(0.85);
        assertThat(result.passed()).isFalse();
        assertThat(result.disagreements())
                .containsExactly("DocumentReference/5", "DocumentReference/6");
        assertThat(result.percentAgreement().interval()).isPresent();
        assertThat(result.percentAgreement().interval().get().contains(0.8)).isTrue();
        assertThat(result.kappa().interval().get().level()).isEqualTo(0.95);
    }

    @Test
    void multi_class_schema_eight_of_ten_passes_the_75_percent_gate() {
        // 3 classes: a/a 3, b/b 3, c/c 2, a/b 1, c/a 1. Reference marginals a 4, b 3, c 3;
        // annotator a 4, b 4, c 2: p_e = (16 + 12 + 6) / 100 = 0.34,
        // kappa = (0.8 - 0.34) / 0.66 = 0.696969...
        List<Calibration.Item> items = new ArrayList<>();
        add(items, 3, "a", "a");
        add(items, 3, "b", "b");
        add(items, 2, "c", "c");
        add(items, 1, "a", "b");
        add(items, 1, "c", "a");

        Calibration.Result result =
                Calibration.assess(items, Calibration.defaultThreshold(3), 200, 7);

        assertThat(result.threshold()).isEqualTo(0.75);
        assertThat(result.percentAgreement().value()).isCloseTo(0.8, within(1e-12));
        assertThat(result.kappa().value()).isCloseTo(0.46 / 0.66, within(1e-12));
        assertThat(result.passed()).isTrue();
    }

    @Test
    void the_same_items_and_seed_give_the_same_intervals() {
        List<Calibration.Item> items = new ArrayList<>();
        add(items, 6, "a", "a");
        add(items, 2, "b", "a");
        add(items, 4, "b", "b");

        Calibration.Result first = Calibration.assess(items, 0.75, 500, 11);
        Calibration.Result second = Calibration.assess(items, 0.75, 500, 11);

        assertThat(first.kappa().interval()).isEqualTo(second.kappa().interval());
    }

    @Test
    void kappa_is_undefined_but_the_gate_still_decides_when_one_class_is_used() {
        List<Calibration.Item> items = new ArrayList<>();
        add(items, 5, "a", "a");

        Calibration.Result result = Calibration.assess(items, 0.85, 100, 1);

        assertThat(result.kappa().defined()).isFalse();
        assertThat(result.kappa().undefinedReason()).get().asString().contains("0/0");
        assertThat(result.passed()).isTrue();
    }

    @Test
    void refuses_no_items_and_thresholds_outside_zero_one() {
        assertThatThrownBy(() -> Calibration.assess(List.of(), 0.8, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                Calibration.assess(
                                        List.of(new Calibration.Item("u", "a", "a")), 1.5, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1.5");
    }
}
