package org.quorum.deid.text.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.quorum.deid.text.KnownPhi;
import org.quorum.deid.text.PhiSpan;

/**
 * The share of clinical terms (not PHI: eponyms, vital signs, doses, spine levels, scores,
 * screening names, labs) that the de-identifier leaves whole: a term is kept when no detected span
 * touches it.
 */
public final class TermKeeping {

    private final Map<String, int[]> byCategory = new TreeMap<>();
    private final List<String> lost = new ArrayList<>();

    private TermKeeping() {}

    /**
     * @param listLost remember the lost terms (tuning sets only)
     */
    public static TermKeeping score(
            List<ClinicalNoteGenerator.Note> notes,
            boolean withContext,
            BiFunction<String, KnownPhi, List<PhiSpan>> detector,
            boolean listLost) {
        TermKeeping keeping = new TermKeeping();
        for (ClinicalNoteGenerator.Note note : notes) {
            String text = note.labelled().text();
            List<PhiSpan> spans =
                    detector.apply(
                            text, withContext ? note.labelled().context() : KnownPhi.empty());
            for (ClinicalNoteGenerator.Term term : note.terms()) {
                PhiSpan touching = null;
                for (PhiSpan span : spans) {
                    if (span.start() < term.end() && term.start() < span.end()) {
                        touching = span;
                        break;
                    }
                }
                int[] counts = keeping.byCategory.computeIfAbsent(term.category(), c -> new int[2]);
                counts[0]++;
                if (touching == null) {
                    counts[1]++;
                } else if (listLost) {
                    keeping.lost.add(
                            "LOST "
                                    + term.category()
                                    + ": "
                                    + text.substring(term.start(), term.end())
                                    + "  <- "
                                    + touching.type()
                                    + " ("
                                    + touching.rule()
                                    + ") "
                                    + text.substring(touching.start(), touching.end()));
                }
            }
        }
        return keeping;
    }

    public double keptShare() {
        int all = 0;
        int kept = 0;
        for (int[] counts : byCategory.values()) {
            all += counts[0];
            kept += counts[1];
        }
        return all == 0 ? Double.NaN : (double) kept / all;
    }

    public Map<String, int[]> byCategory() {
        return byCategory;
    }

    public List<String> lost() {
        return lost;
    }

    public String toMarkdown(String title) {
        StringBuilder out =
                new StringBuilder(
                        "| clinical terms kept: " + title + " | terms | kept |\n|---|---:|---:|\n");
        int all = 0;
        int kept = 0;
        for (Map.Entry<String, int[]> entry : byCategory.entrySet()) {
            int[] c = entry.getValue();
            all += c[0];
            kept += c[1];
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %.3f |%n",
                            entry.getKey(),
                            c[0],
                            (double) c[1] / c[0]));
        }
        out.append(
                String.format(
                        Locale.ROOT, "| **all** | %d | **%.3f** |%n", all, (double) kept / all));
        return out.toString();
    }
}
