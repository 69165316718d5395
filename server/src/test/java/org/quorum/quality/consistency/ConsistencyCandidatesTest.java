package org.quorum.quality.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quorum.quality.TestLabels.label;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quorum.labels.Label;

/**
 * Which of a patient's labels the check after a write reads in full: only those in a group of one
 * project, patient and code that holds both an active note label and an active image label.
 */
class ConsistencyCandidatesTest {

    private static Label note(String id, String code) {
        return label(id).source("DocumentReference/1").code(code).build();
    }

    private static Label image(String id, String code) {
        return label(id).source("ImagingStudy/1").code(code).build();
    }

    @Test
    void a_note_and_an_image_label_of_one_code_are_both_candidates() {
        assertThat(
                        ConsistencyService.candidates(
                                List.of(
                                        note("Observation/n", "pneumonia"),
                                        image("Observation/i", "pneumonia"),
                                        note("Observation/other", "effusion"))))
                .containsExactlyInAnyOrder("Observation/n", "Observation/i");
    }

    @Test
    void labels_of_one_modality_only_are_not_read() {
        assertThat(
                        ConsistencyService.candidates(
                                List.of(
                                        note("Observation/n1", "pneumonia"),
                                        note("Observation/n2", "pneumonia"),
                                        image("Observation/i", "effusion"))))
                .isEmpty();
    }

    @Test
    void other_patients_projects_and_inactive_labels_do_not_pair() {
        assertThat(
                        ConsistencyService.candidates(
                                List.of(
                                        note("Observation/n", "pneumonia"),
                                        label("Observation/i2")
                                                .source("ImagingStudy/1")
                                                .code("pneumonia")
                                                .subject("Patient/2")
                                                .build(),
                                        label("Observation/i3")
                                                .source("ImagingStudy/1")
                                                .code("pneumonia")
                                                .project("ResearchStudy/q")
                                                .build(),
                                        label("Observation/i4")
                                                .source("ImagingStudy/1")
                                                .code("pneumonia")
                                                .status("entered-in-error")
                                                .build(),
                                        label("Observation/both")
                                                .source("DocumentReference/1", "ImagingStudy/1")
                                                .code("pneumonia")
                                                .build())))
                .isEmpty();
    }
}
