package org.quorum.deid.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Finds the values of a {@link KnownPhi} in text: phrases by words, identifiers whatever their
 * separators, phone numbers by their digits.
 */
final class KnownPhiMatcher {

    private static final Pattern CHUNK = Pattern.compile("[^\\s,;()\\[\\]<>\"]+");
    private static final Pattern PHONE_LIKE =
            Pattern.compile("(?<!\\d)\\+?\\(?\\d[\\d\\s().-]{5,22}\\d(?!\\d)");
    private static final String TRIM = ".:!?'`";

    private final PhiLexicon lexicon;
    // One compiled trie per context; contexts are immutable and usually shared by many notes.
    private final Map<KnownPhi, PhraseTrie> tries = new ConcurrentHashMap<>();

    KnownPhiMatcher(PhiLexicon lexicon) {
        this.lexicon = lexicon;
    }

    List<PhiSpan> detect(String text, List<Token> tokens, KnownPhi known) {
        List<PhiSpan> spans = new ArrayList<>();
        if (known.isEmpty()) {
            return spans;
        }
        matchPhrases(text, tokens, known, spans);
        matchIdentifiers(text, known, spans);
        matchTelecoms(text, known, spans);
        matchInitials(text, known, spans);
        return spans;
    }

    // "BG", "T.D.G.", "M. A. O.": a known person's initials, upper case, as a word of its own.
    private static final Pattern INITIALS =
            Pattern.compile(
                    "(?<![\\p{L}\\d.])(?:[A-Z]\\.\\s?){1,3}[A-Z]\\.?(?![\\p{L}\\d])|(?<![\\p{L}\\d])[A-Z]{2,4}(?![\\p{L}\\d])");

    private static void matchInitials(String text, KnownPhi known, List<PhiSpan> spans) {
        if (known.initials().isEmpty()) {
            return;
        }
        Matcher m = INITIALS.matcher(text);
        while (m.find()) {
            String letters = m.group().replaceAll("[^A-Z]", "");
            // "BP 120/80", "HR 88": letters before a number are a measurement, not a person.
            boolean measurement =
                    text.substring(m.end(), Math.min(text.length(), m.end() + 4))
                            .matches("(?s)^[ \\t:]*\\d.*");
            if (letters.length() >= 2 && known.initials().contains(letters) && !measurement) {
                spans.add(new PhiSpan(m.start(), m.end(), PhiType.NAME, "known-initials"));
            }
        }
    }

    private void matchPhrases(
            String text, List<Token> tokens, KnownPhi known, List<PhiSpan> spans) {
        PhraseTrie trie = tries.computeIfAbsent(known, KnownPhiMatcher::compile);
        if (tries.size() > 10_000) {
            tries.clear(); // a bound, not a cache policy: a CLI run over many patients stays small
        }
        for (PhraseTrie.Match match : trie.find(text, tokens, 3)) {
            Token first = tokens.get(match.first());
            Token last = tokens.get(match.last());
            // A patient called "Will" or "Rose": the lower-case word is not the name.
            if (match.first() == match.last()
                    && match.type() == PhiType.NAME
                    && !known.isStrict()
                    && !first.isCapitalized()
                    && lexicon.isCommonWord(first.lower())) {
                continue;
            }
            spans.add(new PhiSpan(first.start(), last.end(), match.type(), "known-phrase"));
        }
    }

    private static PhraseTrie compile(KnownPhi known) {
        PhraseTrie trie = new PhraseTrie();
        known.phrases().forEach(trie::add);
        return trie;
    }

    private static void matchIdentifiers(String text, KnownPhi known, List<PhiSpan> spans) {
        if (known.identifiers().isEmpty()) {
            return;
        }
        Matcher m = CHUNK.matcher(text);
        while (m.find()) {
            int start = m.start();
            int end = m.end();
            while (end > start && TRIM.indexOf(text.charAt(end - 1)) >= 0) {
                end--;
            }
            while (start < end && TRIM.indexOf(text.charAt(start)) >= 0) {
                start++;
            }
            if (end - start < 4) {
                continue;
            }
            String chunk = text.substring(start, end);
            PhiType type = known.identifiers().get(KnownPhi.normalizeIdentifier(chunk));
            int labelEnd =
                    Math.max(
                            chunk.lastIndexOf(':'),
                            Math.max(chunk.lastIndexOf('#'), chunk.lastIndexOf('=')));
            if (type == null && labelEnd >= 0 && labelEnd < chunk.length() - 1) {
                // "MRN:12345", "ID#12345": the value glued to its label
                type =
                        known.identifiers()
                                .get(KnownPhi.normalizeIdentifier(chunk.substring(labelEnd + 1)));
                start += labelEnd + 1;
            }
            if (type != null) {
                spans.add(new PhiSpan(start, end, type, "known-identifier"));
            }
        }
    }

    private static void matchTelecoms(String text, KnownPhi known, List<PhiSpan> spans) {
        if (known.telecomDigits().isEmpty()) {
            return;
        }
        Matcher m = PHONE_LIKE.matcher(text);
        while (m.find()) {
            String digits = m.group().replaceAll("\\D", "");
            PhiType type = known.telecomDigits().get(digits);
            if (type == null && digits.length() > 10) {
                type = known.telecomDigits().get(digits.substring(digits.length() - 10));
            }
            if (type != null) {
                spans.add(new PhiSpan(m.start(), m.end(), type, "known-telecom"));
            }
        }
    }
}
