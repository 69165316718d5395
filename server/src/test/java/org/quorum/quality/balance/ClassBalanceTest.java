package org.quorum.quality.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quorum.quality.TestLabels.label;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quorum.labels.Label;
import org.quorum.quality.TestLabels;
import org.quorum.quality.balance.ClassBalanceReport.ClassCount;
import org.quorum.quality.data.Project;
import org.quorum.quality.data.SchemaVersion;

class ClassBalanceTest {

    private static final Project PROJECT = new Project("ResearchStudy/p", "test");

    @Test
    void cases_needed_reach_both_the_minimum_count_and_the_minimum_prevalence() {
        // 1 of 120 cases, minimum 30 cases: 29 more. 1 %: (1.2 − 1)/0.99 = 0.2 → 1 more.
        assertThat(ClassBalance.casesNeeded(1, 120, 30, 0.01)).isEqualTo(29);
        assertThat(ClassBalance.casesNeeded(1, 120, 0, 0.01)).isEqualTo(1);
        // 5 of 1000 at 5 %: (50 − 5)/0.95 = 47.37 → 48; check: 53/1048 = 5.06 %, 52/1047 < 5 %.
        assertThat(ClassBalance.casesNeeded(5, 1000, 0, 0.05)).isEqualTo(48);
        // Exactly at the threshold: nothing needed.
        assertThat(ClassBalance.casesNeeded(10, 1000, 10, 0.01)).isZero();
        assertThat(ClassBalance.casesNeeded(500, 1000, 30, 0.01)).isZero();
    }

    @Test
    void counts_cases_not_labels_and_flags_rare_classes() {
        List<Label> labels = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            labels.add(caseOf(i, "effusion").build());
            // A second annotator on the same case adds no case.
            labels.add(caseOf(i, "effusion").performer("PractitionerRole/b").build());
        }
        for (int i = 100; i < 119; i++) {
            labels.add(caseOf(i, "nodule").build());
        }
        labels.add(caseOf(119, "pneumothorax").build());
        labels.add(caseOf(119, "pneumothorax").status("preliminary").build());

        ClassBalanceReport report =
                ClassBalance.analyse(
                        PROJECT,
                        labels,
                        List.of(),
                        new ClassBalanceOptions(Optional.empty(), 0.01, 20, Label.FINAL_STATUSES));

        var schema = report.schemas().get(0);
        assertThat(schema.cases()).isEqualTo(120);
        assertThat(schema.classes())
                .extracting(
                        c -> c.code() + " " + c.cases() + " " + c.rare() + " " + c.casesNeeded())
                .containsExactly(
                        "effusion 100 false 0", "nodule 19 true 1", "pneumothorax 1 true 19");
        assertThat(schema.classes().get(2).prevalence()).isCloseTo(1 / 120.0, within(1e-12));
    }

    @Test
    void unused_codes_of_the_stored_schema_version_are_listed_with_no_cases() {
        List<Label> labels = List.of(caseOf(1, "effusion").build());
        SchemaVersion version =
                new SchemaVersion(
                        TestLabels.SCHEMA,
                        "1.0.0",
                        Map.of(
                                "effusion",
                                new SchemaVersion.Concept("effusion", "Effusion", false, List.of()),
                                "mass",
                                new SchemaVersion.Concept("mass", "Mass", false, List.of()),
                                "old",
                                new SchemaVersion.Concept("old", "Old", true, List.of())));

        ClassBalanceReport report =
                ClassBalance.analyse(
                        PROJECT, labels, List.of(version), ClassBalanceOptions.defaults());

        assertThat(report.schemas().get(0).classes())
                .extracting(ClassCount::code, ClassCount::cases, ClassCount::casesNeeded)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("effusion", 1, 29),
                        org.assertj.core.groups.Tuple.tuple("mass", 0, 30));
    }

    private static TestLabels caseOf(int i, String code) {
        return label("Observation/" + code + i)
                .subject("Patient/" + i)
                .source("ImagingStudy/" + i)
                .code(code);
    }
}
