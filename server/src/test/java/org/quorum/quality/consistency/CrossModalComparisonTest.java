package org.quorum.quality.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quorum.quality.TestLabels.label;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quorum.quality.TestLabels;
import org.quorum.quality.consistency.CrossModalComparison.Conflict;
import org.quorum.quality.consistency.CrossModalComparison.Severity;

class CrossModalComparisonTest {

    private static final String RLL = "http://snomed.info/sct|266005";
    private static final String LLL = "http://snomed.info/sct|41224006";

    private static TestLabels note() {
        return label("Observation/note").source("DocumentReference/1").code("pneumonia");
    }

    private static TestLabels image() {
        return label("Observation/image").source("ImagingStudy/1").code("pneumonia");
    }

    @Test
    void right_lower_lobe_in_the_note_and_left_lower_lobe_in_the_image_conflict() {
        Conflict conflict =
                CrossModalComparison.compare(
                                note().sites(RLL).laterality(CrossModalComparison.RIGHT).build(),
                                image().sites(LLL).laterality(CrossModalComparison.LEFT).build())
                        .orElseThrow();

        assertThat(conflict.severity()).isEqualTo(Severity.MODERATE);
        assertThat(conflict.differences()).hasSize(2);
        assertThat(conflict.detail())
                .contains("Observation/note", "Observation/image", "right", "left", "266005");
    }

    @Test
    void agreeing_site_and_laterality_do_not_conflict() {
        assertThat(
                        CrossModalComparison.compare(
                                note().sites(RLL).laterality(CrossModalComparison.RIGHT).build(),
                                image().sites(RLL).laterality(CrossModalComparison.RIGHT).build()))
                .isEmpty();
    }

    @Test
    void bilateral_against_one_side_is_a_low_severity_conflict() {
        Conflict conflict =
                CrossModalComparison.compare(
                                note().laterality(CrossModalComparison.BILATERAL).build(),
                                image().laterality(CrossModalComparison.LEFT).build())
                        .orElseThrow();

        assertThat(conflict.severity()).isEqualTo(Severity.LOW);
    }

    @Test
    void a_label_without_site_or_laterality_contradicts_nothing() {
        assertThat(
                        CrossModalComparison.compare(
                                note().build(),
                                image().sites(LLL).laterality(CrossModalComparison.LEFT).build()))
                .isEmpty();
    }

    @Test
    void only_note_and_image_labels_of_the_same_patient_finding_and_encounter_are_compared() {
        TestLabels left = image().laterality(CrossModalComparison.LEFT);
        TestLabels right = note().laterality(CrossModalComparison.RIGHT);

        assertThat(CrossModalComparison.compare(right.build(), left.build())).isPresent();
        assertThat(CrossModalComparison.compare(left.build(), right.build()))
                .as("arguments are note, then image")
                .isEmpty();
        assertThat(
                        CrossModalComparison.compare(
                                right.build(),
                                image().laterality("7771000").code("nodule").build()))
                .isEmpty();
        assertThat(
                        CrossModalComparison.compare(
                                right.build(),
                                image().laterality("7771000").subject("Patient/2").build()))
                .isEmpty();
        assertThat(
                        CrossModalComparison.compare(
                                note().laterality(CrossModalComparison.RIGHT)
                                        .encounter("Encounter/1")
                                        .build(),
                                image().laterality("7771000").encounter("Encounter/2").build()))
                .isEmpty();
        assertThat(
                        CrossModalComparison.compare(
                                right.build(),
                                image().laterality("7771000").status("entered-in-error").build()))
                .isEmpty();
        // A different schema version of the same code is the same finding.
        assertThat(
                        CrossModalComparison.compare(
                                right.build(),
                                image().laterality("7771000").version("2.0.0").build()))
                .isPresent();
    }

    @Test
    void one_issue_id_per_pair_and_a_different_one_for_another_pair() {
        var a = note().build();
        var b = image().build();
        var c = label("Observation/other").source("ImagingStudy/2").build();

        assertThat(ConsistencyService.issueId(a, b))
                .isEqualTo(ConsistencyService.issueId(a, b))
                .startsWith("xmodal-")
                .hasSize(47)
                .isNotEqualTo(ConsistencyService.issueId(a, c));
    }

    @Test
    void conflicts_among_many_labels_pair_every_note_with_every_image_of_the_finding() {
        var notes =
                List.of(
                        note().laterality(CrossModalComparison.RIGHT).build(),
                        label("Observation/note2")
                                .source("DocumentReference/2")
                                .code("pneumonia")
                                .laterality(CrossModalComparison.LEFT)
                                .build());
        var images = List.of(image().laterality(CrossModalComparison.LEFT).build());
        var all = new java.util.ArrayList<>(notes);
        all.addAll(images);

        assertThat(ConsistencyService.conflicts(all)).hasSize(1);
    }
}
