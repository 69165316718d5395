package org.quorum.deid.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * General rules that tell clinical notation from PHI, and that complete identifiers: a word right
 * before a dose or measurement is a drug or a measurement label ("Lasix 20 mg", "SpO2 97%", "Na
 * 134"), not a name or a street; initials in signature positions are a person; an identifier goes
 * on over its hyphenated prefix and suffix ("RAD-2016-501307", "320564-MR").
 */
final class ClinicalTerms {

    private static final WordLists WORDS = WordLists.load("clinical-notation.tsv");

    /** Units and measurement words after a number (UCUM symbols and their usual spellings). */
    private static final Set<String> UNITS = WORDS.set("units");

    /** Initials that are abbreviations, not people ("B.I.D.", "A.M.", "U.S."). */
    private static final Set<String> DOTTED_ABBREVIATIONS = WORDS.set("dotted-abbreviations");

    /** Scores, scales, screening tests, vaccines and signs named without a head noun. */
    private static final Set<String> NAMED_INSTRUMENTS = WORDS.set("named-instruments");

    /** Scores and scales whose names are also family names or places: only with a grade. */
    private static final Set<String> GRADED_INSTRUMENTS = WORDS.set("graded-instruments");

    /** A grade, number or Roman numeral ending a span ("Karnofsky 70", "Denver II"). */
    private static final Pattern TRAILING_GRADE =
            Pattern.compile(
                    "(?:[ \\t]+(?:\\d+(?:[.,/+=-]\\d+)*%?|I{1,3}|IV|VI{0,3}|IX|X|V|(?i:class|grade|stage|type|score|scale|level)))+[.,;:]?$");

    /** A grade, number or Roman numeral right after a span ("Wells 4", "Tanner stage 3"). */
    private static final Pattern GRADE_AFTER =
            Pattern.compile(
                    "^[ \\t]*(?::[ \\t]*)?(?:\\d|(?:I{1,3}|IV|VI{0,3}|IX|X|V)\\b|(?i:class|grade|stage|type|score|scale|criteria)\\b)");

    private static final Pattern NUMBER_THEN_WORD =
            Pattern.compile(
                    "^[ \\t]*(?::[ \\t]*)?(\\d+(?:[.,]\\d+)?)(?:[ \\t]*/[ \\t]*\\d+)?[ \\t]*([%\\p{L}µ/]+)?");
    private static final Pattern GRADED =
            Pattern.compile(
                    "^[ \\t]+(?:(?:class|grade|stage|type|score|scale|level|of)[ \\t]+)?(?:(?:I{1,3}|IV|V|VI{0,3})[ \\t]*)?(?:\\d|I{1,3}\\b|IV\\b)");
    private static final Pattern STREET_AND_NUMBER =
            Pattern.compile("^(\\p{L}[\\p{L}'-]*)\\s+(\\d+(?:[.,]\\d+)?)$");

    private static final Set<PhiType> NAME_LIKE =
            Set.of(PhiType.NAME, PhiType.ADDRESS, PhiType.ORGANIZATION);
    private static final Set<PhiType> IDENTIFIERS =
            Set.of(
                    PhiType.ID,
                    PhiType.ACCOUNT,
                    PhiType.LICENSE,
                    PhiType.DEVICE,
                    PhiType.VEHICLE,
                    PhiType.PHONE);

    private ClinicalTerms() {}

    /**
     * Drops names and addresses found by the general rules that are the label of a measurement: the
     * word is followed by a number with a unit, a decimal, a fraction ("Norco 5/325", "MMSE
     * 24/30"), or it is an acronym or a two-letter word before a number ("NIHSS 4", "Na 134").
     */
    static List<PhiSpan> withoutMeasurementLabels(String text, List<PhiSpan> spans) {
        List<PhiSpan> out = new ArrayList<>(spans.size());
        for (PhiSpan span : spans) {
            if (!NAME_LIKE.contains(span.type())
                    || !(isMeasurementLabel(text, span) || isNamedInstrument(text, span))) {
                out.add(span);
            }
        }
        return out;
    }

    private static boolean isMeasurementLabel(String text, PhiSpan span) {
        String value = text.substring(span.start(), span.end());
        Matcher street = STREET_AND_NUMBER.matcher(value);
        if (street.matches()) {
            // "street-and-number": the number is part of the span.
            String word = street.group(1);
            String after = text.substring(span.end(), Math.min(text.length(), span.end() + 12));
            // A five-digit number after a state code is a ZIP code ("CA 94103"), not a lab value.
            return isAcronymOrShort(word) && street.group(2).length() <= 4
                    || after.matches("(?s)^[.,]\\d.*")
                    || street.group(2).contains(".")
                    || street.group(2).contains(",")
                    || after.matches("(?s)^[ \\t]*(?:/\\s*\\d|%|\\p{L}).*")
                            && unitAt(after.replaceFirst("^[ \\t]*/\\s*\\d+", "").strip())
                    || after.matches("(?s)^/\\d.*");
        }
        if (value.indexOf(' ') >= 0 && !value.matches("\\S+ (?:[A-Z]\\.|[IVX]+)")) {
            return false; // several words: a person ("Ada Lovelace 12 mg" is not a thing)
        }
        String rest = text.substring(span.end(), Math.min(text.length(), span.end() + 32));
        // "APACHE II 18", "NYHA class III": an acronym, then a class word or Roman numeral.
        if (isAcronymOrShort(value) && value.length() >= 3 && GRADED.matcher(rest).find()) {
            return true;
        }
        Matcher m = NUMBER_THEN_WORD.matcher(rest);
        if (!m.find()) {
            return false;
        }
        String number = m.group(1);
        String unit = m.group(2);
        boolean fraction = m.group().contains("/");
        return unit != null && UNITS.contains(unit.toLowerCase(java.util.Locale.ROOT))
                || fraction
                || number.contains(".")
                || isAcronymOrShort(value) && unit == null;
    }

    /**
     * Whether a name or address found by the general rules is the name of a score, scale, screening
     * test, vaccine or sign: "Karnofsky 70", "Cologuard", "Ortolani and Barlow", or a name that is
     * also a family name or place when a grade goes with it ("Denver II", "Wells 4").
     */
    static boolean isNamedInstrument(String text, PhiSpan span) {
        String value = text.substring(span.start(), span.end()).strip();
        Matcher trailing = TRAILING_GRADE.matcher(value);
        String head = value;
        boolean graded = false;
        if (trailing.find() && trailing.start() > 0) {
            head = value.substring(0, trailing.start());
            graded = true;
        }
        String key =
                head.toLowerCase(java.util.Locale.ROOT)
                        .replaceAll("['\u2019]s$", "")
                        .replaceAll("[.,;:]+$", "")
                        .replaceAll("\\s+", " ")
                        .strip();
        if (key.isEmpty()) {
            return false;
        }
        if (NAMED_INSTRUMENTS.contains(key) || allNamedInstruments(key)) {
            return true;
        }
        if (!GRADED_INSTRUMENTS.contains(key)) {
            return false;
        }
        return graded
                || GRADE_AFTER
                        .matcher(
                                text.substring(
                                        span.end(), Math.min(text.length(), span.end() + 24)))
                        .find();
    }

    /** "ortolani and barlow", "tinel/phalen": named instruments joined by and, or, slash, comma. */
    private static boolean allNamedInstruments(String key) {
        String[] words = key.split("\\s*(?:[/,]|\\band\\b|\\bor\\b)\\s*");
        if (words.length < 2) {
            return false;
        }
        for (String word : words) {
            if (!word.isEmpty() && !NAMED_INSTRUMENTS.contains(word)) {
                return false;
            }
        }
        return true;
    }

    private static boolean unitAt(String rest) {
        Matcher m = Pattern.compile("^([%\\p{L}µ/]+)").matcher(rest);
        return m.find() && UNITS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT));
    }

    // Acronyms of labs and scores are short ("Na", "BNP", "NIHSS", "APACHE"); a long word in
    // capitals is more likely a place written so ("ÖVERTURINGEN 840 24").
    private static boolean isAcronymOrShort(String word) {
        String letters = word.replaceAll("[^\\p{L}]", "");
        return letters.length() <= 2
                || letters.length() <= 6
                        && letters.equals(letters.toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * Initials in signature positions ("-JD" or "/RK" ending a line, "by T.D.G.") and dotted
     * capitals that are no abbreviation ("T.D.G.", not "B.I.D."). One pass over the tokens.
     */
    static List<PhiSpan> initialsInContext(String text, List<Token> tokens) {
        List<PhiSpan> spans = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            String word = token.text();
            int length = word.length();
            if (length == 1
                    && isCapitalLetter(word.charAt(0))
                    && followedByDot(text, token.end())) {
                // Dotted initials: two or three capitals, each followed by a dot.
                int last = i;
                while (last + 1 < tokens.size()
                        && last - i < 2
                        && tokens.get(last + 1).text().length() == 1
                        && isCapitalLetter(tokens.get(last + 1).text().charAt(0))
                        && followedByDot(text, tokens.get(last + 1).end())
                        && isDotGap(text, tokens.get(last).end(), tokens.get(last + 1).start())) {
                    last++;
                }
                boolean letterBefore =
                        token.start() > 0 && Character.isLetter(text.charAt(token.start() - 1));
                if (last > i && !letterBefore) {
                    int end = tokens.get(last).end() + 1;
                    String value = text.substring(token.start(), end).replace(" ", "");
                    if (!DOTTED_ABBREVIATIONS.contains(value.toLowerCase(java.util.Locale.ROOT))) {
                        spans.add(
                                new PhiSpan(token.start(), end, PhiType.NAME, "initials-context"));
                    }
                }
                i = last;
                continue;
            }
            if (length < 2
                    || length > 3
                    || !word.chars().allMatch(c -> isCapitalLetter((char) c))) {
                continue;
            }
            int start = token.start();
            char before = start > 0 ? text.charAt(start - 1) : '\n';
            boolean afterBy = start >= 3 && text.regionMatches(true, start - 3, "by ", 0, 3);
            boolean signaturePosition = before == '-' || before == '/' || before == '\n' || afterBy;
            if (signaturePosition && (afterBy || endsLine(text, token.end()))) {
                spans.add(new PhiSpan(start, token.end(), PhiType.NAME, "initials-context"));
            }
        }
        return spans;
    }

    // "T.D.G." or "T. D. G.": only a dot, or a dot and one space, between two initials.
    private static boolean isDotGap(String text, int from, int to) {
        String gap = text.substring(from, to);
        return gap.equals(".") || gap.equals(". ");
    }

    private static boolean isCapitalLetter(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean followedByDot(String text, int end) {
        return end < text.length() && text.charAt(end) == '.';
    }

    private static boolean endsLine(String text, int end) {
        int i = end;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i == text.length() || text.charAt(i) == '\n' || text.charAt(i) == '\r';
    }

    /**
     * Identifiers go on over the hyphenated parts around them: "RAD-2016-501307" is one accession
     * number, "320564-MR" too. Only chunks without spaces, of letters and digits.
     */
    static List<PhiSpan> extendIdentifiers(String text, List<PhiSpan> spans) {
        List<PhiSpan> out = new ArrayList<>(spans.size());
        for (PhiSpan span : spans) {
            if (span.type() == PhiType.AGE) {
                // "93yo", "103y": the unit glued to the number belongs to the age's word.
                int end = span.end();
                while (end < text.length() && Character.isLetter(text.charAt(end))) {
                    end++;
                }
                out.add(new PhiSpan(span.start(), end, span.type(), span.rule()));
                continue;
            }
            if (!IDENTIFIERS.contains(span.type())) {
                out.add(span);
                continue;
            }
            int start = span.start();
            int end = span.end();
            while (start >= 2
                    && text.charAt(start - 1) == '-'
                    && Character.isLetterOrDigit(text.charAt(start - 2))) {
                int s = start - 1;
                while (s > 0 && Character.isLetterOrDigit(text.charAt(s - 1))) {
                    s--;
                }
                start = s;
            }
            while (end + 1 < text.length()
                    && text.charAt(end) == '-'
                    && Character.isLetterOrDigit(text.charAt(end + 1))) {
                int e = end + 1;
                while (e < text.length() && Character.isLetterOrDigit(text.charAt(e))) {
                    e++;
                }
                end = e;
            }
            out.add(new PhiSpan(start, end, span.type(), span.rule()));
        }
        return PhiDetector.merge(out);
    }
}
