package org.quorum.deid.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.quorum.deid.text.eval.ClinicalNoteGenerator;
import org.quorum.deid.text.eval.DeidScorer;
import org.quorum.deid.text.eval.LabelledText;
import org.quorum.deid.text.eval.PresidioCorpus;
import org.quorum.deid.text.eval.SyntheaNotesCorpus;
import org.quorum.deid.text.eval.TermKeeping;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Prints recall and precision per PHI type (Markdown tables) on the presidio synthetic sentences
 * and on the Synthea notes, with and without the patient's record as context.
 *
 * <p>Usage: {@code TextDeidEvaluation [shared-data-folder] [--misses]}; without a folder, the
 * {@code testdata/} of the repository. {@code --misses} also lists missed and wrongly found tokens
 * of the tuning sets only (the data sets are synthetic; never run it on real notes). Held-out sets
 * are scored, never listed, so that nobody tunes to them.
 */
public final class TextDeidEvaluation {

    /** Notes per generated set. */
    static final int NOTES = 150;

    private TextDeidEvaluation() {}

    public static void main(String[] args) throws IOException {
        boolean misses = List.of(args).contains("--misses");
        Path data =
                args.length > 0 && !args[0].startsWith("--")
                        ? Path.of(args[0])
                        : TestData.require();
        PhiLexicon lexicon = PhiLexicon.standard();
        PhiDetector detector = new PhiDetector(lexicon);

        Path presidio = data.resolve("deid-text/presidio_synth_dev.json");
        report(
                "presidio_synth_dev.json, tuning part (no context)",
                PresidioCorpus.load(presidio, lexicon, PresidioCorpus.Part.TUNING),
                detector,
                misses);
        // Held out: scored, never listed (see PresidioCorpus).
        report(
                "presidio_synth_dev.json, held-out part (no context)",
                PresidioCorpus.load(presidio, lexicon, PresidioCorpus.Part.HELD_OUT),
                detector,
                false);

        for (ClinicalNoteGenerator.Set set : ClinicalNoteGenerator.Set.values()) {
            boolean tuning = set == ClinicalNoteGenerator.Set.TUNING;
            List<ClinicalNoteGenerator.Note> notes = ClinicalNoteGenerator.generate(set, NOTES);
            String name = "generated notes, " + set.name().toLowerCase(java.util.Locale.ROOT);
            report(
                    name + ", with the patient's FHIR record as context",
                    ClinicalNoteGenerator.labelled(notes, true),
                    detector,
                    misses && tuning);
            report(
                    name + ", no context",
                    ClinicalNoteGenerator.labelled(notes, false),
                    detector,
                    misses && tuning);
            for (boolean context : new boolean[] {true, false}) {
                TermKeeping kept =
                        TermKeeping.score(notes, context, detector::detect, misses && tuning);
                System.out.println(
                        kept.toMarkdown(name + (context ? ", context" : ", no context")));
                kept.lost().forEach(System.out::println);
            }
        }

        Path synthea = data.resolve("synthea-10pt");
        if (Files.isDirectory(synthea)) {
            report(
                    "Synthea notes, with the patient's FHIR record as context",
                    SyntheaNotesCorpus.load(synthea, true),
                    detector,
                    misses);
            report(
                    "Synthea notes, no context (patterns, dictionaries, cues only)",
                    SyntheaNotesCorpus.load(synthea, false),
                    detector,
                    misses);
        }
    }

    private static void report(
            String title, List<LabelledText> corpus, PhiDetector detector, boolean misses) {
        DeidScorer scorer = DeidScorer.score(corpus, detector::detect, misses);
        System.out.println(scorer.toMarkdown(title));
        if (misses) {
            scorer.misses().forEach(System.out::println);
            System.out.println();
        }
    }
}
