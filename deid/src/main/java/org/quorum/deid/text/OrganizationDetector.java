package org.quorum.deid.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Organisations named by what they are: one to four capitalised words (or words in capitals) before
 * a kind of organisation, "Maple Terrace Care Home", "Autumn Grove hospice", "HOLLISTER FREIGHT
 * LINES". The kinds ({@code organization-kinds.tsv}) are facility and business kinds of general use
 * (care homes, hospices, clinics, employers' trades), not names. Kinds are found with a phrase trie
 * in one pass over the tokens; only then are the words before them looked at.
 */
final class OrganizationDetector {

    private static final WordLists WORDS = WordLists.load("organization-kinds.tsv");
    private static final Set<String> LEADING_STOP_WORDS = WORDS.set("leading-stop-words");
    private static final Set<String> CONNECTORS = Set.of("of", "the", "and", "&", "de", "la");

    private final PhraseTrie kinds = new PhraseTrie();

    OrganizationDetector() {
        for (String kind : WORDS.set("kinds")) {
            kinds.add(KnownPhi.phraseKey(kind), PhiType.ORGANIZATION);
        }
    }

    List<PhiSpan> detect(String text, List<Token> tokens) {
        List<PhiSpan> spans = new ArrayList<>();
        for (PhraseTrie.Match match : kinds.find(text, tokens, 2)) {
            int first = match.first();
            int name = first;
            int words = 0;
            // Walk back over capitalised words (and "of", "the" between them) on the same line.
            for (int k = first - 1; k >= 0 && words < 4; k--) {
                String gap = text.substring(tokens.get(k).end(), tokens.get(k + 1).start());
                if (!gap.isBlank() || gap.length() > 2 || gap.contains("\n")) {
                    break;
                }
                Token token = tokens.get(k);
                if (token.isCapitalized() || token.text().equals("St")) {
                    name = k;
                    words++;
                } else if (!CONNECTORS.contains(token.lower()) || k == 0) {
                    break;
                }
            }
            while (name < first && LEADING_STOP_WORDS.contains(tokens.get(name).lower())) {
                name++;
            }
            while (name < first && CONNECTORS.contains(tokens.get(name).lower())) {
                name++;
            }
            if (name < first) {
                spans.add(
                        new PhiSpan(
                                tokens.get(name).start(),
                                tokens.get(match.last()).end(),
                                PhiType.ORGANIZATION,
                                "org-kind"));
            }
        }
        return spans;
    }
}
