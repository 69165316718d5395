package org.quorum.deid.text;

import java.util.Locale;

/**
 * A word or number in the text: {@code [start, end)} offsets and the text itself. Letters joined by
 * an apostrophe or hyphen stay one token ("O'Brien", "Jean-Luc").
 */
record Token(int start, int end, String text) {

    String lower() {
        return text.toLowerCase(Locale.ROOT);
    }

    boolean isNumber() {
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    boolean hasDigit() {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isDigit(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    boolean hasLetter() {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isLetter(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** Starts with an upper-case letter. */
    boolean isCapitalized() {
        return Character.isUpperCase(text.codePointAt(0));
    }

    /** Two or more letters, all upper case. */
    boolean isAllCaps() {
        int letters = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isLetter(c)) {
                if (!Character.isUpperCase(c)) {
                    return false;
                }
                letters++;
            }
        }
        return letters >= 2;
    }

    /** A single upper-case letter: a middle initial. */
    boolean isInitial() {
        return text.length() == 1 && Character.isUpperCase(text.charAt(0));
    }

    /**
     * The alphabetic part of a word with a numeric tail ("Sumiko254" → "Sumiko"), for dictionary
     * look-ups; the word itself otherwise.
     */
    String stem() {
        int end = text.length();
        while (end > 0 && Character.isDigit(text.charAt(end - 1))) {
            end--;
        }
        return end > 1 && end < text.length() ? text.substring(0, end) : text;
    }
}
