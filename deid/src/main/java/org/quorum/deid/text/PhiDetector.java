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

    /**
     * What exported data puts where a field is empty ("Asker nan 1386"): inside an address block it
     * stands for the missing state or city, so the block goes on after it.
     */
    private static final java.util.Set<String> MISSING_VALUE_PLACEHOLDERS =
            java.util.Set.of("nan", "null", "none", "n/a", "na", "-", "--", "\u2014");

    /** A listed first name at the start of a line, then a colon: the speaker in a transcript. */
    private static final Pattern SPEAKER =
            Pattern.compile("(?m)^[ \\t>*?\"]*(\\p{Lu}\\p{Ll}+):[ \\t\"]");

    /** A listed first name addressed: "Don't go, Mark!", "Thanks, Anna?" */
    private static final Pattern VOCATIVE = Pattern.compile(",\\s+(\\p{Lu}\\p{Ll}+)\\s*[!?]");

    /** A listed name owning a relative: "Misty's daughter". */
    private static final Pattern KIN_POSSESSIVE =
            Pattern.compile(
                    "\\b(\\p{Lu}\\p{Ll}+)['\u2019]s\\s+(?:daughter|son|mother|father|wife|husband|sister"
                            + "|brother|mom|mum|dad|child|children|kids?|partner|boyfriend|girlfriend|fianc\u00e9e?"
                            + "|grandmother|grandfather|grandson|granddaughter|aunt|uncle|cousin|niece|nephew"
                            + "|friend|neighbou?r|caregiver|guardian)s?\\b");

    /** Two listed names joined by "and" before a verb people do: "Dale and White were…". */
    private static final Pattern NAME_PAIR_VERB =
            Pattern.compile(
                    "\\b(\\p{Lu}\\p{Ll}+)\\s+(?:and|&)\\s+(\\p{Lu}\\p{Ll}+)\\s+(?:were|are|have|had|said|say"
                            + "|met|married|worked|work|lived|live|wrote|write|founded|started|agreed|told)\\b");

    /** Degrees and suffixes that belong to the name before them: "Kathrine Filemonsen DDS". */
    private static final Pattern CREDENTIALS =
            Pattern.compile(
                    "^,?\\s{1,2}(?:MD|M\\.D\\.|DDS|DMD|DO|PhD|Ph\\.D\\.|RN|NP|PA-C|DPM|DNP|MBBS|FRCS|Jr\\.?|Sr\\.?|II|III|IV)(?![\\p{L}])");

    private final PhiLexicon lexicon;
    private final KnownPhiMatcher knownPhiMatcher;
    private final PatternPhiDetector patterns = new PatternPhiDetector();
    private final OrganizationDetector organizations = new OrganizationDetector();
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
        found.addAll(organizations.detect(text, tokens));
        List<PhiSpan> general = new ArrayList<>(properNouns.detect(text, tokens));
        general.addAll(contextNames(text));
        found.addAll(ClinicalTerms.withoutMeasurementLabels(text, general));
        found.addAll(ClinicalTerms.initialsInContext(text, tokens));
        List<PhiSpan> merged =
                ClinicalTerms.extendIdentifiers(text, merge(withCredentials(text, merge(found))));
        return merge(joinAddressToNameBefore(text, merge(extendAddresses(text, merged))));
    }

    /**
     * Only the known PHI of the record, nothing else: for text that is mostly terminology (coded
     * meanings, labels), where the general rules would take eponyms for names, but no known value
     * may stay.
     *
     * @return non-overlapping spans in text order
     */
    public List<PhiSpan> detectKnown(String text, KnownPhi known) {
        if (text.isEmpty() || known.isEmpty()) {
            return List.of();
        }
        return merge(knownPhiMatcher.detect(text, Tokenizer.tokenize(text), known));
    }

    // Strict matching never asks the lexicon (KnownPhiMatcher consults it only for loose contexts).
    private static final KnownPhiMatcher STRICT_MATCHER = new KnownPhiMatcher(null);

    /**
     * Whether {@link #detectKnown} would find anything in {@code text}, answered without the
     * lexicon: strict known PHI (as DICOM de-identification collects it) is matched without one.
     * Callers that only scrub known values load the dictionaries when a value is actually found.
     *
     * @throws IllegalArgumentException if {@code known} is not {@linkplain KnownPhi#isStrict()
     *     strict}
     */
    public static boolean mentionsKnown(String text, KnownPhi known) {
        if (!known.isStrict()) {
            throw new IllegalArgumentException(
                    "only strict known PHI is matched without a lexicon");
        }
        if (text.isEmpty() || known.isEmpty()) {
            return false;
        }
        return !STRICT_MATCHER.detect(text, Tokenizer.tokenize(text), known).isEmpty();
    }

    /** Names that only their context gives away: speakers, people addressed, relatives' owners. */
    private List<PhiSpan> contextNames(String text) {
        List<PhiSpan> spans = new ArrayList<>();
        for (Pattern pattern : List.of(SPEAKER, VOCATIVE, KIN_POSSESSIVE)) {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                String word = m.group(1).toLowerCase(java.util.Locale.ROOT);
                // Form labels ("Date:", "Note:", "Bot:") are frequent words or too short.
                boolean label =
                        pattern == SPEAKER && (word.length() < 4 || lexicon.isFrequentWord(word));
                if (lexicon.isPersonName(word)
                        && !label
                        && !lexicon.isCalendarWord(word)
                        && !lexicon.isNotPhi(word)) {
                    spans.add(new PhiSpan(m.start(1), m.end(1), PhiType.NAME, "name-context"));
                }
            }
        }
        Matcher pair = NAME_PAIR_VERB.matcher(text);
        while (pair.find()) {
            String a = pair.group(1).toLowerCase(java.util.Locale.ROOT);
            String b = pair.group(2).toLowerCase(java.util.Locale.ROOT);
            // One side a listed name, the other a listed name or no English word ("Muslija and
            // Brown"), or capitalised mid-sentence next to a listed first name ("Dale and White").
            boolean aName = lexicon.isPersonName(a) || !lexicon.isCommonWord(a);
            boolean bName = lexicon.isPersonName(b) || !lexicon.isCommonWord(b);
            if ((lexicon.isPersonName(a) || lexicon.isPersonName(b))
                    && (aName && bName || lexicon.isFirstName(a))
                    && !lexicon.isCalendarWord(a)
                    && !lexicon.isCalendarWord(b)) {
                spans.add(new PhiSpan(pair.start(1), pair.end(1), PhiType.NAME, "name-pair-verb"));
                spans.add(new PhiSpan(pair.start(2), pair.end(2), PhiType.NAME, "name-pair-verb"));
            }
        }
        return spans;
    }

    // A degree or suffix after a name is part of it: it narrows down who it is.
    private static List<PhiSpan> withCredentials(String text, List<PhiSpan> spans) {
        List<PhiSpan> out = new ArrayList<>(spans.size());
        for (PhiSpan span : spans) {
            if (span.type() == PhiType.NAME) {
                Matcher m =
                        CREDENTIALS.matcher(
                                text.substring(
                                        span.end(), Math.min(text.length(), span.end() + 8)));
                if (m.find()) {
                    out.add(
                            new PhiSpan(
                                    span.start(), span.end() + m.end(), span.type(), span.rule()));
                    continue;
                }
            }
            out.add(span);
        }
        return out;
    }

    /**
     * "Růžena and Király u. 15", "at Elm and 5th Street": a name or place joined by "and" to the
     * address right after it on the same line is part of the address (a street corner, a c/o line).
     */
    private static List<PhiSpan> joinAddressToNameBefore(String text, List<PhiSpan> spans) {
        List<PhiSpan> out = new ArrayList<>(spans);
        for (int i = 1; i < spans.size(); i++) {
            PhiSpan address = spans.get(i);
            PhiSpan before = spans.get(i - 1);
            if (address.type() != PhiType.ADDRESS
                    || before.type() != PhiType.NAME && before.type() != PhiType.ADDRESS) {
                continue;
            }
            String gap = text.substring(before.end(), address.start());
            if (gap.equals(" and ") || gap.equals(" & ")) {
                out.add(new PhiSpan(before.start(), address.end(), PhiType.ADDRESS, "address-and"));
            }
        }
        return out;
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
    /** Types whose replacement replaces words, not only digits. */
    private static final java.util.Set<PhiType> WORD_TYPES =
            java.util.EnumSet.of(PhiType.NAME, PhiType.ADDRESS, PhiType.ORGANIZATION);

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
                PhiSpan chosen = type == current.type() ? current : next;
                PhiSpan other = chosen == current ? next : current;
                if (!WORD_TYPES.contains(type)
                        && WORD_TYPES.contains(other.type())
                        && (other.start() < chosen.start() || other.end() > chosen.end())) {
                    // A phone number or identifier replaces digits only: the words of an
                    // address or name around it must not ride along unreplaced.
                    type = other.type();
                    rule = other.rule();
                }
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
            // Written all in lower case ("2407 tawastintie 6, sé, portugal"): so are its city and
            // country, and capitals cannot tell them.
            String own = text.substring(start, end);
            boolean lowerCase = own.equals(own.toLowerCase(java.util.Locale.ROOT));
            int segments = 0;
            int position = end;
            while (segments < 6) {
                int segmentStart = position;
                int newlines = 0;
                // line prefixes of quoted or bulleted text: "> ", "* ", "- "
                while (segmentStart < text.length()
                        && (", \t\n\r>*\u2022?".indexOf(text.charAt(segmentStart)) >= 0
                                // a full stop ending the street line: "Piroska u. 97.\nPorto
                                // Alegre"
                                || text.charAt(segmentStart) == '.'
                                        && segmentStart + 1 < text.length()
                                        && text.charAt(segmentStart + 1) == '\n')) {
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
                if (trimmed <= segmentStart) {
                    break;
                }
                String segment = text.substring(segmentStart, trimmed);
                if (!looksLikeAddressLine(segment, lowerCase)
                        || overlapsOtherIdentifier(spans, segmentStart, trimmed)) {
                    // "Cyprus 13475 in case of an issue": the part that is still an address.
                    int prefix = addressPrefix(segment, lowerCase);
                    if (prefix > 0
                            && !overlapsOtherIdentifier(
                                    spans, segmentStart, segmentStart + prefix)) {
                        end = segmentStart + prefix;
                    }
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

    /**
     * Length of the longest run of leading words of {@code segment} that is an address line and
     * holds a number, a listed place or an all-capital word; 0 if none.
     */
    private int addressPrefix(String segment, boolean lowerCase) {
        Matcher words = Pattern.compile("\\S+").matcher(segment);
        List<Integer> ends = new ArrayList<>();
        while (words.find()) {
            ends.add(words.end());
        }
        for (int n = ends.size() - 1; n >= 1; n--) {
            String prefix = segment.substring(0, ends.get(n - 1));
            String[] prefixWords = prefix.split("\\s+");
            if (looksLikeAddressLine(prefix, lowerCase)
                    && java.util.Arrays.stream(prefixWords).allMatch(PhiDetector::capitalOrNumber)
                    && isAddressAnchor(prefixWords[prefixWords.length - 1])) {
                return ends.get(n - 1);
            }
        }
        return 0;
    }

    private static boolean capitalOrNumber(String word) {
        return !word.equals("I")
                && !word.isEmpty()
                && (Character.isUpperCase(word.charAt(0)) || Character.isDigit(word.charAt(0)));
    }

    // A postal code, a code in capitals ("RS", "OO") or a listed place ends an address line.
    private boolean isAddressAnchor(String word) {
        String lower = word.toLowerCase(java.util.Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", "");
        return word.chars().anyMatch(Character::isDigit)
                || lexicon.isPlace(lower)
                || lexicon.isCountryOrState(lower)
                || word.length() >= 2
                        && word.equals(word.toUpperCase(java.util.Locale.ROOT))
                        && word.chars().anyMatch(Character::isLetter);
    }

    // A city, state, country or postal-code line: a few capitalised words, codes and numbers.
    private boolean looksLikeAddressLine(String segment, boolean lowerCase) {
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
            if (MISSING_VALUE_PLACEHOLDERS.contains(lower)) {
                anyWord = true;
                continue;
            }
            boolean listedPlace =
                    lexicon.isPlace(lower)
                            || lexicon.isCountryOrState(lower)
                            || lowerCase
                                    && lower.chars().allMatch(Character::isLetter)
                                    && !lexicon.isCommonWord(lower);
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
