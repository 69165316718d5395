package org.quorum.workflow.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.quorum.workflow.Route;
import org.quorum.workflow.policy.ReviewPolicy;

class AiRoutingTest {

    static ReviewPolicy policy(double high, double low, double blind) {
        return new ReviewPolicy(
                "https://example.org/CodeSystem/x",
                "1.0.0",
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                2,
                1,
                true,
                0.2,
                3,
                Optional.empty(),
                Optional.empty(),
                0.05,
                20,
                5,
                high,
                low,
                blind,
                0.05,
                10,
                5,
                0.5,
                List.of());
    }

    @Test
    void confidence_decides_between_one_reviewer_suggestion_and_hidden_ai() {
        ReviewPolicy policy = policy(0.9, 0.5, 0);
        assertThat(AiRouting.route(Optional.of(0.95), "c", policy)).isEqualTo(Route.AI_HIGH);
        assertThat(AiRouting.route(Optional.of(0.9), "c", policy)).isEqualTo(Route.AI_HIGH);
        assertThat(AiRouting.route(Optional.of(0.7), "c", policy)).isEqualTo(Route.AI_MEDIUM);
        assertThat(AiRouting.route(Optional.of(0.5), "c", policy)).isEqualTo(Route.AI_MEDIUM);
        assertThat(AiRouting.route(Optional.of(0.49), "c", policy)).isEqualTo(Route.AI_LOW);
        assertThat(AiRouting.route(Optional.empty(), "c", policy)).isEqualTo(Route.STANDARD);
        assertThat(Route.AI_MEDIUM.showsSuggestion()).isTrue();
        assertThat(Route.AI_LOW.showsSuggestion()).isFalse();
    }

    @Test
    void the_blind_share_of_high_confidence_cases_is_close_to_the_fraction_and_stable() {
        ReviewPolicy policy = policy(0.9, 0.5, 0.1);
        long blind =
                IntStream.range(0, 10_000)
                        .filter(
                                i ->
                                        AiRouting.route(Optional.of(0.99), "case " + i, policy)
                                                == Route.AI_BLIND)
                        .count();
        // Binomial(10000, 0.1): sd 30; 4 sd either way.
        assertThat(blind).isBetween(880L, 1120L);
        for (int i = 0; i < 100; i++) {
            assertThat(AiRouting.route(Optional.of(0.99), "case " + i, policy))
                    .isEqualTo(AiRouting.route(Optional.of(0.99), "case " + i, policy));
        }
    }

    @Test
    void sampling_takes_none_at_zero_and_all_at_one() {
        assertThat(Sampling.selected("p", "k", 0)).isFalse();
        assertThat(Sampling.selected("p", "k", 1)).isTrue();
        assertThat(Sampling.position("anything")).isBetween(0.0, 1.0);
    }
}
