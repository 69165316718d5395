package org.quorum.deid.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Finds PHI in clinical free text. Combines, strongest first: the values the record already holds
 * ({@link KnownPhi}), shaped patterns (dates, numbers, addresses), and proper nouns told apart from
 * English words by dictionaries and cue words. Overlapping findings are merged into one span.
 *
 * <p>Thread-safe once built; build one per process (the lexicon takes a second to load).
 *
 * @see <a
 *     href="https://www.hhs.gov/hipaa/for-professionals/special-topics/de-identification/index.html">HHS
 *     guidance on de-identification (Safe Harbor, §164.514(b)(2))</a>
 */
public final class PhiDetector {

    /**
     * When spans of different types overlap, the merged span takes the first type here: the one
     * with the most specific shape.
     */
    private static final List<PhiType> PRECEDENCE =
            List.of(
                    PhiType.EMAIL,
                    PhiType.URL,
                    PhiType.IP,
                    PhiType.SSN,
                    PhiType.DATE,
                    PhiType.ACCOUNT,
                    PhiType.VEHICLE,
                    PhiType.LICENSE,
                    PhiType.DEVICE,
                    PhiType.FAX,
                    PhiType.PHONE,
                    PhiType.ID,
                    PhiType.AGE,
                    PhiType.ADDRESS,
                    PhiType.ORGANIZATION,
                    PhiType.NAME);

    private static final Pattern ADDRESS_SEGMENT_TOKEN =
            Pattern.compile(
                    "[\\p{Lu}][\\p{L}'.\\-]*|\\p{Lu}{2,}|\\d{1,7}(?:-\\d{1,4})?|[A-Z]\\d[A-Z]|\\d[A-Z]\\d|\\p{Lu}\\d?\\p{Lu}?|\\p{Ll}{1,3}\\.?");

    /**
     * Lower-case words that occur inside place names and address lines: "Ostrov nad Ohří", "ul.".
     */
    private static final java.util.Set<String> ADDRESS_PARTICLES =
            java.util.Set.of(
                    "de", "la", "del", "du", "des", "van", "von", "am", "an", "der", "den", "nad",
                    "pod", "ul", "u", "út", "sur", "upon", "on", "le", "les", "di", "da", "do",
                    "dos", "das", "y", "e", "i", "al", "el", "apt", "ste");

    private final PhiLexicon lexicon;
    private final KnownPhiMatcher knownPhiMatcher;
    private final PatternPhiDetector patterns = new PatternPhiDetector();
    private final ProperNounDetector properNouns;

    public PhiDetector(PhiLexicon lexicon) {
        this.lexicon = lexicon;
        this.knownPhiMatcher = new KnownPhiMatcher(lexicon);
        this.properNouns = new ProperNounDetector(lexicon);
    }

    /** A detector on the standard lexicon (WordNet, datafaker, bundled not-PHI list). */
    public static PhiDetector standard() {
        return new PhiDetector(PhiLexicon.standard());
    }

    /** PHI in a text about no known person. */
    public List<PhiSpan> detect(String text) {
        return detect(text, KnownPhi.empty());
    }

    /**
     * PHI in a text, using what the record already tells.
     *
     * @return non-overlapping spans in text order
     */
    public List<PhiSpan> detect(String text, KnownPhi known) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<Token> tokens = Tokenizer.tokenize(text);
        List<PhiSpan> found = new ArrayList<>();
        found.addAll(knownPhiMatcher.detect(text, tokens, known));
        found.addAll(patterns.detect(text, tokens));
        found.addAll(properNouns.detect(text, tokens));
        List<PhiSpan> merged = merge(found);
        return merge(extendAddresses(text, merged));
    }

    /** Counts of spans per type, e.g. for a de-identification record. */
    public static Map<PhiType, Integer> countByType(List<PhiSpan> spans) {
        Map<PhiType, Integer> counts = new EnumMap<>(PhiType.class);
        for (PhiSpan span : spans) {
            counts.merge(span.type(), 1, Integer::sum);
        }
        return counts;
    }

    /** Merges overlapping spans; the merged span takes the most specific type (see PRECEDENCE). */
    static List<PhiSpan> merge(List<PhiSpan> spans) {
        if (spans.isEmpty()) {
            return List.of();
        }
        List<PhiSpan> sorted = new ArrayList<>(spans);
        Collections.sort(sorted);
        List<PhiSpan> out = new ArrayList<>();
        PhiSpan current = sorted.get(0);
        for (int i = 1; i < sorted.size(); i++) {
            PhiSpan next = sorted.get(i);
            if (next.start() < current.end()) {
                PhiType type = moreSpecific(current, next);
                String rule = type == current.type() ? current.rule() : next.rule();
                current =
                        new PhiSpan(
                                current.start(), Math.max(current.end(), next.end()), type, rule);
            } else {
                out.add(current);
                current = next;
            }
        }
        out.add(current);
        return out;
    }

    // A known value outranks a guess; otherwise the more specific shape wins; on a tie, the longer.
    private static PhiType moreSpecific(PhiSpan a, PhiSpan b) {
        boolean aKnown = a.rule().startsWith("known");
        boolean bKnown = b.rule().startsWith("known");
        if (aKnown != bKnown) {
            return aKnown ? a.type() : b.type();
        }
        if (a.type() == PhiType.NAME && b.type() == PhiType.ADDRESS
                || a.type() == PhiType.ADDRESS && b.type() == PhiType.NAME) {
            return PhiType.ADDRESS;
        }
        if (a.type() != b.type()
                && (a.length() >= 2 * b.length() || b.length() >= 2 * a.length())) {
            // "14 Crown Street … 75419": a ZIP-shaped number inside an address stays an address.
            return a.length() > b.length() ? a.type() : b.type();
        }
        return PRECEDENCE.indexOf(a.type()) <= PRECEDENCE.indexOf(b.type()) ? a.type() : b.type();
    }

    /**
     * Address blocks: after a street, unit or PO box, the lines and comma-separated parts that look
     * like a city, state, country or postal code belong to the address; so does a house number just
     * before the street.
     */
    private List<PhiSpan> extendAddresses(String text, List<PhiSpan> spans) {
        List<PhiSpan> out = new ArrayList<>(spans.size());
        for (PhiSpan span : spans) {
            if (span.type() != PhiType.ADDRESS) {
                out.add(span);
                continue;
            }
            int start = houseNumberBefore(text, span.start());
            int end = span.end();
            int segments = 0;
            int position = end;
            while (segments < 6) {
                int segmentStart = position;
                int newlines = 0;
                // line prefixes of quoted or bulleted text: "> ", "* ", "- "
                while (segmentStart < text.length()
                        && ", \t\n\r>*\u2022?".indexOf(text.charAt(segmentStart)) >= 0) {
                    if (text.charAt(segmentStart) == '\n') {
                        newlines++;
                    }
                    segmentStart++;
                }
                if (newlines > 2 || segmentStart >= text.length()) {
                    break;
                }
                int segmentEnd = segmentStart;
                while (segmentEnd < text.length()
                        && ",;?!\n\r".indexOf(text.charAt(segmentEnd)) < 0
                        && !(text.charAt(segmentEnd) == '.'
                                && segmentEnd + 1 < text.length()
                                && Character.isWhitespace(text.charAt(segmentEnd + 1)))) {
                    segmentEnd++;
                }
                int trimmed = segmentEnd;
                while (trimmed > segmentStart && " \t.?!".indexOf(text.charAt(trimmed - 1)) >= 0) {
                    trimmed--;
                }
                if (trimmed <= segmentStart
                        || !looksLikeAddressLine(text.substring(segmentStart, trimmed))
                        || overlapsOtherIdentifier(spans, segmentStart, trimmed)) {
                    break;
                }
                end = trimmed;
                position = segmentEnd;
                segments++;
            }
            out.add(new PhiSpan(start, end, PhiType.ADDRESS, span.rule()));
        }
        return out;
    }

    // An address block ends where a telephone number, e-mail or date begins.
    private static boolean overlapsOtherIdentifier(List<PhiSpan> spans, int start, int end) {
        for (PhiSpan span : spans) {
            if (span.start() < end
                    && start < span.end()
                    && span.type() != PhiType.ADDRESS
                    && span.type() != PhiType.NAME
                    && span.type() != PhiType.ORGANIZATION) {
                return true;
            }
        }
        return false;
    }

    // "6750 Koskikatu 25", "5112 39 Rue Ibn El-Jazzar": one or two numbers before the street.
    private static int houseNumberBefore(String text, int start) {
        int first = numberBefore(text, start);
        return first < start ? numberBefore(text, first) : start;
    }

    private static int numberBefore(String text, int start) {
        int p = start - 1;
        while (p >= 0 && text.charAt(p) == ' ') {
            p--;
        }
        int digitsEnd = p + 1;
        while (p >= 0 && Character.isDigit(text.charAt(p))) {
            p--;
        }
        boolean isNumber =
                digitsEnd - (p + 1) >= 1 && digitsEnd - (p + 1) <= 6 && digitsEnd < start;
        boolean standsAlone =
                p < 0 || !Character.isLetterOrDigit(text.charAt(p)) && text.charAt(p) != '.';
        return isNumber && standsAlone ? p + 1 : start;
    }

    // A city, state, country or postal-code line: a few capitalised words, codes and numbers.
    private boolean looksLikeAddressLine(String segment) {
        String[] words = segment.trim().split("[\\s]+");
        if (words.length == 0 || words.length > 5 || segment.length() > 48) {
            return false;
        }
        boolean anyWord = false;
        for (String rawWord : words) {
            String word = rawWord.replaceAll("^\\(|\\)$", ""); // "Cyprus (Greek)"
            if (word.isEmpty()) {
                return false;
            }
            Matcher m = ADDRESS_SEGMENT_TOKEN.matcher(word);
            String lower = word.toLowerCase(java.util.Locale.ROOT).replaceAll("[.,]$", "");
            boolean listedPlace = lexicon.isPlace(lower) || lexicon.isCountryOrState(lower);
            if (!m.matches() && !listedPlace) {
                return false;
            }
            if (Character.isLetter(word.charAt(0))
                    && Character.isLowerCase(word.charAt(0))
                    && !listedPlace
                    && !ADDRESS_PARTICLES.contains(lower)) {
                return false;
            }
            anyWord = true;
        }
        return anyWord;
    }
}
