package org.quorum.deid.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quorum.deid.text.eval.ClinicalNoteGenerator;
import org.quorum.deid.text.eval.DeidScorer;
import org.quorum.deid.text.eval.PresidioCorpus;
import org.quorum.deid.text.eval.SyntheaNotesCorpus;
import org.quorum.deid.text.eval.TermKeeping;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Recall, precision and kept-term floors measured on the held-out sets (issue 11), never tuned on:
 * the held-out part of the presidio sentences and the generated notes of held-out templates, pools
 * and seeds (and of held-out seeds on tuning templates). Each floor is the figure {@link
 * TextDeidEvaluation} reports (docs/deid-text.md), less a small margin: a change that loses recall
 * fails the build; one that gains should raise the floor.
 */
class TextDeidRecallTest {

    private static DeidScorer presidioHeldOut;
    private static DeidScorer heldOutWithContext;
    private static DeidScorer heldOutWithoutContext;
    private static DeidScorer heldOutSeedsWithContext;
    private static DeidScorer heldOutSeedsWithoutContext;
    private static TermKeeping heldOutTerms;
    private static TermKeeping heldOutSeedsTerms;
    private static DeidScorer syntheaWithContext;
    private static DeidScorer syntheaWithoutContext;

    @BeforeAll
    static void scoreTheHeldOutData() throws IOException {
        Path data = TestData.require();
        PhiLexicon lexicon = PhiLexicon.standard();
        PhiDetector detector = new PhiDetector(lexicon);
        presidioHeldOut =
                DeidScorer.score(
                        PresidioCorpus.load(
                                data.resolve("deid-text/presidio_synth_dev.json"),
                                lexicon,
                                PresidioCorpus.Part.HELD_OUT),
                        detector::detect,
                        false);
        List<ClinicalNoteGenerator.Note> heldOut =
                ClinicalNoteGenerator.generate(
                        ClinicalNoteGenerator.Set.HELD_OUT, TextDeidEvaluation.NOTES);
        heldOutWithContext =
                DeidScorer.score(
                        ClinicalNoteGenerator.labelled(heldOut, true), detector::detect, false);
        heldOutWithoutContext =
                DeidScorer.score(
                        ClinicalNoteGenerator.labelled(heldOut, false), detector::detect, false);
        heldOutTerms = TermKeeping.score(heldOut, true, detector::detect, false);
        List<ClinicalNoteGenerator.Note> heldOutSeeds =
                ClinicalNoteGenerator.generate(
                        ClinicalNoteGenerator.Set.HELD_OUT_SEEDS, TextDeidEvaluation.NOTES);
        heldOutSeedsWithContext =
                DeidScorer.score(
                        ClinicalNoteGenerator.labelled(heldOutSeeds, true),
                        detector::detect,
                        false);
        heldOutSeedsWithoutContext =
                DeidScorer.score(
                        ClinicalNoteGenerator.labelled(heldOutSeeds, false),
                        detector::detect,
                        false);
        heldOutSeedsTerms = TermKeeping.score(heldOutSeeds, true, detector::detect, false);
        syntheaWithContext =
                DeidScorer.score(
                        SyntheaNotesCorpus.load(data.resolve("synthea-10pt"), true),
                        detector::detect,
                        false);
        syntheaWithoutContext =
                DeidScorer.score(
                        SyntheaNotesCorpus.load(data.resolve("synthea-10pt"), false),
                        detector::detect,
                        false);
    }

    private static double recall(DeidScorer scorer, PhiType type) {
        return scorer.recallByType().get(type).tokenRecall();
    }

    @Test
    void held_out_notes_with_the_fhir_record_reach_the_099_target() {
        assertThat(heldOutWithContext.overallRecall()).isGreaterThanOrEqualTo(0.993);
        assertThat(heldOutSeedsWithContext.overallRecall()).isGreaterThanOrEqualTo(0.993);
        for (PhiType type :
                new PhiType[] {
                    PhiType.DATE,
                    PhiType.AGE,
                    PhiType.PHONE,
                    PhiType.FAX,
                    PhiType.ID,
                    PhiType.ACCOUNT,
                    PhiType.ORGANIZATION
                }) {
            assertThat(recall(heldOutWithContext, type))
                    .as(type.name())
                    .isGreaterThanOrEqualTo(0.995);
        }
        assertThat(recall(heldOutWithContext, PhiType.NAME)).isGreaterThanOrEqualTo(0.98);
    }

    @Test
    void held_out_notes_without_context_reach_the_097_target() {
        assertThat(heldOutWithoutContext.overallRecall()).isGreaterThanOrEqualTo(0.98);
        assertThat(heldOutSeedsWithoutContext.overallRecall()).isGreaterThanOrEqualTo(0.982);
        assertThat(recall(heldOutWithoutContext, PhiType.NAME)).isGreaterThanOrEqualTo(0.94);
        assertThat(recall(heldOutWithoutContext, PhiType.DATE)).isGreaterThanOrEqualTo(0.995);
        assertThat(recall(heldOutWithoutContext, PhiType.AGE)).isGreaterThanOrEqualTo(0.995);
    }

    @Test
    void held_out_notes_keep_their_clinical_terms() {
        assertThat(heldOutSeedsTerms.keptShare()).isGreaterThanOrEqualTo(0.99);
        // Held-out templates and term pools: 0.984 measured (0.959 before the named-instrument
        // vocabulary); the target is 0.97 (see docs/deid-text.md).
        assertThat(heldOutTerms.keptShare()).isGreaterThanOrEqualTo(0.98);
        assertThat(heldOutTerms.byCategory().get("eponym")[1])
                .isEqualTo(heldOutTerms.byCategory().get("eponym")[0]);
    }

    @Test
    void held_out_presidio_sentences_keep_their_recall_and_precision() {
        assertThat(presidioHeldOut.overallRecall()).isGreaterThanOrEqualTo(0.975);
        assertThat(presidioHeldOut.overallPrecision()).isGreaterThanOrEqualTo(0.945);
        assertThat(recall(presidioHeldOut, PhiType.NAME)).isGreaterThanOrEqualTo(0.99);
        assertThat(recall(presidioHeldOut, PhiType.DATE)).isGreaterThanOrEqualTo(0.995);
        assertThat(recall(presidioHeldOut, PhiType.ADDRESS)).isGreaterThanOrEqualTo(0.985);
        for (PhiType type :
                new PhiType[] {
                    PhiType.EMAIL,
                    PhiType.SSN,
                    PhiType.ACCOUNT,
                    PhiType.URL,
                    PhiType.IP,
                    PhiType.PHONE
                }) {
            assertThat(recall(presidioHeldOut, type)).as(type.name()).isEqualTo(1.0);
        }
    }

    @Test
    void synthea_notes_with_the_patient_record_lose_nothing() {
        assertThat(syntheaWithContext.overallRecall()).isEqualTo(1.0);
        assertThat(syntheaWithContext.overallPrecision()).isGreaterThanOrEqualTo(0.999);
    }

    @Test
    void synthea_notes_without_context_still_find_names_dates_and_old_ages() {
        assertThat(recall(syntheaWithoutContext, PhiType.NAME)).isEqualTo(1.0);
        assertThat(recall(syntheaWithoutContext, PhiType.DATE)).isEqualTo(1.0);
        assertThat(recall(syntheaWithoutContext, PhiType.AGE)).isEqualTo(1.0);
        assertThat(syntheaWithoutContext.overallPrecision()).isGreaterThanOrEqualTo(0.999);
    }
}
