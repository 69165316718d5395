package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quorum.security.ClinicalRoles.Stage;

class ClinicalRolesTest {

    private static final Set<Role> ANNOTATOR = Set.of(Role.ANNOTATOR);
    private static final Set<Role> REVIEWER = Set.of(Role.REVIEWER);
    private static final Set<Role> ADJUDICATOR = Set.of(Role.ADJUDICATOR);

    @ParameterizedTest(name = "create as {0}: allowed {1}")
    @CsvSource({
        "preliminary, true",
        "registered, true",
        "final, false",
        "amended, false",
        "corrected, false"
    })
    void clinicians_create_labels_only_as_drafts(String status, boolean allowed) {
        assertThat(ClinicalRoles.refuseLabelCreate(status).isEmpty()).isEqualTo(allowed);
    }

    @Test
    void an_annotator_never_makes_a_label_final_even_with_a_covering_task() {
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                ANNOTATOR, true, Set.of(Stage.ANNOTATE), "preliminary", "final"))
                .hasValueSatisfying(reason -> assertThat(reason).contains("reviewer"));
        // Even a review Task owned by an annotator-only token gives no decision.
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                ANNOTATOR, true, Set.of(Stage.REVIEW), "preliminary", "final"))
                .isPresent();
    }

    @Test
    void a_reviewer_accepts_and_amends_only_labels_their_open_review_covers() {
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                REVIEWER, false, Set.of(Stage.REVIEW), "preliminary", "final"))
                .isEmpty();
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                REVIEWER, false, Set.of(Stage.REVIEW), "final", "amended"))
                .isEmpty();
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                REVIEWER, false, Set.of(), "preliminary", "final"))
                .isPresent();
        // An adjudicate Task does not give a reviewer-only token a decision.
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                REVIEWER, false, Set.of(Stage.ADJUDICATE), "preliminary", "final"))
                .isPresent();
    }

    @Test
    void an_adjudicator_decides_through_adjudicate_and_re_evaluate_tasks() {
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                ADJUDICATOR,
                                false,
                                Set.of(Stage.ADJUDICATE),
                                "preliminary",
                                "final"))
                .isEmpty();
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                ADJUDICATOR,
                                false,
                                Set.of(Stage.RE_EVALUATE),
                                "final",
                                "corrected"))
                .isEmpty();
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                ADJUDICATOR, false, Set.of(Stage.REVIEW), "preliminary", "final"))
                .isPresent();
    }

    @Test
    void decided_labels_are_amended_not_made_final_again_and_drafts_are_accepted_first() {
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                REVIEWER, false, Set.of(Stage.REVIEW), "amended", "final"))
                .isPresent();
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                REVIEWER, false, Set.of(Stage.REVIEW), "preliminary", "amended"))
                .isPresent();
    }

    @Test
    void clinicians_change_their_own_drafts_and_nobody_elses() {
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                ANNOTATOR, true, Set.of(), "preliminary", "preliminary"))
                .isEmpty();
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                ANNOTATOR, true, Set.of(), "preliminary", "entered-in-error"))
                .isEmpty();
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                ANNOTATOR, false, Set.of(), "preliminary", "preliminary"))
                .hasValueSatisfying(reason -> assertThat(reason).contains("own"));
        assertThat(
                        ClinicalRoles.refuseLabelUpdate(
                                ANNOTATOR, true, Set.of(), "entered-in-error", "preliminary"))
                .isPresent();
    }

    @ParameterizedTest(name = "{0} moves a {1} Task {2} -> {3}: allowed {4}")
    @CsvSource({
        "annotator, annotate, ready, in-progress, true",
        "annotator, calibrate, in-progress, completed, true",
        "annotator, annotate, in-progress, cancelled, false",
        "annotator, annotate, completed, in-progress, false",
        "annotator, review, ready, in-progress, false",
        "reviewer, review, ready, accepted, true",
        "reviewer, review, in-progress, on-hold, true",
        "reviewer, annotate, ready, in-progress, false",
        "reviewer, re-evaluate, ready, in-progress, true",
        "adjudicator, adjudicate, in-progress, completed, true",
        "adjudicator, adjudicate, ready, completed, false",
        "adjudicator, review, ready, in-progress, false"
    })
    void each_role_moves_only_its_stages_tasks_along_the_state_machine(
            String role, String stage, String from, String to, boolean allowed) {
        assertThat(
                        ClinicalRoles.refuseTaskUpdate(
                                        Set.of(Role.parse(role)), Stage.of(stage), from, to)
                                .isEmpty())
                .isEqualTo(allowed);
    }

    @Test
    void a_task_without_a_review_stage_code_is_not_a_clinicians_to_move() {
        assertThat(ClinicalRoles.refuseTaskUpdate(ANNOTATOR, Optional.empty(), "ready", "accepted"))
                .isPresent();
    }
}
