package org.quorum.deid.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word-sequence dictionary: finds, in one pass over the tokens, every longest run of tokens that
 * spells a known phrase (case-insensitive, punctuation between words ignored).
 */
final class PhraseTrie {

    private static final class Node {
        final Map<String, Node> children = new HashMap<>(4);
        PhiType type;
    }

    /** A phrase found: token indexes {@code [first, last]} and the phrase's type. */
    record Match(int first, int last, PhiType type) {}

    private final Node root = new Node();
    private int size;

    void add(String phraseKey, PhiType type) {
        Node node = root;
        for (String word : phraseKey.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            node = node.children.computeIfAbsent(word, w -> new Node());
        }
        if (node != root && node.type == null) {
            node.type = type;
            size++;
        }
    }

    int size() {
        return size;
    }

    /**
     * Longest phrase matches, left to right, not overlapping.
     *
     * @param maxGap largest run of characters between two words of a phrase; keeps a phrase from
     *     spanning paragraphs
     */
    List<Match> find(String text, List<Token> tokens, int maxGap) {
        List<Match> matches = new ArrayList<>();
        int i = 0;
        while (i < tokens.size()) {
            Node node = root;
            int bestEnd = -1;
            PhiType bestType = null;
            for (int j = i; j < tokens.size(); j++) {
                if (j > i && tokens.get(j).start() - tokens.get(j - 1).end() > maxGap) {
                    break;
                }
                node = node.children.get(tokens.get(j).lower());
                if (node == null) {
                    break;
                }
                if (node.type != null) {
                    bestEnd = j;
                    bestType = node.type;
                }
            }
            if (bestEnd >= 0) {
                matches.add(new Match(i, bestEnd, bestType));
                i = bestEnd + 1;
            } else {
                i++;
            }
        }
        return matches;
    }
}
