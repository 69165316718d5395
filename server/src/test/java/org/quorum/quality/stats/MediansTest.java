package org.quorum.quality.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MediansTest {

    @Test
    void odd_samples_take_the_middle_value_and_even_samples_the_mean_of_the_two() {
        assertThat(Medians.of(List.of(9.0, 1.0, 5.0))).isEqualTo(5.0);
        assertThat(Medians.of(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(Medians.of(List.of())).isNaN();
    }
}
