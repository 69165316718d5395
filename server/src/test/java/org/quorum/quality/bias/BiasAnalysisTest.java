package org.quorum.quality.bias;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quorum.quality.TestLabels.label;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quorum.labels.Label;
import org.quorum.quality.QualityException;
import org.quorum.quality.bias.BiasReport.ClassPrevalence;
import org.quorum.quality.bias.BiasReport.Composition;
import org.quorum.quality.bias.BiasReport.GroupShare;
import org.quorum.quality.bias.BiasReport.PrevalenceTest;
import org.quorum.quality.data.PartialDate;
import org.quorum.quality.data.PatientRecord;
import org.quorum.quality.data.Project;

class BiasAnalysisTest {

    private static final LocalDate AT = LocalDate.of(2025, 1, 1);

    /** 30 women (2 with pneumonia), 10 men (9 with pneumonia); everyone else "normal". */
    private static BiasReport report(BiasOptions options) {
        List<Label> labels = new ArrayList<>();
        Map<String, PatientRecord> patients = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            boolean female = i < 30;
            boolean pneumonia = female ? i < 2 : i < 39;
            String patient = "Patient/" + i;
            List<String> race =
                    i < 36
                            ? List.of("2106-3")
                            : i < 38 ? List.of("2028-9") : List.of("2106-3", "2054-5");
            patients.put(
                    patient,
                    new PatientRecord(
                            patient,
                            Optional.of(female ? "female" : "male"),
                            i == 0
                                    ? Optional.empty()
                                    : Optional.of(new PartialDate(i % 2 == 0 ? 1961 : 2015, 0, 0)),
                            race,
                            Optional.of(i < 4 ? "2135-2" : "2186-5")));
            labels.add(
                    label("Observation/" + i)
                            .subject(patient)
                            .source("DocumentReference/" + i)
                            .code(pneumonia ? "pneumonia" : "normal")
                            .build());
        }
        return BiasAnalysis.analyse(new Project("ResearchStudy/p", "p"), labels, patients, options);
    }

    private static Composition composition(BiasReport report, Dimension dimension) {
        return report.composition().stream()
                .filter(c -> c.dimension() == dimension)
                .findFirst()
                .orElseThrow();
    }

    private static GroupShare share(Composition composition, String key) {
        return composition.groups().stream()
                .filter(g -> g.group().key().equals(key))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void composition_counts_patients_and_flags_groups_below_the_ratio_of_the_reference() {
        BiasReport report = report(BiasOptions.defaults(AT));

        assertThat(report.patients()).isEqualTo(40);
        Composition sex = composition(report, Dimension.SEX);
        assertThat(share(sex, "female").share()).isCloseTo(0.75, within(1e-12));
        assertThat(share(sex, "female").underRepresented()).isFalse();
        // 25 % men against 49.5 %: 0.505 of the reference, below 0.8.
        assertThat(share(sex, "male").share()).isCloseTo(0.25, within(1e-12));
        assertThat(share(sex, "male").underRepresented()).isTrue();
        assertThat(share(sex, "male").ratio().getAsDouble()).isCloseTo(0.25 / 0.495, within(1e-12));

        Composition race = composition(report, Dimension.RACE);
        assertThat(share(race, "2106-3").patients()).isEqualTo(36);
        assertThat(share(race, "2028-9").patients()).isEqualTo(2);
        assertThat(share(race, Group.MULTIPLE_RACES).patients()).isEqualTo(2);
        assertThat(share(race, "2054-5").patients()).isZero();
        assertThat(share(race, "2054-5").underRepresented()).isTrue();
        assertThat(race.fit().defined()).isTrue();

        Composition age = composition(report, Dimension.AGE_BAND);
        assertThat(age.unknown()).isEqualTo(1);
        assertThat(share(age, "18-64").patients()).isEqualTo(19); // born 1961, mid-year: 63
        assertThat(share(age, "0-17").patients()).isEqualTo(20); // born 2015: 9
        assertThat(share(age, "65+").patients()).isZero();
    }

    @Test
    void prevalence_difference_by_sex_is_tested_with_chi_square_and_holm() {
        BiasReport report = report(BiasOptions.defaults(AT));

        ClassPrevalence pneumonia =
                report.classes().stream()
                        .filter(c -> c.code().code().equals("pneumonia"))
                        .findFirst()
                        .orElseThrow();
        assertThat(pneumonia.positive()).isEqualTo(11);
        PrevalenceTest bySex =
                pneumonia.tests().stream()
                        .filter(t -> t.dimension() == Dimension.SEX)
                        .findFirst()
                        .orElseThrow();
        // female 2/30, male 9/10: scipy chi2_contingency([[2, 28], [9, 1]], correction=False)
        assertThat(bySex.test().statistic()).isCloseTo(26.12330198537095, within(1e-9));
        assertThat(bySex.test().pValue()).isCloseTo(3.2029521741281314e-07, within(1e-16));
        assertThat(bySex.test().lowExpectedCount()).isTrue();
        assertThat(bySex.adjustedPValue()).isGreaterThan(bySex.test().pValue()).isLessThan(0.05);
        assertThat(bySex.significant()).isTrue();

        long tests =
                report.classes().stream()
                        .flatMap(c -> c.tests().stream())
                        .filter(t -> t.test().defined())
                        .count();
        // Holm: the smallest p of the family is multiplied by the number of tests.
        double smallest =
                report.classes().stream()
                        .flatMap(c -> c.tests().stream())
                        .filter(t -> t.test().defined())
                        .mapToDouble(t -> t.test().pValue())
                        .min()
                        .orElseThrow();
        assertThat(bySex.adjustedPValue()).isCloseTo(smallest * tests, within(1e-15));
    }

    @Test
    void a_given_reference_replaces_the_default_of_its_dimension() {
        ReferenceDistribution reference =
                ReferenceDistribution.usCensus2020(AgeBands.DEFAULT)
                        .withOverrides(List.of("sex:female=0.8", "sex:male=0.2"));
        BiasOptions options =
                new BiasOptions(
                        Optional.empty(),
                        reference,
                        AgeBands.DEFAULT,
                        AT,
                        0.8,
                        0.05,
                        org.quorum.quality.stats.MultipleComparisons.BONFERRONI,
                        Label.FINAL_STATUSES);

        Composition sex = composition(report(options), Dimension.SEX);

        assertThat(share(sex, "male").referenceShare().getAsDouble()).isEqualTo(0.2);
        assertThat(share(sex, "male").underRepresented()).isFalse();
        assertThat(reference.shares(Dimension.RACE)).isNotEmpty();
    }

    @Test
    void the_default_race_reference_is_rescaled_without_some_other_race() {
        ReferenceDistribution census = ReferenceDistribution.usCensus2020(AgeBands.DEFAULT);

        assertThat(census.shares(Dimension.RACE).values().stream().mapToDouble(d -> d).sum())
                .isCloseTo(1, within(1e-12));
        assertThat(census.share(Dimension.RACE, "2106-3").getAsDouble())
                .isCloseTo(61.6 / 91.5, within(1e-12));
        assertThat(
                        ReferenceDistribution.usCensus2020(AgeBands.parse("18,45,65"))
                                .shares(Dimension.AGE_BAND))
                .isEmpty();
    }

    @Test
    void bad_reference_specs_and_age_bands_are_refused_naming_the_parameter() {
        ReferenceDistribution census = ReferenceDistribution.usCensus2020(AgeBands.DEFAULT);

        assertThatThrownBy(() -> census.withOverrides(List.of("height:tall=0.5")))
                .isInstanceOf(QualityException.class)
                .hasMessageContaining("'reference'");
        assertThatThrownBy(() -> census.withOverrides(List.of("sex:female=1.5")))
                .hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> census.withOverrides(List.of("sex:female=0.7", "sex:male=0.7")))
                .hasMessageContaining("more than 1");
        assertThatThrownBy(() -> AgeBands.parse("65,18")).hasMessageContaining("'ageBands'");
        assertThat(AgeBands.parse("18, 45,65").keys())
                .containsExactly("0-17", "18-44", "45-64", "65+");
        assertThat(AgeBands.DEFAULT.bandOf(17)).isEqualTo("0-17");
        assertThat(AgeBands.DEFAULT.bandOf(65)).isEqualTo("65+");
    }

    @Test
    void year_only_birth_dates_count_from_the_first_of_july() {
        assertThat(new PartialDate(1960, 0, 0).ageOn(LocalDate.of(2025, 6, 30))).isEqualTo(64);
        assertThat(new PartialDate(1960, 0, 0).ageOn(LocalDate.of(2025, 7, 1))).isEqualTo(65);
        assertThat(new PartialDate(1960, 3, 9).ageOn(LocalDate.of(2025, 3, 9))).isEqualTo(65);
    }
}
