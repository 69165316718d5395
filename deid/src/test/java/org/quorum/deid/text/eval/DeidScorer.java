package org.quorum.deid.text.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.quorum.deid.text.KnownPhi;
import org.quorum.deid.text.PhiSpan;
import org.quorum.deid.text.PhiType;

/**
 * Scores detected spans against gold spans.
 *
 * <p>Token level (the main measure): text is cut into runs of letters and digits. A gold PHI token
 * is found when one detected span covers it whole, whatever type the span has (for removal the type
 * does not matter; the type-matched figure is reported too). A detected token is correct when it
 * touches a gold PHI span. Tokens that only carry a not-PHI label (a country, a job title) count
 * neither way.
 *
 * <p>Span level: a gold span is found when every one of its tokens is covered; a detected span is
 * correct when it touches gold PHI.
 */
public final class DeidScorer {

    /** Counts for one row of the recall table (one gold label). */
    public static final class RecallRow {
        public int goldTokens;
        public int foundTokens;
        public int typeMatchedTokens;
        public int goldSpans;
        public int foundSpans;
        public PhiType type;

        public double tokenRecall() {
            return ratio(foundTokens, goldTokens);
        }

        public double typeMatchedRecall() {
            return ratio(typeMatchedTokens, goldTokens);
        }

        public double spanRecall() {
            return ratio(foundSpans, goldSpans);
        }
    }

    /** Counts for one row of the precision table (one detected type). */
    public static final class PrecisionRow {
        public int detectedTokens;
        public int correctTokens;
        public int detectedSpans;
        public int correctSpans;

        public double tokenPrecision() {
            return ratio(correctTokens, detectedTokens);
        }

        public double spanPrecision() {
            return ratio(correctSpans, detectedSpans);
        }
    }

    private final Map<String, RecallRow> recallByLabel = new TreeMap<>();
    private final Map<PhiType, RecallRow> recallByType = new TreeMap<>();
    private final Map<PhiType, PrecisionRow> precisionByType = new TreeMap<>();
    private final List<String> misses = new ArrayList<>();
    private final boolean keepMisses;
    private int texts;

    /**
     * @param keepMisses remember missed and wrongly found tokens, for tuning (synthetic data only)
     */
    public DeidScorer(boolean keepMisses) {
        this.keepMisses = keepMisses;
    }

    /** Runs a detector over all texts and scores it. */
    public static DeidScorer score(
            List<LabelledText> corpus,
            BiFunction<String, KnownPhi, List<PhiSpan>> detector,
            boolean keepMisses) {
        DeidScorer scorer = new DeidScorer(keepMisses);
        for (LabelledText text : corpus) {
            scorer.add(text, detector.apply(text.text(), text.context()));
        }
        return scorer;
    }

    public void add(LabelledText labelled, List<PhiSpan> detected) {
        texts++;
        String text = labelled.text();
        List<int[]> tokens = tokens(text);
        for (int[] token : tokens) {
            GoldSpan gold = goldFor(labelled.gold(), token);
            boolean neutral = gold == null && touchesNeutral(labelled.gold(), token);
            PhiSpan covering = covering(detected, token[0], token[1]);
            if (gold != null) {
                for (RecallRow row :
                        List.of(
                                recallByLabel.computeIfAbsent(gold.label(), l -> new RecallRow()),
                                recallByType.computeIfAbsent(gold.type(), t -> new RecallRow()))) {
                    row.type = gold.type();
                    row.goldTokens++;
                    if (covering != null) {
                        row.foundTokens++;
                        if (covering.type() == gold.type()) {
                            row.typeMatchedTokens++;
                        }
                    }
                }
                if (covering == null && keepMisses) {
                    misses.add(
                            "MISS "
                                    + gold.label()
                                    + ": "
                                    + text.substring(token[0], token[1])
                                    + "  | "
                                    + context(text, token[0], token[1]));
                }
            }
            PhiSpan touching = touching(detected, token[0], token[1]);
            if (touching != null && !neutral) {
                PrecisionRow row =
                        precisionByType.computeIfAbsent(touching.type(), t -> new PrecisionRow());
                row.detectedTokens++;
                if (gold != null) {
                    row.correctTokens++;
                } else if (keepMisses) {
                    misses.add(
                            "FALSE "
                                    + touching.type()
                                    + " ("
                                    + touching.rule()
                                    + "): "
                                    + text.substring(token[0], token[1])
                                    + "  | "
                                    + context(text, token[0], token[1]));
                }
            }
        }
        for (GoldSpan gold : labelled.gold()) {
            if (!gold.isPhi()) {
                continue;
            }
            boolean allCovered = true;
            boolean anyToken = false;
            for (int[] token : tokens) {
                if (token[0] < gold.end() && gold.start() < token[1]) {
                    anyToken = true;
                    allCovered &= covering(detected, token[0], token[1]) != null;
                }
            }
            if (!anyToken) {
                continue;
            }
            for (RecallRow row :
                    List.of(recallByLabel.get(gold.label()), recallByType.get(gold.type()))) {
                if (row != null) {
                    row.goldSpans++;
                    row.foundSpans += allCovered ? 1 : 0;
                }
            }
        }
        for (PhiSpan span : detected) {
            boolean onNeutralOnly = true;
            boolean correct = false;
            for (GoldSpan gold : labelled.gold()) {
                if (gold.start() < span.end() && span.start() < gold.end()) {
                    correct |= gold.isPhi();
                    onNeutralOnly &= !gold.isPhi();
                }
            }
            if (!correct && onNeutralOnly && touchesAnyNeutral(labelled.gold(), span)) {
                continue;
            }
            PrecisionRow row =
                    precisionByType.computeIfAbsent(span.type(), t -> new PrecisionRow());
            row.detectedSpans++;
            row.correctSpans += correct ? 1 : 0;
        }
    }

    public Map<String, RecallRow> recallByLabel() {
        return recallByLabel;
    }

    public Map<PhiType, RecallRow> recallByType() {
        return recallByType;
    }

    public Map<PhiType, PrecisionRow> precisionByType() {
        return precisionByType;
    }

    /** Missed and wrongly found tokens with their context; empty unless asked for. */
    public List<String> misses() {
        return misses;
    }

    /** Token recall over all gold PHI tokens. */
    public double overallRecall() {
        int gold = 0;
        int found = 0;
        for (RecallRow row : recallByType.values()) {
            gold += row.goldTokens;
            found += row.foundTokens;
        }
        return ratio(found, gold);
    }

    /** Token precision over all detected tokens. */
    public double overallPrecision() {
        int detected = 0;
        int correct = 0;
        for (PrecisionRow row : precisionByType.values()) {
            detected += row.detectedTokens;
            correct += row.correctTokens;
        }
        return ratio(correct, detected);
    }

    /** The recall and precision tables in Markdown. */
    public String toMarkdown(String title) {
        StringBuilder out = new StringBuilder();
        out.append("### ").append(title).append(" (").append(texts).append(" texts)\n\n");
        out.append(
                "| gold label | our type | gold tokens | token recall | type-matched | gold spans | span recall |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, RecallRow> entry : recallByLabel.entrySet()) {
            RecallRow row = entry.getValue();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %d | %.3f | %.3f | %d | %.3f |%n",
                            entry.getKey(),
                            row.type,
                            row.goldTokens,
                            row.tokenRecall(),
                            row.typeMatchedRecall(),
                            row.goldSpans,
                            row.spanRecall()));
        }
        out.append(
                "\n| our type | gold tokens | token recall | type-matched | detected tokens | token precision | detected spans | span precision |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        int goldAll = 0;
        int foundAll = 0;
        for (PhiType type : PhiType.values()) {
            RecallRow recall = recallByType.get(type);
            PrecisionRow precision = precisionByType.get(type);
            if (recall == null && precision == null) {
                continue;
            }
            if (recall != null) {
                goldAll += recall.goldTokens;
                foundAll += recall.foundTokens;
            }
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
                            type,
                            recall == null ? "0" : Integer.toString(recall.goldTokens),
                            recall == null
                                    ? "–"
                                    : String.format(Locale.ROOT, "%.3f", recall.tokenRecall()),
                            recall == null
                                    ? "–"
                                    : String.format(
                                            Locale.ROOT, "%.3f", recall.typeMatchedRecall()),
                            precision == null ? "0" : Integer.toString(precision.detectedTokens),
                            precision == null
                                    ? "–"
                                    : String.format(
                                            Locale.ROOT, "%.3f", precision.tokenPrecision()),
                            precision == null ? "0" : Integer.toString(precision.detectedSpans),
                            precision == null
                                    ? "–"
                                    : String.format(
                                            Locale.ROOT, "%.3f", precision.spanPrecision())));
        }
        out.append(
                String.format(
                        Locale.ROOT,
                        "| **all PHI** | %d | **%.3f** | | | **%.3f** | | |%n",
                        goldAll,
                        ratio(foundAll, goldAll),
                        overallPrecision()));
        return out.toString();
    }

    static List<int[]> tokens(String text) {
        List<int[]> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (!Character.isLetterOrDigit(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < text.length() && Character.isLetterOrDigit(text.charAt(i))) {
                i++;
            }
            tokens.add(new int[] {start, i});
        }
        return tokens;
    }

    private static GoldSpan goldFor(List<GoldSpan> gold, int[] token) {
        for (GoldSpan span : gold) {
            if (span.isPhi() && span.start() < token[1] && token[0] < span.end()) {
                return span;
            }
        }
        return null;
    }

    private static boolean touchesNeutral(List<GoldSpan> gold, int[] token) {
        for (GoldSpan span : gold) {
            if (!span.isPhi() && span.start() < token[1] && token[0] < span.end()) {
                return true;
            }
        }
        return false;
    }

    private static boolean touchesAnyNeutral(List<GoldSpan> gold, PhiSpan detected) {
        for (GoldSpan span : gold) {
            if (!span.isPhi() && span.start() < detected.end() && detected.start() < span.end()) {
                return true;
            }
        }
        return false;
    }

    private static PhiSpan covering(List<PhiSpan> detected, int start, int end) {
        for (PhiSpan span : detected) {
            if (span.covers(start, end)) {
                return span;
            }
        }
        return null;
    }

    private static PhiSpan touching(List<PhiSpan> detected, int start, int end) {
        for (PhiSpan span : detected) {
            if (span.start() < end && start < span.end()) {
                return span;
            }
        }
        return null;
    }

    private static String context(String text, int start, int end) {
        int from = Math.max(0, start - 40);
        int to = Math.min(text.length(), end + 40);
        return text.substring(from, to).replace('\n', '⏎');
    }

    private static double ratio(int numerator, int denominator) {
        return denominator == 0 ? Double.NaN : (double) numerator / denominator;
    }
}
