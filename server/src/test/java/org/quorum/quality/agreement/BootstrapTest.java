package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quorum.quality.agreement.ReferenceData.ratings;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BootstrapTest {

    private static final CodedRatings DIAGNOSES =
            CodedRatings.encode(ReferenceData.unitsAsRows("fleiss1971_diagnoses.csv"));

    private static final AgreementStatistic FLEISS = r -> FleissKappa.compute(r).kappa();

    @Test
    void the_same_seed_gives_the_same_interval() {
        BootstrapInterval first = Bootstrap.percentileInterval(DIAGNOSES, FLEISS, 0.95, 500, 42);
        BootstrapInterval second = Bootstrap.percentileInterval(DIAGNOSES, FLEISS, 0.95, 500, 42);

        assertThat(second).isEqualTo(first);
    }

    @Test
    void a_different_seed_gives_a_different_interval() {
        BootstrapInterval first = Bootstrap.percentileInterval(DIAGNOSES, FLEISS, 0.95, 500, 42);
        BootstrapInterval other = Bootstrap.percentileInterval(DIAGNOSES, FLEISS, 0.95, 500, 43);

        assertThat(List.of(other.lower(), other.upper()))
                .isNotEqualTo(List.of(first.lower(), first.upper()));
    }

    @Test
    void every_statistic_gets_an_interval_around_its_point_estimate() {
        CodedRatings pair =
                CodedRatings.encode(
                        ReferenceData.unitsAsRows("fleiss1971_diagnoses.csv")
                                .selectRaters(List.of("rater1", "rater2")));
        CodedRatings krippendorff =
                CodedRatings.encode(
                        ReferenceData.ratersAsRows(
                                "krippendorff2011_C_paper_layout.csv", false, true));
        Map<String, Map.Entry<CodedRatings, AgreementStatistic>> statistics =
                Map.of(
                        "percent",
                                Map.entry(DIAGNOSES, r -> PercentAgreement.compute(r).agreement()),
                        "fleiss", Map.entry(DIAGNOSES, FLEISS),
                        "cohen",
                                Map.entry(
                                        pair,
                                        r -> CohenKappa.compute(r, KappaWeights.NONE).kappa()),
                        "cohen quadratic",
                                Map.entry(
                                        pair,
                                        r -> CohenKappa.compute(r, KappaWeights.QUADRATIC).kappa()),
                        "alpha nominal",
                                Map.entry(
                                        DIAGNOSES,
                                        r ->
                                                KrippendorffAlpha.compute(
                                                                r, MeasurementLevel.NOMINAL)
                                                        .alpha()),
                        "alpha interval",
                                Map.entry(
                                        krippendorff,
                                        r ->
                                                KrippendorffAlpha.compute(
                                                                r, MeasurementLevel.INTERVAL)
                                                        .alpha()));

        statistics.forEach(
                (name, entry) -> {
                    double estimate = entry.getValue().estimate(entry.getKey());
                    BootstrapInterval interval =
                            Bootstrap.percentileInterval(entry.getKey(), entry.getValue(), 0.95, 7);

                    assertThat(interval.replicates())
                            .as(name)
                            .isEqualTo(Bootstrap.DEFAULT_REPLICATES);
                    assertThat(interval.lower()).as(name).isLessThan(interval.upper());
                    assertThat(interval.contains(estimate))
                            .as("%s: %s in %s", name, estimate, interval)
                            .isTrue();
                });
    }

    @Test
    void a_wider_level_gives_a_wider_interval_from_the_same_replicates() {
        BootstrapInterval narrow = Bootstrap.percentileInterval(DIAGNOSES, FLEISS, 0.5, 500, 42);
        BootstrapInterval wide = Bootstrap.percentileInterval(DIAGNOSES, FLEISS, 0.99, 500, 42);

        assertThat(wide.lower()).isLessThan(narrow.lower());
        assertThat(wide.upper()).isGreaterThan(narrow.upper());
    }

    @Test
    void replicates_where_the_statistic_is_undefined_are_counted_and_left_out() {
        // Two units: a resample of unit 1 twice has every rating equal, so kappa is NaN.
        CodedRatings tiny = ratings("a,a", "b,b");

        BootstrapInterval interval = Bootstrap.percentileInterval(tiny, FLEISS, 0.95, 200, 1);

        assertThat(interval.undefinedReplicates()).isBetween(50, 150);
        assertThat(interval.lower()).isEqualTo(1.0);
        assertThat(interval.upper()).isEqualTo(1.0);
    }

    @Test
    void bounds_are_nan_when_every_replicate_is_undefined() {
        BootstrapInterval interval =
                Bootstrap.percentileInterval(ratings("a,a", "a,a"), FLEISS, 0.95, 10, 1);

        assertThat(interval.undefinedReplicates()).isEqualTo(10);
        assertThat(interval.lower()).isNaN();
        assertThat(interval.upper()).isNaN();
    }

    @Test
    void quantiles_interpolate_between_order_statistics_like_r_type_7() {
        double[] sorted = {1, 2, 3, 4};

        // R: quantile(1:4, c(0, 0.025, 0.5, 0.975, 1)) = 1, 1.075, 2.5, 3.925, 4
        assertThat(Bootstrap.quantile(sorted, 0)).isEqualTo(1);
        assertThat(Bootstrap.quantile(sorted, 0.025)).isCloseTo(1.075, within(1e-12));
        assertThat(Bootstrap.quantile(sorted, 0.5)).isCloseTo(2.5, within(1e-12));
        assertThat(Bootstrap.quantile(sorted, 0.975)).isCloseTo(3.925, within(1e-12));
        assertThat(Bootstrap.quantile(sorted, 1)).isEqualTo(4);
    }

    @Test
    void levels_outside_zero_to_one_and_empty_replicate_counts_are_rejected() {
        assertThatThrownBy(() -> Bootstrap.percentileInterval(DIAGNOSES, FLEISS, 1.0, 10, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strictly between 0 and 1");
        assertThatThrownBy(() -> Bootstrap.percentileInterval(DIAGNOSES, FLEISS, 0.95, 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
