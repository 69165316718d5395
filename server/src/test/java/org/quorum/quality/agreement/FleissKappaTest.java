package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quorum.quality.agreement.ReferenceData.ratings;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quorum.quality.agreement.InvalidRatingDataException.Problem;

class FleissKappaTest {

    @Test
    void perfect_agreement_gives_kappa_one_overall_and_per_category() {
        FleissKappa.Result result = FleissKappa.compute(ratings("a,a,a", "b,b,b", "c,c,c"));

        assertThat(result.kappa()).isEqualTo(1.0);
        assertThat(result.categoryKappas()).containsExactly(1.0, 1.0, 1.0);
    }

    @Test
    void kappa_is_undefined_when_every_rating_is_the_same() {
        FleissKappa.Result result = FleissKappa.compute(ratings("a,a,a", "a,a,a"));

        assertThat(result.kappa()).isNaN();
        assertThat(result.undefinedReason()).get().asString().contains("same category");
        assertThat(result.categoryKappas()).containsExactly(Double.NaN);
    }

    @Test
    void units_with_unequal_numbers_of_ratings_are_rejected_naming_the_unit() {
        CodedRatings uneven =
                CodedRatings.encode(CsvRatingReader.parseRatings("A,B,C\na,a,a\nb,,b\n"));

        assertThatThrownBy(() -> FleissKappa.compute(uneven))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("line 3 has 2 ratings but line 2 has 3")
                .hasMessageContaining("Krippendorff")
                .extracting(e -> ((InvalidRatingDataException) e).problem())
                .isEqualTo(Problem.UNEQUAL_RATINGS_PER_UNIT);
    }

    @Test
    void units_with_one_rating_each_are_rejected() {
        assertThatThrownBy(() -> FleissKappa.compute(ratings("a,", "b,")))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("at least two ratings");
    }

    @Test
    void the_same_number_of_ratings_from_different_raters_is_accepted() {
        // Fleiss' kappa lets different raters rate different units (Fleiss 1971, p. 378).
        FleissKappa.Result staggered = FleissKappa.compute(ratings("a,a,", ",b,b", "a,,b"));
        FleissKappa.Result aligned = FleissKappa.compute(ratings("a,a", "b,b", "a,b"));

        assertThat(staggered.kappa()).isEqualTo(aligned.kappa());
    }

    @Test
    void count_table_and_ratings_give_the_same_result() {
        FleissKappa.Result fromCounts =
                FleissKappa.fromCounts(List.of("a", "b"), new int[][] {{3, 0}, {1, 2}, {0, 3}});
        FleissKappa.Result fromRatings = FleissKappa.compute(ratings("a,a,a", "a,b,b", "b,b,b"));

        assertThat(fromCounts.kappa()).isCloseTo(fromRatings.kappa(), within(1e-15));
        assertThat(fromCounts.categoryKappas()).isEqualTo(fromRatings.categoryKappas());
    }

    @Test
    void count_table_with_unequal_row_totals_is_rejected() {
        assertThatThrownBy(
                        () ->
                                FleissKappa.fromCounts(
                                        List.of("a", "b"), new int[][] {{3, 0}, {1, 1}}))
                .isInstanceOf(InvalidRatingDataException.class)
                .hasMessageContaining("unit 2 has 2 ratings but unit 1 has 3");
    }

    @Test
    void two_raters_give_fleiss_pi_which_uses_pooled_marginals() {
        // For two raters Fleiss' kappa is Scott's pi: (po − pe) / (1 − pe) with pe from the
        // pooled shares. Here po = 3/4, pooled a = 3/8, b = 5/8, pe = 34/64.
        FleissKappa.Result result = FleissKappa.compute(ratings("a,a", "a,b", "b,b", "b,b"));

        double pe = 34.0 / 64;
        assertThat(result.kappa()).isCloseTo((0.75 - pe) / (1 - pe), within(1e-15));
    }
}
