package org.quorum.deid.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into {@link Token}s: runs of letters and digits, with inner apostrophes and hyphens.
 */
final class Tokenizer {

    private Tokenizer() {}

    static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>(text.length() / 5 + 1);
        int length = text.length();
        int i = 0;
        while (i < length) {
            if (!isWordChar(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < length) {
                char c = text.charAt(i);
                if (isWordChar(c)) {
                    i++;
                } else if (isJoiner(c)
                        && i + 1 < length
                        && Character.isLetter(text.charAt(i + 1))
                        && Character.isLetter(text.charAt(i - 1))) {
                    i++;
                } else {
                    break;
                }
            }
            tokens.add(new Token(start, i, text.substring(start, i)));
        }
        return tokens;
    }

    static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || Character.getType(c) == Character.NON_SPACING_MARK;
    }

    private static boolean isJoiner(char c) {
        return c == '\'' || c == '\u2019' || c == '-';
    }
}
