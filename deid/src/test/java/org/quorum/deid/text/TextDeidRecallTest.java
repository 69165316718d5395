package org.quorum.deid.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quorum.deid.text.eval.DeidScorer;
import org.quorum.deid.text.eval.PresidioCorpus;
import org.quorum.deid.text.eval.SyntheaNotesCorpus;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Recall and precision floors on the shared labelled data: the figures {@link TextDeidEvaluation}
 * reports, less a small margin. A change that loses recall fails the build; one that gains should
 * raise the floor.
 */
class TextDeidRecallTest {

    private static DeidScorer presidio;
    private static DeidScorer syntheaWithContext;
    private static DeidScorer syntheaWithoutContext;

    @BeforeAll
    static void scoreTheSharedData() throws IOException {
        // Walks up from the working directory: the repository has shared/ beside it, here and in
        // CI.
        Path data = TestData.require();
        PhiLexicon lexicon = PhiLexicon.standard();
        PhiDetector detector = new PhiDetector(lexicon);
        presidio =
                DeidScorer.score(
                        PresidioCorpus.load(
                                data.resolve("deid-text/presidio_synth_dev.json"), lexicon),
                        detector::detect,
                        false);
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

    private static double labelRecall(DeidScorer scorer, String label) {
        return scorer.recallByLabel().get(label).tokenRecall();
    }

    @Test
    void presidio_identifiers_with_a_shape_are_all_found() {
        for (PhiType type :
                new PhiType[] {
                    PhiType.EMAIL,
                    PhiType.SSN,
                    PhiType.ACCOUNT,
                    PhiType.URL,
                    PhiType.IP,
                    PhiType.LICENSE
                }) {
            assertThat(recall(presidio, type)).as(type.name()).isEqualTo(1.0);
        }
        assertThat(recall(presidio, PhiType.PHONE)).as("PHONE").isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void presidio_dates_names_and_addresses_reach_the_099_target() {
        assertThat(recall(presidio, PhiType.DATE)).as("DATE").isGreaterThanOrEqualTo(0.995);
        assertThat(recall(presidio, PhiType.NAME)).as("NAME").isGreaterThanOrEqualTo(0.99);
        assertThat(recall(presidio, PhiType.ADDRESS)).as("ADDRESS").isGreaterThanOrEqualTo(0.99);
        assertThat(labelRecall(presidio, "STREET_ADDRESS"))
                .as("STREET_ADDRESS")
                .isGreaterThanOrEqualTo(0.995);
        assertThat(labelRecall(presidio, "ZIP_CODE")).as("ZIP_CODE").isGreaterThanOrEqualTo(0.99);
        assertThat(labelRecall(presidio, "GPE (city/town)"))
                .as("GPE (city/town)")
                .isGreaterThanOrEqualTo(0.955);
        assertThat(recall(presidio, PhiType.ORGANIZATION))
                .as("ORGANIZATION")
                .isGreaterThanOrEqualTo(0.80);
    }

    @Test
    void presidio_precision_stays_above_its_floor() {
        assertThat(presidio.overallRecall()).isGreaterThanOrEqualTo(0.975);
        assertThat(presidio.overallPrecision()).isGreaterThanOrEqualTo(0.945);
        assertThat(precision(presidio, PhiType.NAME)).as("NAME").isGreaterThanOrEqualTo(0.895);
        assertThat(precision(presidio, PhiType.ADDRESS)).as("ADDRESS").isGreaterThanOrEqualTo(0.95);
        assertThat(precision(presidio, PhiType.DATE)).as("DATE").isGreaterThanOrEqualTo(0.955);
    }

    private static double precision(DeidScorer scorer, PhiType type) {
        return scorer.precisionByType().get(type).tokenPrecision();
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
