package org.quorum.deid.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds PHI that has a recognisable shape: dates, ages over 89, telecoms, e-mail, URLs, IP
 * addresses, SSNs, card and account numbers, IBANs, VINs, licence, device and record numbers,
 * street addresses, unit numbers, PO boxes and ZIP codes. Cue words ("MRN:", "fax", "licence")
 * decide the type of numbers that have no shape of their own.
 */
final class PatternPhiDetector {

    // ---- building blocks -------------------------------------------------------------------
    private static final String MONTH =
            "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
                    + "|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?";
    private static final String WEEKDAY =
            "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\\.?";
    private static final String FULL_WEEKDAY =
            "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)";
    private static final String DAY = "(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?";
    private static final String YEAR4 = "(?:1[89]\\d\\d|20\\d\\d)";
    private static final String TIME =
            "(?:[01]?\\d|2[0-3])(?::[0-5]\\d){1,2}(?:\\.\\d+)?(?:\\s?[ap]\\.?m\\.?)?"
                    + "(?:\\s?(?:z|utc|gmt|[+-]\\d\\d:?\\d\\d|[ecmp][sd]t))?";
    private static final String TIME_TAIL = "(?:(?:\\s*(?:at|@|,)\\s*|\\s+|t)" + TIME + ")?";
    private static final String NOT_BEFORE = "(?<![\\p{L}\\p{N}])";
    private static final String NOT_AFTER = "(?![\\p{L}\\p{N}])";

    // ASCII case folding only: the cues and units are ASCII, and UNICODE_CASE makes every match
    // slower.
    private static final int CI = Pattern.CASE_INSENSITIVE;

    /**
     * A pattern, the group that is PHI, a check on the match, and where a match can start: at
     * tokens the anchor accepts (matching only there is what makes 50 patterns affordable), or
     * anywhere when the anchor is null. A rule with a {@code required} substring is skipped for
     * texts without it.
     */
    private record Rule(
            String name,
            PhiType type,
            Pattern pattern,
            int group,
            BiPredicate<Matcher, String> accept,
            Predicate<Token> anchor,
            String required) {}

    private static final Pattern HOUSE_NUMBER_THEN_WORD =
            Pattern.compile("\\d{1,6}[A-Za-z]?(?:\\s+\\d{1,5})?\\s+\\p{L}{2,}");
    private static final Set<String> DATE_WORDS =
            Set.of(
                    "jan",
                    "january",
                    "feb",
                    "february",
                    "mar",
                    "march",
                    "apr",
                    "april",
                    "may",
                    "jun",
                    "june",
                    "jul",
                    "july",
                    "aug",
                    "august",
                    "sep",
                    "sept",
                    "september",
                    "oct",
                    "october",
                    "nov",
                    "november",
                    "dec",
                    "december",
                    "mon",
                    "monday",
                    "tue",
                    "tues",
                    "tuesday",
                    "wed",
                    "wednesday",
                    "thu",
                    "thur",
                    "thurs",
                    "thursday",
                    "fri",
                    "friday",
                    "sat",
                    "saturday",
                    "sun",
                    "sunday");
    private static final Predicate<Token> ANY_TOKEN = token -> true;
    private static final Predicate<Token> NUMBER_TOKEN =
            token -> Character.isDigit(token.text().charAt(0));
    private static final Predicate<Token> DATE_TOKEN =
            token -> NUMBER_TOKEN.test(token) || DATE_WORDS.contains(token.lower());
    private static final Predicate<Token> DATE_WORD_TOKEN =
            token -> DATE_WORDS.contains(token.lower());

    private final List<Rule> rules = new ArrayList<>();

    PatternPhiDetector() {
        addDateRules();
        addAgeRules();
        addContactRules();
        addNumberRules();
        addAddressRules();
    }

    List<PhiSpan> detect(String text) {
        return detect(text, Tokenizer.tokenize(text));
    }

    List<PhiSpan> detect(String text, List<Token> tokens) {
        List<PhiSpan> spans = new ArrayList<>();
        String lower = text.toLowerCase(Locale.ROOT);
        for (Rule rule : rules) {
            if (rule.required != null && !lower.contains(rule.required)) {
                continue;
            }
            Matcher m =
                    rule.pattern.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
            if (rule.anchor == null) {
                while (m.find()) {
                    record(rule, m, text, spans);
                }
                continue;
            }
            int matchedUntil = -1;
            for (Token token : tokens) {
                if (token.start() < matchedUntil || !rule.anchor.test(token)) {
                    continue;
                }
                // A phone number may open with "+" or "(" just before its first digits.
                int start = token.start();
                boolean opener =
                        start > 0
                                && (text.charAt(start - 1) == '+' || text.charAt(start - 1) == '(');
                if (opener && m.region(start - 1, text.length()).lookingAt()
                        || m.region(start, text.length()).lookingAt()) {
                    matchedUntil = m.end();
                    record(rule, m, text, spans);
                }
            }
        }
        return spans;
    }

    private static void record(Rule rule, Matcher m, String text, List<PhiSpan> spans) {
        int start = m.start(rule.group);
        int end = m.end(rule.group);
        if (start >= 0 && end > start && rule.accept.test(m, text)) {
            int trimmed = trimEnd(text, start, end);
            if (trimmed > start) {
                spans.add(new PhiSpan(start, trimmed, rule.type, rule.name));
            }
        }
    }

    // Sentence punctuation that a greedy pattern may have taken along: "…/path." → "…/path".
    private static int trimEnd(String text, int start, int end) {
        while (end > start + 1 && ".,;:!?)'\"".indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        return end;
    }

    private void add(String name, PhiType type, String regex, int flags) {
        add(name, type, regex, flags, 0, (m, text) -> true);
    }

    private void add(
            String name,
            PhiType type,
            String regex,
            int flags,
            int group,
            BiPredicate<Matcher, String> accept) {
        rules.add(
                new Rule(
                        name,
                        type,
                        Pattern.compile(regex, flags),
                        group,
                        accept,
                        anchorFor(name),
                        requiredFor(name)));
    }

    // Where each rule's matches can begin. Number-shaped rules start at a number, date rules at a
    // number,
    // a month or a weekday; the rest at any word.
    private static Predicate<Token> anchorFor(String rule) {
        return switch (rule) {
            case "date-iso",
                    "date-numeric",
                    "date-numeric-month-year",
                    "age-years-old",
                    "ipv4",
                    "phone-nanp",
                    "number-street-prefix",
                    "phone-international",
                    "phone-groups",
                    "ssn",
                    "card-number",
                    "long-number",
                    "street-address",
                    "street-number-unit",
                    "street-line",
                    "fax-cued-after",
                    "state-zip" ->
                    NUMBER_TOKEN;
            case "date-month-day", "date-day-month" -> DATE_TOKEN;
            case "date-month-day-numeric", "date-ordinal-day" -> NUMBER_TOKEN;
            case "age-words-years-old" -> startsWithOneOf(Set.of("ninety", "one", "a"));
            case "age-cued-words" ->
                    startsWithOneOf(Set.of("age", "aged", "turns", "turned", "turning"));
            case "age-turns" -> startsWithOneOf(Set.of("turns", "turned", "turning", "turn"));
            case "phone-extension" ->
                    token -> {
                        String lower = token.lower();
                        return lower.startsWith("ext")
                                || lower.equals("x")
                                || lower.startsWith("x") && lower.substring(1).matches("\\d+");
                    };
            case "date-month-year", "date-weekday" -> DATE_WORD_TOKEN;
            case "alphanumeric-id", "iban", "vin" -> token -> token.hasDigit() && token.hasLetter();
            case "ipv6", "mac-address", "uuid" -> PatternPhiDetector::isHex;
            case "ssn-cued" -> startsWithOneOf(Set.of("ssn", "social", "ss"));
            case "age-nonagenarian" ->
                    startsWithOneOf(Set.of("nonagenarian", "centenarian", "supercentenarian"));
            case "url-scheme" -> startsWithOneOf(Set.of("http", "ftp", "sftp"));
            case "url-www" -> startsWithOneOf(Set.of("www"));
            case "po-box" -> startsWithOneOf(Set.of("p", "po", "post", "box"));
            case "military-mail" -> startsWithOneOf(Set.of("psc", "cmr", "unit"));
            case "military-post-office" -> startsWithOneOf(Set.of("apo", "fpo", "dpo"));
            case "street-corner" -> startsWithOneOf(Set.of("the", "corner"));
            case "street-suffix-number" -> Token::isCapitalized;
            case "street-prefix-number" ->
                    startsWithOneOf(
                            Set.of(
                                    "ul",
                                    "al",
                                    "os",
                                    "pl",
                                    "str",
                                    "av",
                                    "avda",
                                    "avenida",
                                    "rua",
                                    "rúa",
                                    "calle",
                                    "c",
                                    "via",
                                    "rue",
                                    "strada",
                                    "piazza",
                                    "praça",
                                    "plaza",
                                    "carrer",
                                    "paseo",
                                    "travessa"));
            case "address-cue" ->
                    startsWithOneOf(
                            Set.of(
                                    "addr",
                                    "residence",
                                    "resides",
                                    "lives",
                                    "return",
                                    "send",
                                    "deliver"));
            case "unit" ->
                    startsWithOneOf(
                            Set.of(
                                    "apt",
                                    "apartment",
                                    "suite",
                                    "ste",
                                    "unit",
                                    "room",
                                    "rm",
                                    "bldg"));
            case "age-cued" -> startsWithOneOf(Set.of("age"));
            case "date-dob" -> startsWithOneOf(Set.of("dob", "d", "date", "birth", "born"));
            case "date-cued-year" ->
                    token -> token.text().length() == 4 && NUMBER_TOKEN.test(token);
            default -> ANY_TOKEN;
        };
    }

    private static boolean isHex(Token token) {
        String text = token.text();
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    // A substring (lower case) without which the rule cannot match: skips the rule for most texts.
    private static String requiredFor(String rule) {
        return switch (rule) {
            case "email" -> "@";
            case "url-scheme" -> "://";
            case "url-www" -> "www.";
            case "ipv6", "mac-address" -> ":";
            case "uuid" -> "-";
            case "street-corner" -> "corner";
            case "po-box", "military-mail" -> "box";
            case "age-nonagenarian" -> "arian";
            default -> null;
        };
    }

    // ---- dates: 45 CFR 164.514(b)(2)(i)(C) "all elements of dates (except year)" ----------------
    private void addDateRules() {
        String weekdayPrefix = "(?:" + WEEKDAY + ",?\\s+)?";
        // 2021-03-04, 2021/03/04, 2021.03.04, with an optional time: ISO 8601 and its relatives.
        add(
                "date-iso",
                PhiType.DATE,
                NOT_BEFORE
                        + weekdayPrefix
                        + YEAR4
                        + "([-/.])(?:0?[1-9]|1[0-2])\\1(?:0?[1-9]|[12]\\d|3[01])"
                        + TIME_TAIL
                        + NOT_AFTER,
                CI);
        // 3/4/2021, 03-04-21, 4.3.2021 (US month-first and European day-first alike)
        add(
                "date-numeric",
                PhiType.DATE,
                NOT_BEFORE
                        + weekdayPrefix
                        + "(?:0?[1-9]|[12]\\d|3[01])([-/.])(?:0?[1-9]|[12]\\d|3[01])\\1(?:"
                        + YEAR4
                        + "|\\d\\d)"
                        + TIME_TAIL
                        + "(?![\\p{L}\\p{N}]|[-/.]\\d)",
                CI);
        // March 3, 2021 / Mar. 3rd 2021 / March 3 / Thursday, March 3
        add(
                "date-month-day",
                PhiType.DATE,
                NOT_BEFORE
                        + weekdayPrefix
                        + MONTH
                        + "\\s*"
                        + DAY
                        + "(?:,?\\s*"
                        + YEAR4
                        + ")?"
                        + TIME_TAIL
                        + NOT_AFTER,
                CI,
                0,
                (m, text) -> notLowerCaseMayOrMarch(m));
        // 3 March 2021 / 3rd of March / 03-Mar-2021 / 3 Mar 21
        add(
                "date-day-month",
                PhiType.DATE,
                NOT_BEFORE
                        + weekdayPrefix
                        + DAY
                        + "(?:\\s+of\\s+|[\\s-]*)"
                        + MONTH
                        + "(?:[\\s,-]*(?:"
                        + YEAR4
                        + "|'?\\d\\d(?![\\d:])))?"
                        + TIME_TAIL
                        + NOT_AFTER,
                CI,
                0,
                (m, text) -> notLowerCaseMayOrMarch(m));
        // March 2021 / Mar-2021 / March of 2021
        add(
                "date-month-year",
                PhiType.DATE,
                NOT_BEFORE + MONTH + "(?:\\s+of\\s+|[\\s,-]+)" + YEAR4 + NOT_AFTER,
                CI,
                0,
                (m, text) -> notLowerCaseMayOrMarch(m));
        // 03/2021, 3/21 is too ambiguous; month/four-digit-year only.
        add(
                "date-numeric-month-year",
                PhiType.DATE,
                NOT_BEFORE + "(?:0?[1-9]|1[0-2])/" + YEAR4 + NOT_AFTER,
                0);
        // Weekday names on their own: with a week or a year known they pin down a date.
        add("date-weekday", PhiType.DATE, NOT_BEFORE + FULL_WEEKDAY + "s?" + NOT_AFTER, CI);
        // A year after a cue: "in 1975", "born 1975", "since 2001". Safe Harbor keeps years, but
        // years
        // can reveal an age over 89 and the date-shift policy must move them consistently.
        add(
                "date-cued-year",
                PhiType.DATE,
                "(?<=(?i:\\b(?:in|since|from|until|till|during|born|year|circa|c\\.|by|of|early"
                        + "|late|mid|spring|summer|autumn|fall|winter|before|after|around|dob:?"
                        // "a 1973 film", "the 2010 season": an article before a year-shaped
                        // number, when no unit follows it (see below).
                        + "|a|an|the)\\s{1,3}(?:the\\s{1,3}year\\s{1,3})?))"
                        + YEAR4
                        + "(?!\\s*(?:mg|mcg|ml|units?|unt|iu|%|kg|g|cc|calories?|kcal|cal|steps|ft|feet"
                        + "|m|meters?|metres?|miles?|km|lbs?|pounds?|dollars?|usd|patients|people|cases)\\b)"
                        + NOT_AFTER,
                0);
        // 3/16, 03/16: month/day without a year, unless a measurement or score is written so
        // ("BP 120/80", "pain 6/10", "Apgars 7/9", "MMSE 24/30").
        add(
                "date-month-day-numeric",
                PhiType.DATE,
                "(?<![\\p{L}\\p{N}/.,:-])(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\\d|3[01])(?![\\p{N}/]|[.,]\\d|\\s*(?:mmhg|scale|score|strength|power)\\b)",
                CI,
                0,
                (m, text) -> !measurementBefore(text, m.start()));
        // "on the 16th", "since the 3rd": a day of the month alone.
        add(
                "date-ordinal-day",
                PhiType.DATE,
                "(?<=\\bthe\\s)(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)\\b"
                        + "(?=\\s*(?:[.,;:)!?]|$|\\n|(?:at|and|or|to|with|for|in|when|if|from|until|through|of\\s+(?:this|the|next|last|that)\\s+month)\\b))",
                CI);
        // Date-of-birth cues with any following date-like token (two-digit years, odd separators).
        add(
                "date-dob",
                PhiType.DATE,
                "(?i:\\b(?:dob|d\\.o\\.b\\.|date of birth|birth ?date|born(?: on)?)\\s*[:#-]?\\s*)"
                        + "(\\d{1,4}[-/. ]\\d{1,2}[-/. ]\\d{1,4})",
                0,
                1,
                (m, text) -> true);
    }

    /** Scores and vital signs write numbers as x/y: the words just before say so. */
    private static final Pattern MEASUREMENT_BEFORE =
            Pattern.compile(
                    "(?i)(?:\\b(?:bp|b/p|blood pressure|pressure|pain|score|scores|apgars?|mmse|moca|gcs|strength|power|snellen|vision|acuity|ratio|grade|stage|murmur|reflexes|dtrs?|motor|sensation|x)\\b"
                            + "|\\d)[\\s:=of]*(?:was|is|of|at|now|\\s)*$");

    static boolean measurementBefore(String text, int start) {
        String before = text.substring(Math.max(0, start - 24), start);
        int newline = before.lastIndexOf('\n');
        if (newline >= 0) {
            before = before.substring(newline + 1);
        }
        return MEASUREMENT_BEFORE.matcher(before).find();
    }

    // Lower-case "may" and "march" are usually the verb and the noun: "may 2 weeks" is not a date.
    private static boolean notLowerCaseMayOrMarch(Matcher m) {
        String found = m.group();
        return !(found.contains("may")
                || found.contains("march")
                || found.contains("mar ")
                || found.contains("sat ")
                || found.contains("sun ")
                || found.contains("wed "));
    }

    // ---- ages over 89: 164.514(b)(2)(i)(C) ------------------------------------------------------
    private void addAgeRules() {
        String over89 = "(9\\d|1[0-2]\\d)";
        add(
                "age-years-old",
                PhiType.AGE,
                NOT_BEFORE + over89 + "(?:[\\s-]*(?:years?|yrs?|y/?o|y\\.o\\.|yo)\\b)",
                CI,
                1,
                (m, text) -> true);
        add(
                "age-cued",
                PhiType.AGE,
                "(?i:\\b(?:age|aged|age of|ages)\\s*:?\\s*)" + over89 + NOT_AFTER,
                0,
                1,
                (m, text) -> true);
        // Written out: "ninety-seven years old", "one hundred and two y/o", "aged ninety".
        String unitWord = "(?:one|two|three|four|five|six|seven|eight|nine)";
        String over89Words =
                "((?:ninety(?:[\\s-]"
                        + unitWord
                        + ")?"
                        + "|(?:one|a)\\s+hundred(?:(?:\\s+and)?[\\s-]+(?:"
                        + unitWord
                        + "|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty))?))";
        add(
                "age-words-years-old",
                PhiType.AGE,
                NOT_BEFORE + over89Words + "(?:[\\s-]*(?:years?|yrs?|y/?o|y\\.o\\.|yo)\\b)",
                CI,
                1,
                (m, text) -> true);
        add(
                "age-cued-words",
                PhiType.AGE,
                "(?i:\\b(?:age|aged|age of|turns|turned|turning)\\s*:?\\s*)"
                        + over89Words
                        + NOT_AFTER,
                CI,
                1,
                (m, text) -> true);
        add(
                "age-turns",
                PhiType.AGE,
                "(?i:\\b(?:turns|turned|turning|turn)\\s+)" + over89 + NOT_AFTER,
                0,
                1,
                (m, text) -> true);
        add(
                "age-nonagenarian",
                PhiType.AGE,
                "\\b(?:nonagenarian|centenarian|supercentenarian)\\b",
                CI);
    }

    // ---- e-mail, URL, IP, telephone, fax -------------------------------------------------------
    private void addContactRules() {
        add(
                "email",
                PhiType.EMAIL,
                "[\\p{L}\\p{N}._%+-]+@[\\p{L}\\p{N}-]+(?:\\.[\\p{L}\\p{N}-]+)*\\.\\p{L}{2,}",
                0);
        add("url-scheme", PhiType.URL, "\\b(?:https?|ftp|sftp)://[^\\s<>\"']+", CI);
        add(
                "url-www",
                PhiType.URL,
                "\\bwww\\.[\\p{L}\\p{N}-]+(?:\\.[\\p{L}\\p{N}-]+)+(?:/[^\\s<>\"']*)?",
                CI);
        add(
                "url-domain",
                PhiType.URL,
                NOT_BEFORE
                        + "(?<![@.])[\\p{L}\\p{N}][\\p{L}\\p{N}-]+(?:\\.[\\p{L}\\p{N}-]+)*"
                        + "\\.(?:com|org|net|edu|gov|mil|info|biz|io|health|care|clinic|hospital|app|dev|ai|co\\.uk|org\\.uk"
                        + "|com\\.au|com\\.br|com\\.cy|com\\.pt|us|uk|ca|de|fr|nl|be|ch|at|se|dk|no|fi|is|es|it|pt|pl|cz|hu|ie|au|nz|br|cy|jp|cn|in|ru)"
                        + "(?:/[^\\s<>\"']*)?(?![\\p{L}\\p{N}@])",
                CI);
        add(
                "ipv4",
                PhiType.IP,
                NOT_BEFORE
                        + "(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
                        + "(?![\\p{N}]|\\.\\d)",
                0);
        add(
                "ipv6",
                PhiType.IP,
                NOT_BEFORE
                        + "(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?"
                        + "(?![\\p{L}\\p{N}])",
                CI,
                0,
                (m, text) -> m.group().length() >= 6 && m.group().matches(".*\\d.*"));
        // North American numbers: (555) 810-7203, 555.810.7203, +1 555 810 7203 x12
        String extension = "(?:\\s*(?:x|ext\\.?|extension)\\s*\\d{1,6})?";
        add(
                "phone-nanp",
                PhiType.PHONE,
                "(?<![\\p{N}\\p{L}])(?:\\+?1[\\s.-]?)?\\(?[2-9]\\d{2}\\)?[\\s./-]?\\d{3}[\\s.-]?\\d{4}"
                        + extension
                        + "(?![\\p{N}])",
                CI);
        // An extension on its own: "ext. 2204", "extension 514", "x4471".
        add(
                "phone-extension",
                PhiType.PHONE,
                "(?<![\\p{L}\\p{N}])(?:ext\\.?|extension|x)\\s?\\d{3,6}(?![\\p{N}])",
                CI,
                0,
                (m, text) ->
                        !m.group().toLowerCase(java.util.Locale.ROOT).startsWith("x")
                                || m.group().length() >= 4 && !measurementBefore(text, m.start()));
        // International: +41 (0)38 549 02 90, +447700 208 815, 0033 1 23 45 67 89
        add(
                "phone-international",
                PhiType.PHONE,
                "(?<![\\p{N}\\p{L}])(?:\\+|00)\\d{1,3}(?:[\\s.-]?\\(0\\))?(?:[\\s.-]?\\(?\\d{1,5}\\)?){1,6}"
                        + extension
                        + "(?![\\p{N}])",
                CI,
                0,
                (m, text) -> digitCount(m.group(), 8, 16));
        // Digit groups: 0487 98 11 92, 01.84.17.61.18, 358 0594, 001-518-640-0854x123
        add(
                "phone-groups",
                PhiType.PHONE,
                "(?<![\\p{N}\\p{L}.,/:])\\(?\\d{2,5}\\)?(?:[ .-]\\(?\\d{2,8}\\)?){1,4}"
                        + extension
                        + "(?![\\p{N}]|[.,/:]\\d|\\s*(?:mg|mcg|ml|g|kg|units?|unt|mmol|%|/))",
                CI,
                0,
                (m, text) ->
                        digitCount(m.group(), 7, 15) && !m.group().matches("\\d{3}-\\d{2}-\\d{4}"));
    }

    // ---- identifiers ---------------------------------------------------------------------------
    private void addNumberRules() {
        add(
                "ssn",
                PhiType.SSN,
                NOT_BEFORE + "\\d{3}([- ])\\d{2}\\1\\d{4}" + NOT_AFTER,
                0,
                0,
                (m, text) -> true);
        add(
                "ssn-cued",
                PhiType.SSN,
                "(?i:\\b(?:ssn|social security(?: number| no\\.?| #)?|ss#)\\s*(?:is|:|#|no\\.?)?\\s*)"
                        + "(\\d{3}[- ]?\\d{2}[- ]?\\d{4})"
                        + NOT_AFTER,
                0,
                1,
                (m, text) -> true);
        // Payment cards: 13-19 digits, possibly in groups of four.
        add(
                "card-number",
                PhiType.ACCOUNT,
                NOT_BEFORE
                        + "(?:\\d{4}[- ]){3}\\d{1,7}"
                        + NOT_AFTER
                        + "|"
                        + NOT_BEFORE
                        + "\\d{13,19}"
                        + NOT_AFTER,
                0);
        // ISO 13616 IBAN: country, check digits, up to 30 alphanumerics (print form groups of
        // four).
        add(
                "iban",
                PhiType.ACCOUNT,
                "\\b[A-Z]{2}\\d{2}(?:\\s?[A-Z0-9]{4}){2,7}(?:\\s?[A-Z0-9]{1,3})?\\b",
                0);
        // ISO 3779 VIN: 17 characters, no I, O or Q.
        add(
                "vin",
                PhiType.VEHICLE,
                "\\b(?=[A-HJ-NPR-Z0-9]*\\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}\\b",
                0);
        add("mac-address", PhiType.DEVICE, "\\b(?:[0-9A-F]{2}[:-]){5}[0-9A-F]{2}\\b", CI);
        add(
                "uuid",
                PhiType.ID,
                "\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b",
                CI);

        String value = "((?=[A-Za-z0-9-]*\\d)[A-Za-z0-9][A-Za-z0-9-]{2,}[A-Za-z0-9])";
        String gap = "[^\\n\\d]{0,30}?";
        cued(
                "mrn-cued",
                PhiType.ID,
                "mrn|medical record(?: number| no\\.?| #)?|record (?:number|no\\.?|#)|chart (?:number|no\\.?|#)"
                        + "|patient id|pt id|hospital (?:number|no\\.?)|accession(?: number| no\\.?| #)?|encounter (?:number|id)|visit (?:number|id)"
                        + "|health plan(?: number| id)?|member(?: id| number| no\\.?)|beneficiary(?: id| number)?|policy(?: number| no\\.?| #)?"
                        + "|subscriber(?: id| number)?|group(?: number| no\\.?| #)|insurance id|claim(?: number| no\\.?| #)|case(?: number| no\\.?| #)"
                        + "|passport(?: number| no\\.?| #)?|id(?: number| no\\.?| #)|identifier",
                gap,
                value);
        cued(
                "account-cued",
                PhiType.ACCOUNT,
                "account(?: number| no\\.?| #)?|acct\\.?|a/c|card(?: number| no\\.?| #)|iban|routing(?: number)?",
                gap,
                value);
        cued(
                "license-cued",
                PhiType.LICENSE,
                "driver'?s? licen[cs]e(?: number| no\\.?| #)?|licen[cs]e(?: number| no\\.?| #)?|lic\\.?|dl"
                        + "|dea(?: number| no\\.?| #)?|npi|certificate(?: number| no\\.?| #)?|cert\\.?(?: no\\.?| #)?|permit(?: number| no\\.?)?"
                        + "|registration(?: number| no\\.?)?|upin",
                gap,
                value);
        cued(
                "vehicle-cued",
                PhiType.VEHICLE,
                "(?:licen[cs]e |number |registration )?plates?(?: number| no\\.?| #)?|vin|vehicle(?: id| number)?"
                        + "|tag number",
                gap,
                "([A-Z0-9][A-Z0-9 -]{1,7}[A-Z0-9])");
        cued(
                "device-cued",
                PhiType.DEVICE,
                "serial(?: number| no\\.?| #)?|s/n|sn|device(?: id| number| identifier)?|udi|imei|model(?: number| no\\.?)"
                        + "|lot(?: number| no\\.?| #)?|pacemaker|implant id",
                gap,
                value);
        // Fax: the number after the cue on the same line ("Fax: 555-…"), or just before it ("555-…
        // fax").
        add(
                "fax-cued",
                PhiType.FAX,
                "(?i:\\b(?:fax|facsimile)(?: number| no\\.?| #)?\\b)[^\\n\\d+]{0,12}?[:#]?[ \\t]*"
                        + "(\\+?[\\d(][\\d \\t().-]{5,}\\d(?:x\\d+)?)",
                0,
                1,
                (m, text) -> true);
        add(
                "fax-cued-after",
                PhiType.FAX,
                "(\\+?[\\d(][\\d \\t().-]{5,}\\d(?:x\\d+)?)[ \\t]*\\(?(?i:fax)\\b",
                0,
                1,
                (m, text) -> true);
        cued(
                "zip-cued",
                PhiType.ADDRESS,
                "zip(?: code)?|postal code|postcode|post code",
                gap,
                "([A-Z0-9]{3,5}(?:[ -]?[A-Z0-9]{2,4})?)");
        // Other long numbers: at six digits or more, a number in a note is an identifier of
        // something.
        add("long-number", PhiType.ID, NOT_BEFORE + "\\d{6,}" + NOT_AFTER, 0);
        add(
                "alphanumeric-id",
                PhiType.ID,
                NOT_BEFORE
                        + "(?=[A-Za-z]*\\d)(?=(?:[A-Za-z-]*\\d){4})(?=\\d*[A-Za-z])[A-Za-z0-9]{2,}(?:-[A-Za-z0-9]+)*"
                        + NOT_AFTER,
                0,
                0,
                (m, text) -> isIdentifierLike(m.group()));
    }

    private void cued(String name, PhiType type, String cue, String gap, String value) {
        String regex = "(?i:\\b(?:" + cue + ")\\b)" + gap + "[:#]?\\s*" + value;
        rules.add(
                new Rule(
                        name,
                        type,
                        Pattern.compile(regex),
                        1,
                        (m, text) -> true,
                        startsWithOneOf(firstWords(cue)),
                        null));
    }

    /** The leading letters of each top-level alternative of a cue: where a cued match can start. */
    static Set<String> firstWords(String alternatives) {
        Set<String> words = new java.util.HashSet<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= alternatives.length(); i++) {
            char c = i < alternatives.length() ? alternatives.charAt(i) : '|';
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                String alternative = alternatives.substring(start, i);
                int end = 0;
                while (end < alternative.length() && Character.isLetter(alternative.charAt(end))) {
                    end++;
                }
                // a letter followed by "?" is optional: the prefix before it is what is certain
                if (end < alternative.length() && alternative.charAt(end) == '?' && end > 0) {
                    end--;
                }
                words.add(alternative.substring(0, Math.max(end, 1)).toLowerCase(Locale.ROOT));
                start = i + 1;
            }
        }
        return words;
    }

    private static Predicate<Token> startsWithOneOf(Set<String> prefixes) {
        return token -> {
            String lower = token.lower();
            for (String prefix : prefixes) {
                // short cues ("s" of "s/n", "in") must be the whole word; longer ones may begin one
                if (prefix.length() <= 2 ? lower.equals(prefix) : lower.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        };
    }

    // Letters and at least four digits, not a dose or measurement ("500mg") nor a code like
    // "hba1c".
    private static boolean isIdentifierLike(String token) {
        String lower = token.toLowerCase(Locale.ROOT);
        if (lower.matches("\\d+(?:mg|mcg|ml|mm|cm|kg|g|hrs?|min|mmhg|iu|st|nd|rd|th|s)")) {
            return false;
        }
        return token.length() >= 5;
    }

    private static boolean digitCount(String text, int min, int max) {
        int digits = 0;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isDigit(text.charAt(i))) {
                digits++;
            }
        }
        return digits >= min && digits <= max;
    }

    // ---- addresses: 164.514(b)(2)(i)(B)
    // ----------------------------------------------------------
    private void addAddressRules() {
        String suffix =
                "(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|terrace|ter"
                        + "|circle|cir|way|highway|hwy|parkway|pkwy|square|sq|trail|trl|loop|crescent|cres|close|row|alley|plaza"
                        + "|pike|turnpike|run|path|walk|point|ridge|heights|hts|gardens|grove|park|crossing|xing|expressway|freeway)\\.?";
        String streetWord =
                "(?:[\\p{Lu}][\\p{L}'.-]*|\\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
                        + "|north|south|east|west|n\\.?|s\\.?|e\\.?|w\\.?)";
        String unit =
                "(?:[,\\s]*(?:apt|apartment|suite|ste|unit|room|rm|floor|fl|bldg|building|#)\\.?\\s*#?\\s*[\\p{L}\\p{N}-]+)?";
        // 123 Main Street, 4 W. 5th Ave Apt 2, 3911 fourth avenue suite 112
        add(
                "street-address",
                PhiType.ADDRESS,
                "\\b\\d{1,6}[A-Za-z]?(?:-\\d{1,5})?\\s+(?:"
                        + streetWord
                        + "\\s+){1,4}"
                        + suffix
                        + "(?=[\\s,;]|$)"
                        + unit,
                CI,
                0,
                PatternPhiDetector::streetSuffixIsNotATitle);
        add(
                "unit",
                PhiType.ADDRESS,
                "\\b(?:apt|apartment|suite|ste|unit|room|rm|bldg)\\.?\\s*#?\\s*\\d+[A-Za-z]?\\b",
                CI);
        add(
                "po-box",
                PhiType.ADDRESS,
                "\\b(?:p\\.?\\s?o\\.?\\s*box|post office box|box)\\s+\\d+",
                CI);
        // US military mail: PSC 1234, Box 5678 / APO AE 09012
        add("military-mail", PhiType.ADDRESS, "\\b(?:psc|cmr|unit)\\s+\\d+,?\\s+box\\s+\\d+", CI);
        add(
                "military-post-office",
                PhiType.ADDRESS,
                "\\b(?:apo|fpo|dpo)\\s+(?:aa|ae|ap)\\s+\\d{5}\\b",
                CI);
        // European streets, name then street word then number: "Gyula utca 76", "Trenerys gate
        // 232".
        add(
                "street-suffix-number",
                PhiType.ADDRESS,
                "\\b[\\p{Lu}][\\p{L}'-]+(?:\\s+[\\p{Lu}][\\p{L}'-]+){0,2}\\s+"
                        + "(?i:u|utca|út|rkp|krt|körút|tér|gate|gata|gatan|vei|veien|vej|vägen|väg|straße|strasse|str|weg|laan"
                        + "|straat|gasse|gade|katu|tie|kuja|polku|allee|platz|ring)\\.?\\s+\\d{1,5}[a-zA-Z]?\\b",
                0);
        // A house number, a street name in any script, a number, then a unit: "0605 πεντέλης 210
        // apt. 999", "6570 Jiřího z Poděbrad 1874\n Apt. 008".
        add(
                "street-number-unit",
                PhiType.ADDRESS,
                "\\b\\d{1,6}\\s+[\\p{L}'.-]+(?:\\s+[\\p{L}'.-]+){0,3}\\s+\\d{1,5}[a-zA-Z]?[,\\s]{1,4}"
                        + "(?:apt|apartment|suite|ste|unit)\\.?\\s*#?\\s*\\d+\\b",
                CI | Pattern.UNICODE_CASE);
        // A line that is only a house number, a capitalised street name and a number:
        // "07960 Aqqusinersuaq 111".
        add(
                "street-line",
                PhiType.ADDRESS,
                "(?m)(?<=^[ \\t]{0,8})\\d{1,6}[ \\t]+(?:[\\p{Lu}][\\p{L}'.-]+[ \\t]+){1,3}\\d{1,5}[a-zA-Z]?(?=[ \\t]*$)",
                0);
        // US Navy and Coast Guard ships, addressed through a fleet post office: "USS Mahler\nFPO
        // AA".
        add(
                "ship-address",
                PhiType.ADDRESS,
                "\\b(?:USS|USNS|USCGC)\\s+[\\p{Lu}][\\p{L}'.-]+(?:\\s+[\\p{Lu}][\\p{L}'.-]+){0,2}"
                        + "(?=[\\s,]*(?:FPO|APO|DPO)\\b)",
                0);
        // The same in any case, the street word often welded to the name: "2407 tawastintie 6",
        // "Hersnapvej 75", "0269 Stensås terrasse 38", "hegyalja út 98". Welded suffixes need three
        // letters before them; free-standing ones are words no English text uses.
        add(
                "street-compound-number",
                PhiType.ADDRESS,
                "(?<![\\p{L}\\p{N}])(?:\\d{1,6}\\s+)?(?:\\p{L}{3,}(?:vej|vejen|vägen|gatan|gata|gaten|veien|vegen"
                        + "|tie|tien|stien|katu|kuja|straße|strasse|weg|gasse|gade|laan|straat|terrasse|allee|platz|utca)"
                        + "|[\\p{L}'-]{3,}\\s+(?:terrasse|út|utca|u\\.|vej|gata|gatan|veien|vei|katu|gasse|straße"
                        + "|strasse|allee|platz|weg|gade|straat|laan))\\.?\\s+\\d{1,5}[a-zA-Z]?(?![\\p{L}\\p{N}])",
                CI | Pattern.UNICODE_CASE);
        // Street word first: "ul. Słowicza 10", "Rue de Piétrain 371", "Via dei Fiorentini 17".
        add(
                "street-prefix-number",
                PhiType.ADDRESS,
                "\\b(?i:ul|al|os|pl|str|avda|av|rua|rúa|calle|c|via|viale|rue|strada"
                        + "|piazza|praça|plaza|carrer|paseo|avenida|travessa|avenue|boulevard|chemin|route|allée)[./]?\\s*(?:[\\p{Lu}][\\p{L}'.-]*\\s+"
                        + "|(?:de|del|della|dei|da|do|dos|das|des|du|la|le|di|d')\\s*){1,4}\\d{1,5}[a-zA-Z]?\\b",
                0);
        // House number first, then a street word, in any case: "688 rue du centre 320", "2613
        // avenida praia 1".
        add(
                "number-street-prefix",
                PhiType.ADDRESS,
                "\\b\\d{1,6}(?:\\s+\\d{1,5})?\\s+(?i:rue|rua|rúa|avenida|avda|calle|viale"
                        + "|strada|ul|ulica|aleja|piazza|plaza|carrer|paseo|travessa|chemin|route|boulevard|avenue)\\.?\\s+"
                        + "[^\\n,;?!]{2,50}?(?=\\s*(?:[,;?!\\n]|$|\\.\\s|\\.$))",
                0);
        // "the corner of Main Street and 5th Avenue"
        add(
                "street-corner",
                PhiType.ADDRESS,
                "\\b(?i:(?:the\\s+)?corner\\s+of)\\s+[^\\n,;?!]{2,60}?\\s+(?:and|&)\\s+"
                        + "[^\\n,;?!]{2,40}?(?=\\s*[,;?!\\n]|\\.\\s|\\.$|$|\\s+(?:in|is|on|at|for|to|near)\\b)",
                0);
        // The rest of the line after "address:", when it holds a number: "Address: 17693 Király u.
        // 15."
        add(
                "address-cue",
                PhiType.ADDRESS,
                "(?i:\\b(?:address|addr\\.|residence|resides at|lives at|lives on|return (?:it )?to"
                        + "|send (?:it )?to|deliver(?:ed)? to)\\b(?:\\s+(?:is|to))?\\s*[:-]?\\s*)([^\\n?!]{3,80}?)"
                        + "(?=\\s*(?:[?!\\n]|\\.\\s|\\.$|$)|\\s+(?:for|in case|and i|so)\\b)",
                0,
                1,
                (m, text) -> looksLikeAddressAfterCue(m.group(1)));
        // "…, MA 02139" / "Kansas 66801-1234": a state then a ZIP code.
        add(
                "state-zip",
                PhiType.ADDRESS,
                "(?<=(?:[A-Z]{2}|[a-z]{3})[ ,]{1,3})\\d{5}(?:-\\d{4})?" + NOT_AFTER,
                0);
    }

    // "Address: 17693 Király u. 15." yes; "address of Persint is …" and "address 41.173.96.26
    // blocked" no:
    // a number, and words that are capitalised or short particles ("u.", "ul.", "de").
    private static boolean looksLikeAddressAfterCue(String value) {
        if (HOUSE_NUMBER_THEN_WORD.matcher(value).lookingAt()) {
            return true; // "106 rúa olmos 44, belfast": a house number and a street, however
            // written
        }
        if (value.chars().noneMatch(Character::isDigit)
                || !Character.isLetterOrDigit(value.charAt(0))
                || Character.isLowerCase(value.charAt(0))) {
            return false;
        }
        for (String word : value.split("[\\s,]+")) {
            if (!word.isEmpty()
                    && Character.isLowerCase(word.charAt(0))
                    && word.replaceAll("\\W", "").length() > 3) {
                return false;
            }
        }
        return true;
    }

    // "3 times by Dr Smith": "Dr" or "St" followed by a capitalised word is a title, not a street.
    private static boolean streetSuffixIsNotATitle(Matcher m, String text) {
        String found = m.group().toLowerCase(Locale.ROOT);
        if (!found.matches("(?s).*\\b(?:dr|st)\\.?$")) {
            return true;
        }
        int i = m.end();
        while (i < text.length() && text.charAt(i) == ' ') {
            i++;
        }
        return !(i < text.length() && Character.isUpperCase(text.charAt(i)));
    }
}
