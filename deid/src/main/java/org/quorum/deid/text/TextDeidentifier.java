package org.quorum.deid.text;

import java.time.Clock;
import java.time.LocalDate;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * De-identifies clinical free text: finds PHI with a {@link PhiDetector} and writes each span as a
 * consistent surrogate or as a {@code [TYPE]} tag.
 *
 * <p>Surrogates come from the {@link DeidKeyService}, so the same value gets the same stand-in in
 * every note, on every node with the same secret; dates move by the patient's keyed offset under
 * {@link DatePolicy#DATE_SHIFT}, or are cut to the year under {@link DatePolicy#SAFE_HARBOR}.
 * Surrogates for numbers use reserved ranges where one exists (SSN area 9xx, RFC 5737 and RFC 3849
 * addresses, RFC 2606 example.org), so no stand-in is a real person's number.
 */
public final class TextDeidentifier {

    /**
     * @param datePolicy what happens to dates and ages
     * @param style surrogates or tags
     * @param referenceYear the year ages are reckoned from (Safe Harbor aggregates years that
     *     reveal an age over 89)
     */
    public record Options(DatePolicy datePolicy, ReplacementStyle style, int referenceYear) {
        public Options {
            Objects.requireNonNull(datePolicy, "datePolicy");
            Objects.requireNonNull(style, "style");
        }

        /** Safe Harbor dates, surrogate values, ages reckoned from this year. */
        public static Options defaults() {
            return new Options(
                    DatePolicy.SAFE_HARBOR,
                    ReplacementStyle.SURROGATE,
                    LocalDate.now(Clock.systemUTC()).getYear());
        }

        public Options withDatePolicy(DatePolicy policy) {
            return new Options(policy, style, referenceYear);
        }

        public Options withStyle(ReplacementStyle replacementStyle) {
            return new Options(datePolicy, replacementStyle, referenceYear);
        }
    }

    private final PhiDetector detector;
    private final DeidKeyService keys;
    private final PhiLexicon lexicon;
    private final Options options;
    private final DateRewriter dates;

    public TextDeidentifier(
            PhiDetector detector, DeidKeyService keys, PhiLexicon lexicon, Options options) {
        this.detector = Objects.requireNonNull(detector, "detector");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.lexicon = Objects.requireNonNull(lexicon, "lexicon");
        this.options = Objects.requireNonNull(options, "options");
        this.dates = new DateRewriter(options.referenceYear());
    }

    /** De-identifies a text about no known patient (dates fall back to Safe Harbor). */
    public DeidentifiedText deidentify(String text) {
        return deidentify(text, KnownPhi.empty());
    }

    /**
     * De-identifies a text, using the known PHI of its patient and care team.
     *
     * @param known what the record holds; its patient key selects the date offset
     */
    public DeidentifiedText deidentify(String text, KnownPhi known) {
        return replace(text, known, detector.detect(text, known));
    }

    /**
     * Replaces only the record's known PHI ({@link PhiDetector#detectKnown}): for coded meanings
     * and labels, where the general rules would remove terminology.
     */
    public DeidentifiedText deidentifyKnown(String text, KnownPhi known) {
        return replace(text, known, detector.detectKnown(text, known));
    }

    /**
     * De-identifies marked-up text (HTML, RTF) without touching its markup: detection runs on the
     * text with every markup character blanked, so offsets stay aligned; a replacement goes where
     * the PHI's first run of text was, the rest of the PHI's text is dropped, the markup between
     * stays.
     *
     * @param markup the positions of {@code text} that are markup, not words
     */
    public DeidentifiedText deidentifyMarkedUp(String text, KnownPhi known, BitSet markup) {
        char[] shadow = text.toCharArray();
        for (int i = markup.nextSetBit(0);
                i >= 0 && i < shadow.length;
                i = markup.nextSetBit(i + 1)) {
            shadow[i] = ' ';
        }
        String plain = new String(shadow);
        List<PhiSpan> spans = detector.detect(plain, known);
        Integer offset = offsetFor(known);
        StringBuilder out = new StringBuilder(text.length() + 16 * spans.size());
        int position = 0;
        for (PhiSpan span : spans) {
            out.append(text, position, span.start());
            String value =
                    plain.substring(span.start(), span.end()).replaceAll("\\s+", " ").strip();
            String replacement = replacement(value, span.type(), offset);
            boolean placed = false;
            for (int i = span.start(); i < span.end(); i++) {
                if (markup.get(i)) {
                    out.append(text.charAt(i));
                } else if (!placed) {
                    out.append(replacement);
                    placed = true;
                }
            }
            position = span.end();
        }
        out.append(text, position, text.length());
        return new DeidentifiedText(out.toString(), PhiDetector.countByType(spans));
    }

    private Integer offsetFor(KnownPhi known) {
        return options.datePolicy() == DatePolicy.DATE_SHIFT
                ? known.patientKey().map(keys::dateOffsetDays).orElse(null)
                : null;
    }

    private DeidentifiedText replace(String text, KnownPhi known, List<PhiSpan> spans) {
        Integer offset =
                options.datePolicy() == DatePolicy.DATE_SHIFT
                        ? known.patientKey().map(keys::dateOffsetDays).orElse(null)
                        : null;
        StringBuilder out = new StringBuilder(text.length() + 16 * spans.size());
        int position = 0;
        for (PhiSpan span : spans) {
            out.append(text, position, span.start());
            out.append(replacement(text.substring(span.start(), span.end()), span.type(), offset));
            position = span.end();
        }
        out.append(text, position, text.length());
        Map<PhiType, Integer> counts = PhiDetector.countByType(spans);
        return new DeidentifiedText(out.toString(), counts);
    }

    private String replacement(String value, PhiType type, Integer offset) {
        if (type == PhiType.DATE) {
            // Dates are rewritten under either style: the policy, not the style, decides what
            // stays.
            Optional<String> rewritten = dates.rewrite(value, options.datePolicy(), offset);
            return rewritten.orElse(type.tag());
        }
        if (options.style() == ReplacementStyle.TAG) {
            return type.tag();
        }
        return switch (type) {
            case NAME -> surrogateName(value);
            case ADDRESS -> surrogateAddress(value);
            case ORGANIZATION ->
                    keys.chooseSurrogate("organization", value, lexicon.surrogateOrganizations());
            // 164.514(b)(2)(i)(C): ages over 89 are aggregated into a single category of 90 or
            // older.
            case AGE ->
                    value.matches("\\d+\\p{L}*")
                            ? "90+" + value.replaceAll("^\\d+", "")
                            : type.tag();
            case PHONE, FAX -> surrogateDigitsInLayout("telecom", value, null);
            // SSA never issues area numbers 900-999: a surrogate there is nobody's SSN.
            case SSN -> surrogateDigitsInLayout("ssn", value, "9");
            case EMAIL ->
                    keys.pseudonym(IdentifierKind.EMAIL, value.toLowerCase(Locale.ROOT))
                                    .toLowerCase(Locale.ROOT)
                            + "@example.org"; // RFC 2606 reserved domain
            case URL ->
                    "https://example.org/"
                            + keys.pseudonym(IdentifierKind.URL, value).toLowerCase(Locale.ROOT);
            case IP -> surrogateIp(value);
            default -> keys.pseudonym(type.identifierKind(), value);
        };
    }

    // Word by word, so "John Smith" and a later "Smith" agree: first names from the first-name
    // pool,
    // the last word and lone family names from the family-name pool.
    private String surrogateName(String value) {
        List<Token> words = Tokenizer.tokenize(value);
        StringBuilder out = new StringBuilder(value.length());
        int position = 0;
        for (int i = 0; i < words.size(); i++) {
            Token word = words.get(i);
            out.append(value, position, word.start());
            String key = word.stem().toLowerCase(Locale.ROOT);
            String surrogate;
            if (word.text().length() == 1) {
                surrogate = String.valueOf((char) ('A' + keys.surrogateIndex("initial", key, 26)));
            } else {
                boolean familyName =
                        words.size() > 1
                                ? i == words.size() - 1
                                : !lexicon.isFirstName(key) || lexicon.isLastName(key);
                surrogate =
                        familyName
                                ? keys.chooseSurrogate(
                                        "family-name", key, lexicon.surrogateLastNames())
                                : keys.chooseSurrogate(
                                        "given-name", key, lexicon.surrogateFirstNames());
            }
            out.append(word.isAllCaps() ? surrogate.toUpperCase(Locale.ROOT) : surrogate);
            position = word.end();
        }
        out.append(value, position, value.length());
        return out.toString();
    }

    // Numbers become keyed numbers of the same length, place words keyed town names; street and
    // unit
    // words, states and countries stay (Safe Harbor keeps states).
    private String surrogateAddress(String value) {
        List<Token> words = Tokenizer.tokenize(value);
        StringBuilder out = new StringBuilder(value.length());
        int position = 0;
        for (Token word : words) {
            out.append(value, position, word.start());
            String lower = word.lower();
            if (word.isNumber()) {
                out.append(keys.surrogateDigits("address-number", lower, word.text().length()));
            } else if (word.hasDigit()) {
                String pseudonym = keys.pseudonym(IdentifierKind.ADDRESS, lower);
                out.append(pseudonym, 4, Math.min(pseudonym.length(), 4 + word.text().length()));
            } else if (isKeptAddressWord(lower)) {
                out.append(word.text());
            } else {
                String town = keys.chooseSurrogate("place", lower, lexicon.surrogateCities());
                out.append(word.isAllCaps() ? town.toUpperCase(Locale.ROOT) : town);
            }
            position = word.end();
        }
        out.append(value, position, value.length());
        return out.toString();
    }

    private boolean isKeptAddressWord(String lower) {
        return lexicon.isCountryOrState(lower)
                || lower.length() <= 2 && !lexicon.isPlace(lower)
                || List.of(
                                "street",
                                "st",
                                "avenue",
                                "ave",
                                "road",
                                "rd",
                                "apt",
                                "apartment",
                                "suite",
                                "ste",
                                "unit",
                                "box",
                                "po",
                                "p",
                                "o",
                                "lane",
                                "ln",
                                "drive",
                                "dr",
                                "court",
                                "ct",
                                "boulevard",
                                "blvd",
                                "way")
                        .contains(lower);
    }

    private String surrogateDigitsInLayout(String domain, String value, String leading) {
        int digitCount = (int) value.chars().filter(Character::isDigit).count();
        String digits = keys.surrogateDigits(domain, value, digitCount);
        if (leading != null && digitCount > 0) {
            digits = leading + digits.substring(1);
        }
        StringBuilder out = new StringBuilder(value.length());
        int next = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            out.append(Character.isDigit(c) ? digits.charAt(next++) : c);
        }
        return out.toString();
    }

    private String surrogateIp(String value) {
        if (value.indexOf(':') >= 0) {
            return "2001:db8::"
                    + Integer.toHexString(
                            1 + keys.surrogateIndex("ipv6", value, 0xfffe)); // RFC 3849
        }
        return "192.0.2." + (1 + keys.surrogateIndex("ipv4", value, 254)); // RFC 5737 TEST-NET-1
    }
}
