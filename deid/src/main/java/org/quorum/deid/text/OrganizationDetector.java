package org.quorum.deid.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Organisations named by what they are: one to four capitalised words (or words in capitals) before
 * a kind of organisation, "Maple Terrace Care Home", "Autumn Grove hospice", "HOLLISTER FREIGHT
 * LINES". The kinds ({@code organization-kinds.tsv}) are facility and business kinds of general use
 * (care homes, hospices, clinics, employers' trades), not names.
 */
final class OrganizationDetector {

    private static final WordLists WORDS = WordLists.load("organization-kinds.tsv");
    private static final Set<String> LEADING_STOP_WORDS = WORDS.set("leading-stop-words");

    private final Pattern pattern;

    OrganizationDetector() {
        String kinds =
                WORDS.set("kinds").stream()
                        .sorted(Comparator.comparingInt(String::length).reversed())
                        .map(k -> Pattern.quote(k).replace(" ", "\\E\\s+\\Q"))
                        .collect(Collectors.joining("|"));
        String word = "(?:\\p{Lu}[\\p{L}'\u2019.-]*|\\p{Lu}{2,}|St\\.)";
        this.pattern =
                Pattern.compile(
                        "(?<![\\p{L}\\p{N}])((?:"
                                + word
                                + "[ \\t]+(?:(?:of|the|and|&|de|la)[ \\t]+)?){1,4})(?i:("
                                + kinds
                                + "))(?![\\p{L}])");
    }

    List<PhiSpan> detect(String text) {
        List<PhiSpan> spans = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            int start = m.start(1);
            String name = m.group(1);
            // "To Maple Terrace Care Home", "Dear Sandpiper ...": a leading function word is not
            // part of the name.
            String[] words = name.strip().split("[ \\t]+");
            int skip = 0;
            while (skip < words.length - 1
                    && LEADING_STOP_WORDS.contains(words[skip].toLowerCase(Locale.ROOT))) {
                start = text.indexOf(words[skip + 1], start + words[skip].length());
                skip++;
            }
            if (skip == words.length - 1
                    && LEADING_STOP_WORDS.contains(words[skip].toLowerCase(Locale.ROOT))) {
                continue;
            }
            spans.add(new PhiSpan(start, m.end(2), PhiType.ORGANIZATION, "org-kind"));
        }
        return spans;
    }
}
