package org.quorum.deid.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Finds names of people, places and organisations that no record lists, from the words themselves
 * and the words around them:
 *
 * <ul>
 *   <li>a capitalised word that is no English word (WordNet) nor a drug or disease word is taken
 *       for a proper noun: this catches the names no dictionary holds;
 *   <li>a capitalised word that a name list holds is a name when it is not also a frequent English
 *       word, or when it stands beside another name part ("Will Hughes");
 *   <li>cue words decide the rest: a title ("Dr.", "Mrs.") or "name is" before, "is a 60 year-old"
 *       after make a name; "in", "from", "lives in" make a place; "Inc", "Hospital" an
 *       organisation; a street word or a house number an address.
 * </ul>
 */
final class ProperNounDetector {

    /** The word lists of this detector ({@code proper-noun-words.tsv} beside this class). */
    private static final WordLists WORDS = WordLists.load("proper-noun-words.tsv");

    private enum Kind {
        /** Not a capitalised word, or a word listed as never PHI. */
        NONE,
        /** An honorific: the following words are a name. */
        TITLE,
        /** Capitalised, not an English word: a proper noun. */
        STRONG,
        /** A listed name that is also an English word ("Rose", "Young"). */
        WEAK,
        /** A listed place that is also an English word ("Reading"). */
        PLACE,
        /** A capitalised English word. */
        COMMON,
        /** Month or weekday name ("June"). */
        CALENDAR,
        /** A single capital letter. */
        INITIAL,
        /** "van", "de", "bin": part of a name between capitalised words. */
        PARTICLE,
        /** "Inc", "Hospital", "University": makes the run an organisation. */
        ORG_MARKER,
        /** "Street", "Avenue", "Via", "Rue", "katu": makes the run an address. */
        STREET,
        /** Lower case, not an English word, a listed name: names typed without capitals. */
        LOWER_NAME,
        /**
         * Lower case, not an English word nor listed: a name only beside a listed one or after a
         * cue.
         */
        LOWER_UNKNOWN
    }

    private static final Set<String> TITLES = WORDS.set("titles");
    private static final Set<String> PARTICLES = WORDS.set("particles");

    /** Words that close an organisation's name whatever comes before them. */
    private static final Set<String> STRONG_ORG_MARKERS = WORDS.set("strong-org-markers");

    /** Words that make a capitalised run an organisation when something else says it is a name. */
    private static final Set<String> ORG_MARKERS = WORDS.set("org-markers");

    /**
     * Street words written before the name in many languages: "Via Roma 5", "ul. Polna 3", "Rue de
     * Lyon".
     */
    private static final Set<String> STREET_PREFIXES = WORDS.set("street-prefixes");

    private static final Set<String> LEGAL_FORMS = WORDS.set("legal-forms");
    private static final Set<String> STREET_SUFFIXES = WORDS.set("street-suffixes");
    private static final Set<String> NAME_CUES = WORDS.set("name-cues");
    private static final Set<String> PLACE_CUES = WORDS.set("place-cues");

    /**
     * Movement to or from somewhere: what follows is a place even when it is also an English word
     * ("flew to Coles", "returned to Mill Village", "I'm in Den Haag").
     */
    private static final Set<String> TRAVEL_CUES = WORDS.set("travel-cues");

    /** Cues strong enough to make a lower-case word a name. */
    private static final Set<String> LOWER_CASE_NAME_CUES = WORDS.set("lower-case-name-cues");

    private static final Set<String> EMPLOYER_CUES = WORDS.set("employer-cues");
    private static final Pattern PERSON_VERB_AFTER =
            Pattern.compile(
                    "^\\s+(?:lives|lived|resides|resided|says|said"
                            + "|explained|told|began|begins|wrote|writes|works|worked|was born|died|visited|flew|reported|states|stated"
                            + "|denies|denied|presents|presented|complains|complained|married|moved)\\b");
    private static final Pattern UNIT_AFTER_NUMBER =
            Pattern.compile(
                    "\\s*(?:%|mg|mcg|ml|g\\b|kg|lb|cm|mm|years?|yrs?"
                            + "|months?|weeks?|days?|hours?|hrs?|min|times|x\\b|tablets?|units?|:\\d)");
    private static final Pattern COORDINATION =
            Pattern.compile(",\\s?|\\s+and\\s+|\\s*&\\s*|,\\s+and\\s+");

    /**
     * Words that follow a clinical eponym: "Murphy's sign", "Graves disease", "Swan-Ganz catheter",
     * "Glasgow Coma Scale". A capitalised word before one of them names a sign, not a person.
     */
    private static final Set<String> EPONYM_HEADS = WORDS.set("eponym-heads");

    private static final Pattern CONTRACTION =
            Pattern.compile("(?i)(.+?)(?:n['\u2019]t|['\u2019](?:re|ll|ve|d|m|t|mon))");
    private static final Pattern AGE_AFTER =
            Pattern.compile(
                    "^\\s*(?:,\\s*)?(?:is|was|,)\\s+an?\\s+\\d{1,3}[-\\s](?:year|yr|month|week|day)s?[-\\s]old",
                    Pattern.CASE_INSENSITIVE);

    private final PhiLexicon lexicon;
    private final PhraseTrie hospitals = new PhraseTrie();

    ProperNounDetector(PhiLexicon lexicon) {
        this.lexicon = lexicon;
        for (String hospital : lexicon.surrogateOrganizations()) {
            hospitals.add(KnownPhi.phraseKey(hospital), PhiType.ORGANIZATION);
        }
    }

    List<PhiSpan> detect(String text, List<Token> tokens) {
        List<PhiSpan> spans = new ArrayList<>();
        Kind[] kinds = new Kind[tokens.size()];
        boolean[] initial = new boolean[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            initial[i] = isSentenceInitial(text, tokens, i);
            kinds[i] = classify(tokens.get(i), initial[i]);
            Token token = tokens.get(i);
            if (token.text().equals("I")
                    && (token.end() >= text.length() || text.charAt(token.end()) != '.')) {
                kinds[i] = Kind.NONE; // the pronoun, not a middle initial
            }
        }
        int i = 0;
        while (i < tokens.size()) {
            if (isLowerCaseName(kinds[i])) {
                int end = i;
                while (end + 1 < tokens.size() && joinsLowerCase(text, tokens, kinds, end)) {
                    end++;
                }
                decideLowerCaseRun(text, tokens, kinds, i, end, spans);
                i = end + 1;
                continue;
            }
            if (!startsRun(kinds[i])) {
                i++;
                continue;
            }
            int end = i;
            while (end + 1 < tokens.size() && joins(text, tokens, kinds, end)) {
                end++;
            }
            decideRun(text, tokens, kinds, initial, i, end, spans);
            i = end + 1;
        }
        addCoordinatedNames(text, tokens, kinds, initial, spans);
        for (PhraseTrie.Match match : hospitals.find(text, tokens, 2)) {
            if (tokens.get(match.first()).isCapitalized() && match.last() > match.first()) {
                spans.add(
                        new PhiSpan(
                                tokens.get(match.first()).start(),
                                tokens.get(match.last()).end(),
                                PhiType.ORGANIZATION,
                                "hospital-list"));
            }
        }
        return spans;
    }

    private Kind classify(Token token, boolean sentenceInitial) {
        String text = withoutContraction(token.stem());
        if (!Character.isLetter(text.codePointAt(0))) {
            return Kind.NONE;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (isCode(token.text())) {
            return Kind.NONE; // "SpO2", "FiO2", "HbA1c", "CHA2DS2": measurements, not names
        }
        if (text.chars().anyMatch(Character::isDigit)) {
            return Kind
                    .NONE; // "GB37LTXZ…", "B12": codes, not words (a numeric tail alone is stripped
            // above)
        }
        if (!token.isCapitalized()) {
            return classifyLowerCase(lower);
        }
        if (token.isInitial()) {
            return Kind.INITIAL;
        }
        if (TITLES.contains(lower)) {
            return Kind.TITLE;
        }
        if (STRONG_ORG_MARKERS.contains(lower)
                || ORG_MARKERS.contains(lower)
                || LEGAL_FORMS.contains(lower) && !sentenceInitial) {
            return Kind.ORG_MARKER;
        }
        if (STREET_SUFFIXES.contains(lower) || STREET_PREFIXES.contains(lower)) {
            return Kind.STREET;
        }
        // "An125" is not the article: synthetic records number their names, words never carry
        // digits.
        if (lexicon.isNotPhi(lower) && text.equals(token.text())) {
            return Kind.NONE;
        }
        if (lexicon.isCalendarWord(lower)) {
            return Kind.CALENDAR;
        }
        if (lower.indexOf('-') > 0) {
            return classifyHyphenated(text, sentenceInitial);
        }
        boolean allCaps = token.isAllCaps();
        if (allCaps && lower.length() <= 3) {
            // Short all-capital words are mostly acronyms ("CT", "ER"); only names lists make them
            // names.
            return lexicon.isPersonName(lower) ? Kind.WEAK : Kind.NONE;
        }
        boolean common = lexicon.isCommonWord(lower);
        boolean listedName = lexicon.isPersonName(lower);
        if (!common) {
            return Kind
                    .STRONG; // a street name ("Aqqusinersuaq") becomes an address once its number
            // follows
        }
        if (listedName) {
            boolean frequent = lexicon.isFrequentWord(lower);
            if (!sentenceInitial && !allCaps && !frequent) {
                return Kind.STRONG;
            }
            // "Later Smith left": a frequent word opening a sentence is that word, not a first
            // name.
            return sentenceInitial && frequent ? Kind.COMMON : Kind.WEAK;
        }
        if (lexicon.isPlace(lower)) {
            return Kind.PLACE;
        }
        return Kind.COMMON;
    }

    // "You're", "They'll", "C'mon", "Don't": the word before the clitic decides.
    private static String withoutContraction(String word) {
        Matcher m = CONTRACTION.matcher(word);
        return m.matches() ? m.group(1) : word;
    }

    // Names are typed in lower case too ("naomi ryan"), but far less often than ordinary words:
    // only a
    // listed name that is no English, drug or disease word counts on its own.
    private Kind classifyLowerCase(String lower) {
        if (PARTICLES.contains(lower)) {
            return Kind.PARTICLE;
        }
        if (lower.length() < 3
                || lexicon.isNotPhi(lower)
                || lexicon.isCalendarWord(lower)
                || lexicon.isCommonWord(lower)
                || !lower.chars().allMatch(Character::isLetter)
                || hasMedicalSuffix(lower)) {
            return Kind.NONE;
        }
        return lexicon.isPersonName(lower) ? Kind.LOWER_NAME : Kind.LOWER_UNKNOWN;
    }

    // "Hauta-aho", "Garcia-Smith": a proper noun if any part is no English word. "Non-smoker",
    // "X-ray", "Follow-up": compounds of English words.
    private Kind classifyHyphenated(String text, boolean sentenceInitial) {
        boolean anyListed = false;
        for (String part : text.split("-")) {
            String lower = part.toLowerCase(Locale.ROOT);
            if (lower.length() < 2) {
                continue;
            }
            if (!lexicon.isCommonWord(lower) && !lexicon.isNotPhi(lower)) {
                return Kind.STRONG;
            }
            anyListed |= lexicon.isPersonName(lower);
        }
        return anyListed && !sentenceInitial ? Kind.WEAK : Kind.COMMON;
    }

    private static boolean startsRun(Kind kind) {
        return kind != Kind.NONE && kind != Kind.PARTICLE;
    }

    // Two tokens belong to one run when only a space (or an initial's or title's full stop) parts
    // them.
    private static boolean joins(String text, List<Token> tokens, Kind[] kinds, int index) {
        Token left = tokens.get(index);
        Token right = tokens.get(index + 1);
        String gap = text.substring(left.end(), right.start());
        boolean spaceOnly =
                !gap.isEmpty() && gap.length() <= 3 && gap.isBlank() && gap.indexOf('\n') < 0;
        boolean abbreviation =
                (kinds[index] == Kind.INITIAL || kinds[index] == Kind.TITLE)
                        && (gap.equals(".") || gap.equals(". ") || gap.equals(".  "));
        if (!spaceOnly && !abbreviation) {
            return false;
        }
        if (kinds[index + 1] == Kind.PARTICLE) {
            // "van de Noort": particles chain until a capitalised word
            int next = index + 2;
            while (next < tokens.size() && kinds[next] == Kind.PARTICLE) {
                next++;
            }
            return next < tokens.size() && startsRun(kinds[next]);
        }
        return startsRun(kinds[index + 1]);
    }

    private void decideRun(
            String text,
            List<Token> tokens,
            Kind[] kinds,
            boolean[] initial,
            int first,
            int last,
            List<PhiSpan> spans) {
        // Leading titles are cues, not part of the name.
        boolean titled = false;
        while (first <= last && kinds[first] == Kind.TITLE) {
            titled = true;
            first++;
        }
        if (first > last) {
            return;
        }
        if (!titled && first > 0 && kinds[first - 1] == Kind.TITLE) {
            titled = true;
        }
        String before = wordsBefore(text, tokens, first);
        String after =
                text.substring(
                        tokens.get(last).end(),
                        Math.min(text.length(), tokens.get(last).end() + 40));
        boolean nameCue = titled || endsWithCue(before, NAME_CUES);
        boolean ageCue = AGE_AFTER.matcher(after).find();
        boolean placeCue = endsWithCue(before, PLACE_CUES);
        boolean employerCue = endsWithCue(before, EMPLOYER_CUES);

        int strongFirst = -1;
        int strongLast = -1;
        boolean anyListedName = false;
        for (int k = first; k <= last; k++) {
            if (kinds[k] == Kind.STRONG) {
                strongFirst = strongFirst < 0 ? k : strongFirst;
                strongLast = k;
            }
            anyListedName |= kinds[k] == Kind.WEAK;
        }

        // An organisation: an institution word or legal form closes a capitalised run.
        int orgMarker = -1;
        boolean strongMarker = false;
        for (int k = first + 1; k <= last; k++) {
            if (kinds[k] == Kind.ORG_MARKER) {
                orgMarker = k;
                String lower = tokens.get(k).lower();
                strongMarker |= STRONG_ORG_MARKERS.contains(lower) || LEGAL_FORMS.contains(lower);
            }
        }
        if (orgMarker > first
                && (strongMarker || strongFirst >= 0 || employerCue || !initial[first])) {
            emit(
                    text,
                    tokens,
                    first,
                    lastOrgIndex(kinds, orgMarker, last),
                    PhiType.ORGANIZATION,
                    "org-run",
                    spans);
            return;
        }
        if (endsWithCue(before, TRAVEL_CUES)
                && !nameCue
                && last - first < 4
                && isNamePart(kinds[first])) {
            emit(text, tokens, first, last, PhiType.ADDRESS, "travel-cue", spans);
            return;
        }
        if (employerCue && isNamePart(kinds[first])) {
            emit(text, tokens, first, last, PhiType.ORGANIZATION, "employer-cue", spans);
            return;
        }
        if (nameCue || ageCue) {
            int from = first;
            int to = first;
            if (ageCue && !nameCue) {
                from = Math.max(first, last - 3);
                to = last;
            } else {
                while (to + 1 <= last && to + 1 - first < 4 && isNamePart(kinds[to + 1])) {
                    to++;
                }
            }
            while (from <= to && !isNamePart(kinds[from])) {
                from++;
            }
            if (from <= to
                    && (titled || ageCue || kinds[from] != Kind.COMMON || strongFirst >= 0)) {
                emit(text, tokens, from, to, PhiType.NAME, nameCue ? "name-cue" : "age-cue", spans);
            }
            return;
        }
        if (strongFirst >= 0 || hasStreetPrefix(tokens, kinds, first, last)) {
            int from = strongFirst >= 0 ? strongFirst : first;
            while (from - 1 >= first && extendsLeft(kinds[from - 1])) {
                from--;
            }
            int to = strongFirst >= 0 ? strongLast : last;
            int commons = 0;
            while (to + 1 <= last
                    && (extendsRight(kinds[to + 1])
                            || kinds[to + 1] == Kind.COMMON
                                    && commons++ == 0
                                    && !endsWithPossessive(tokens.get(to)))) {
                to++;
            }
            int houseNumber = houseNumberAfter(text, tokens, to);
            if (houseNumber > to) {
                emit(text, tokens, from, houseNumber, PhiType.ADDRESS, "street-and-number", spans);
                return;
            }
            if (strongFirst >= 0) {
                emit(
                        text,
                        tokens,
                        from,
                        to,
                        typeOf(tokens, kinds, from, to, placeCue),
                        "proper-noun",
                        spans);
            }
            return;
        }
        // A listed name beside a verb that people do: "Walker began writing", "Dexter lives on".
        for (int k = first; k <= last; k++) {
            anyListedName |= lexicon.isPersonName(tokens.get(k).stem().toLowerCase(Locale.ROOT));
        }
        if (anyListedName && last - first < 3 && PERSON_VERB_AFTER.matcher(after).find()) {
            emit(text, tokens, first, last, PhiType.NAME, "person-verb", spans);
            return;
        }
        // Two listed name parts side by side, first name then family name: "Rose Young".
        for (int k = first; k < last; k++) {
            String a = tokens.get(k).stem().toLowerCase(Locale.ROOT);
            String b = tokens.get(k + 1).stem().toLowerCase(Locale.ROOT);
            if ((kinds[k] == Kind.WEAK || kinds[k] == Kind.CALENDAR)
                    && kinds[k + 1] == Kind.WEAK
                    && lexicon.isFirstName(a)
                    && lexicon.isLastName(b)
                    && !initial[k + 1]) {
                emit(text, tokens, k, k + 1, PhiType.NAME, "name-pair", spans);
                return;
            }
        }
        if (placeCue && kinds[first] == Kind.PLACE) {
            emit(text, tokens, first, first, PhiType.ADDRESS, "place-cue", spans);
            return;
        }
        // "Marina Fort Street": a capitalised run closed by a street suffix.
        if (last > first
                && kinds[last] == Kind.STREET
                && STREET_SUFFIXES.contains(tokens.get(last).lower())
                && !initial[first]) {
            emit(text, tokens, first, last, PhiType.ADDRESS, "street-name", spans);
        }
    }

    private static boolean hasStreetPrefix(List<Token> tokens, Kind[] kinds, int first, int last) {
        return last > first
                && kinds[first] == Kind.STREET
                && STREET_PREFIXES.contains(tokens.get(first).lower());
    }

    /**
     * Index of a house number after a street name ("Koskikatu 25", "Trenerys gate 232"), or -1: a
     * number of up to five digits on the same line, not followed by a unit or a time.
     */
    private int houseNumberAfter(String text, List<Token> tokens, int index) {
        int next = index + 1;
        if (next < tokens.size()
                && !tokens.get(next).isCapitalized()
                && lexicon.isStreetWord(tokens.get(next).lower())
                && gapIsSpace(text, tokens, index)) {
            next++; // lower-case street word: "gate", "utca", "vej"
            index++;
        }
        if (next >= tokens.size() || !gapIsSpace(text, tokens, index)) {
            return -1;
        }
        Token number = tokens.get(next);
        if (!number.text().matches("\\d{1,5}[A-Za-z]?") || number.text().length() > 6) {
            return -1;
        }
        String rest =
                text.substring(number.end(), Math.min(text.length(), number.end() + 12))
                        .toLowerCase(Locale.ROOT);
        return UNIT_AFTER_NUMBER.matcher(rest).lookingAt() ? -1 : next;
    }

    private static boolean gapIsSpace(String text, List<Token> tokens, int index) {
        if (index + 1 >= tokens.size()) {
            return false;
        }
        String gap = text.substring(tokens.get(index).end(), tokens.get(index + 1).start());
        return !gap.isEmpty() && gap.length() <= 3 && gap.isBlank() && gap.indexOf('\n') < 0;
    }

    private static boolean isLowerCaseName(Kind kind) {
        return kind == Kind.LOWER_NAME || kind == Kind.LOWER_UNKNOWN;
    }

    private static boolean joinsLowerCase(
            String text, List<Token> tokens, Kind[] kinds, int index) {
        Token right = tokens.get(index + 1);
        String gap = text.substring(tokens.get(index).end(), right.start());
        if (!(gap.equals(" ") || gap.equals(". ") && tokens.get(index).text().length() == 1)) {
            return false;
        }
        if (isLowerCaseName(kinds[index + 1])) {
            return true;
        }
        // a lower-case middle initial or particle between two name words: "emidio p lombardo"
        boolean connector =
                right.text().length() == 1 && Character.isLowerCase(right.text().charAt(0))
                        || kinds[index + 1] == Kind.PARTICLE;
        return connector && index + 2 < tokens.size() && isLowerCaseName(kinds[index + 2]);
    }

    private void decideLowerCaseRun(
            String text,
            List<Token> tokens,
            Kind[] kinds,
            int first,
            int last,
            List<PhiSpan> spans) {
        int listed = 0;
        for (int k = first; k <= last; k++) {
            listed += kinds[k] == Kind.LOWER_NAME ? 1 : 0;
        }
        String before = wordsBefore(text, tokens, first);
        boolean cue = endsWithCue(before, LOWER_CASE_NAME_CUES) || endsWithCue(before, TITLES);
        String single = tokens.get(first).lower();
        boolean loneFirstName =
                first == last
                        && kinds[first] == Kind.LOWER_NAME
                        && single.length() >= 4
                        && lexicon.isFirstName(single)
                        && !lexicon.isPlace(single);
        // "camila 28 day pack": a name followed by a quantity is a brand of drug.
        boolean quantityAfter =
                last + 1 < tokens.size()
                        && tokens.get(last + 1).hasDigit()
                        && gapIsSpace(text, tokens, last);
        // "the frank freud version": a listed family name typed in lower case after a listed
        // first name that is also a word.
        if (first == last
                && kinds[first] == Kind.LOWER_NAME
                && lexicon.isLastName(single)
                && first > 0
                && isLowerCaseFirstName(tokens.get(first - 1))
                && gapIsSpace(text, tokens, first - 1)) {
            emit(text, tokens, first - 1, last, PhiType.NAME, "lower-case-name", spans);
            return;
        }
        if (endsWithCue(before, TRAVEL_CUES) && last - first < 3) {
            emit(text, tokens, first, last, PhiType.ADDRESS, "travel-cue", spans);
            return;
        }
        // "nijito asano", "guðgeir bergsveinsson": two words side by side that no dictionary of
        // English, drugs or diseases knows are a name typed without capitals.
        boolean unknownPair = last > first && allLongerThan(tokens, first, last, 3);
        if (!quantityAfter
                && (cue || listed >= 1 && last > first || loneFirstName || unknownPair)) {
            emit(text, tokens, first, last, PhiType.NAME, "lower-case-name", spans);
        }
    }

    // In a list of names typed in lower case, a listed first name that is also a word ("donna").
    private boolean isLowerCaseFirstName(Token token) {
        String text = token.text();
        return !text.isEmpty()
                && Character.isLowerCase(text.charAt(0))
                && text.length() >= 4
                && lexicon.isFirstName(token.lower());
    }

    private static boolean allLongerThan(List<Token> tokens, int first, int last, int length) {
        for (int k = first; k <= last; k++) {
            if (tokens.get(k).text().length() <= length) {
                return false;
            }
        }
        return true;
    }

    // "Kónya, Becker and Vasquez": capitalised words listed beside a found name are names too.
    private void addCoordinatedNames(
            String text, List<Token> tokens, Kind[] kinds, boolean[] initial, List<PhiSpan> spans) {
        List<PhiSpan> added = new ArrayList<>();
        for (PhiSpan span : spans) {
            if (span.type() != PhiType.NAME && span.type() != PhiType.ORGANIZATION) {
                continue;
            }
            int index = tokenEndingAt(tokens, span.end());
            while (index >= 0 && index + 1 < tokens.size()) {
                String gap = text.substring(tokens.get(index).end(), tokens.get(index + 1).start());
                int candidate = index + 1;
                if (!COORDINATION.matcher(gap).matches()
                        && tokens.get(candidate).lower().equals("and")
                        && candidate + 1 < tokens.size()
                        && gap.equals(", ")) {
                    candidate++; // Oxford comma: "A, B, and C"
                    gap = ", and ";
                }
                boolean lowerCaseList =
                        span.rule().equals("lower-case-name")
                                && (isLowerCaseName(kinds[candidate])
                                        || isLowerCaseFirstName(tokens.get(candidate)));
                if (!COORDINATION.matcher(gap).matches()
                        || !lowerCaseList
                                && !isCoordinatedName(kinds[candidate], initial[candidate])) {
                    break;
                }
                // An organisation's "and" is part of its name ("Glover, Ruiz and Armstrong"); a
                // list's is not.
                boolean conjunction = gap.contains("and") || gap.contains("&");
                int from =
                        span.type() == PhiType.ORGANIZATION && conjunction
                                ? tokens.get(index).end()
                                : tokens.get(candidate).start();
                added.add(
                        new PhiSpan(
                                from,
                                trimPossessive(tokens.get(candidate)),
                                span.type(),
                                "coordination"));
                index = candidate;
            }
            index = tokenStartingAt(tokens, span.start());
            while (index > 0) {
                String gap = text.substring(tokens.get(index - 1).end(), tokens.get(index).start());
                boolean lowerCaseList =
                        span.rule().equals("lower-case-name") && isLowerCaseName(kinds[index - 1]);
                if (!COORDINATION.matcher(gap).matches()
                        || !lowerCaseList
                                && !isCoordinatedName(kinds[index - 1], initial[index - 1])) {
                    break;
                }
                boolean conjunction = gap.contains("and") || gap.contains("&");
                int to =
                        span.type() == PhiType.ORGANIZATION && conjunction
                                ? tokens.get(index).start()
                                : trimPossessive(tokens.get(index - 1));
                added.add(
                        new PhiSpan(
                                tokens.get(index - 1).start(), to, span.type(), "coordination"));
                index--;
            }
        }
        spans.addAll(added);
    }

    private static boolean isCoordinatedName(Kind kind, boolean sentenceInitial) {
        return kind == Kind.STRONG
                || kind == Kind.WEAK
                || (kind == Kind.COMMON || kind == Kind.PLACE) && !sentenceInitial;
    }

    private static int trimPossessive(Token token) {
        return endsWithPossessive(token) ? token.end() - 2 : token.end();
    }

    private static int tokenEndingAt(List<Token> tokens, int end) {
        for (int k = 0; k < tokens.size(); k++) {
            if (tokens.get(k).end() == end
                    || tokens.get(k).end() == end + 2 && endsWithPossessive(tokens.get(k))) {
                return k;
            }
        }
        return -1;
    }

    private static int tokenStartingAt(List<Token> tokens, int start) {
        for (int k = 0; k < tokens.size(); k++) {
            if (tokens.get(k).start() == start) {
                return k;
            }
        }
        return -1;
    }

    private PhiType typeOf(List<Token> tokens, Kind[] kinds, int from, int to, boolean placeCue) {
        boolean anyFirstName = false;
        boolean allPlaces = true;
        for (int k = from; k <= to; k++) {
            if (kinds[k] == Kind.STREET) {
                return PhiType.ADDRESS;
            }
            String lower = tokens.get(k).stem().toLowerCase(Locale.ROOT);
            anyFirstName |= lexicon.isFirstName(lower);
            if (kinds[k] == Kind.STRONG || kinds[k] == Kind.WEAK) {
                allPlaces &= lexicon.isPlace(lower) && !lexicon.isPersonName(lower);
            }
        }
        if (allPlaces || placeCue && !anyFirstName) {
            return PhiType.ADDRESS;
        }
        return PhiType.NAME;
    }

    private static int lastOrgIndex(Kind[] kinds, int marker, int last) {
        int end = marker;
        while (end + 1 <= last
                && (kinds[end + 1] == Kind.ORG_MARKER || kinds[end + 1] == Kind.STRONG)) {
            end++;
        }
        return end;
    }

    private static boolean isNamePart(Kind kind) {
        return kind == Kind.STRONG
                || kind == Kind.WEAK
                || kind == Kind.PLACE
                || kind == Kind.COMMON
                || kind == Kind.CALENDAR
                || kind == Kind.INITIAL
                || kind == Kind.PARTICLE;
    }

    private static boolean extendsLeft(Kind kind) {
        return kind == Kind.WEAK
                || kind == Kind.INITIAL
                || kind == Kind.PARTICLE
                || kind == Kind.CALENDAR
                || kind == Kind.PLACE
                || kind == Kind.STREET;
    }

    private static boolean extendsRight(Kind kind) {
        return kind == Kind.WEAK
                || kind == Kind.INITIAL
                || kind == Kind.PARTICLE
                || kind == Kind.PLACE
                || kind == Kind.STRONG
                || kind == Kind.STREET;
    }

    private void emit(
            String text,
            List<Token> tokens,
            int from,
            int to,
            PhiType type,
            String rule,
            List<PhiSpan> spans) {
        if (type == PhiType.NAME || type == PhiType.ADDRESS) {
            // the head noun may sit inside the run ("Glasgow Coma Scale") or just after it
            // ("Crohn's disease")
            for (int k = from + 1; k <= Math.min(to + 1, tokens.size() - 1); k++) {
                if (EPONYM_HEADS.contains(tokens.get(k).lower())) {
                    return; // "Crohn's disease", "Glasgow Coma Scale 15": an eponym, not a person
                    // or place
                }
            }
            if (eponymHeadFollows(text, tokens, to)) {
                return; // "Duchenne muscular dystrophy", "Mobitz type II block"
            }
        }
        int start = tokens.get(from).start();
        int end = tokens.get(to).end();
        if (endsWithPossessive(tokens.get(to))) {
            end -= 2; // "Yefremova's": the name, not the possessive
        }
        if (end > start) {
            spans.add(new PhiSpan(start, end, type, rule));
        }
    }

    /**
     * A clinical head noun up to three words after {@code last}, the words between lower case,
     * numbers or Roman numerals, with only spaces and hyphens between them: one noun phrase.
     */
    private boolean eponymHeadFollows(String text, List<Token> tokens, int last) {
        for (int k = last + 1; k <= Math.min(last + 3, tokens.size() - 1); k++) {
            String gap = text.substring(tokens.get(k - 1).end(), tokens.get(k).start());
            if (!gap.isEmpty() && !gap.isBlank() && !gap.equals("-") && !gap.equals("'s ")) {
                if (!(gap.equals("'s ") || gap.equals("\u2019s "))) {
                    return false;
                }
            }
            if (gap.contains("\n")) {
                return false;
            }
            Token token = tokens.get(k);
            if (EPONYM_HEADS.contains(token.lower())) {
                return true;
            }
            String previous = tokens.get(k - 1).lower();
            boolean modifier =
                    !token.isCapitalized()
                            // "Ortolani and Barlow maneuver": eponyms coordinated before the head
                            || previous.equals("and")
                            || previous.equals("or")
                            || lexicon.isCommonWord(token.lower())
                            || ROMAN.matcher(token.text()).matches()
                            || token.text().chars().allMatch(Character::isDigit);
            if (!modifier) {
                return false;
            }
        }
        return false;
    }

    private static final Pattern ROMAN = Pattern.compile("(?:I{1,3}|IV|V|VI{0,3}|IX|X)");

    /** A token mixing letters and digits with a capital inside: a code or measurement. */
    static boolean isCode(String token) {
        boolean digit = false;
        boolean innerCapital = false;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            digit |= Character.isDigit(c);
            innerCapital |= i > 0 && Character.isUpperCase(c);
        }
        return digit && innerCapital;
    }

    private static final Set<String> MEDICAL_SUFFIXES = WORDS.set("medical-suffixes");

    private static boolean hasMedicalSuffix(String lower) {
        for (int i = 1; i < lower.length() - 2; i++) {
            if (MEDICAL_SUFFIXES.contains(lower.substring(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsWithPossessive(Token token) {
        String t = token.text();
        return t.length() > 2 && (t.endsWith("'s") || t.endsWith("\u2019s"));
    }

    // The up to three lower-cased words before a token, on the same line, with a trailing ':' kept.
    private static String wordsBefore(String text, List<Token> tokens, int index) {
        int lineStart = text.lastIndexOf('\n', tokens.get(index).start() - 1) + 1;
        StringBuilder out = new StringBuilder();
        int taken = 0;
        for (int k = index - 1; k >= 0 && taken < 3; k--) {
            Token token = tokens.get(k);
            if (token.start() < lineStart) {
                break;
            }
            out.insert(0, token.lower() + " ");
            taken++;
        }
        return out.toString().strip();
    }

    private static boolean endsWithCue(String before, Set<String> cues) {
        if (before.isEmpty()) {
            return false;
        }
        for (String cue : cues) {
            if (before.equals(cue) || before.endsWith(" " + cue)) {
                return true;
            }
        }
        return false;
    }

    // Start of text, of a line, of a bullet or heading, or after sentence punctuation: a capital
    // there
    // says nothing about the word. A full stop after a title or an initial ("Dr.", "K.") does not
    // end a
    // sentence.
    private static boolean isSentenceInitial(String text, List<Token> tokens, int index) {
        int p = tokens.get(index).start() - 1;
        while (p >= 0 && " \t\"'\u201c\u2018(*#>\u2022-".indexOf(text.charAt(p)) >= 0) {
            p--;
        }
        if (p < 0) {
            return true;
        }
        char c = text.charAt(p);
        if (c == '\n' || c == '\r' || c == '!' || c == '?' || c == ':' || c == ';') {
            return true;
        }
        if (c == '.' && index > 0) {
            Token previous = tokens.get(index - 1);
            String lower = previous.lower();
            return !(previous.isInitial()
                    || TITLES.contains(lower)
                    || "st".equals(lower)
                    || "jr".equals(lower));
        }
        return c == '.';
    }
}
