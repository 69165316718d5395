package org.quorum.deid.text;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What is already known to be PHI about the people in a text: the patient's (and clinicians',
 * relatives', providers') names, addresses, telecoms, identifiers and dates, typically read from
 * FHIR resources with {@link FhirKnownPhiReader}. The strongest signal the detector has: any
 * occurrence of these values is PHI whatever the text around it.
 *
 * <p>Immutable; build with {@link #builder()}. Holds PHI, so it has no {@code toString} that shows
 * values.
 */
public final class KnownPhi {

    private static final KnownPhi EMPTY = builder().build();
    private static final DateTimeFormatter[] DATE_SPELLINGS = {
        DateTimeFormatter.ISO_LOCAL_DATE,
        DateTimeFormatter.ofPattern("M/d/yyyy", Locale.ROOT),
        DateTimeFormatter.ofPattern("MM/dd/yyyy", Locale.ROOT),
        DateTimeFormatter.ofPattern("M/d/yy", Locale.ROOT),
        DateTimeFormatter.ofPattern("MMMM d yyyy", Locale.ENGLISH),
        DateTimeFormatter.ofPattern("MMM d yyyy", Locale.ENGLISH),
        DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.ENGLISH),
        DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH),
        DateTimeFormatter.ofPattern("dd-MMM-yyyy", Locale.ENGLISH),
        DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT),
        DateTimeFormatter.ofPattern("dd/MM/yyyy", Locale.ROOT),
        DateTimeFormatter.ofPattern("d.M.yyyy", Locale.ROOT),
        DateTimeFormatter.ofPattern("dd.MM.yyyy", Locale.ROOT),
        DateTimeFormatter.ofPattern("yyyy/MM/dd", Locale.ROOT),
        DateTimeFormatter.ofPattern("yyyy.MM.dd", Locale.ROOT),
        DateTimeFormatter.ofPattern("MM-dd-yyyy", Locale.ROOT),
    };

    private final String patientKey;
    private final boolean strict;
    private final Set<String> initials;
    private final Map<String, PhiType> phrases;
    private final Map<String, PhiType> identifiers;
    private final Map<String, PhiType> telecomDigits;

    private KnownPhi(Builder builder) {
        this.patientKey = builder.patientKey;
        this.strict = builder.strict;
        this.initials = Set.copyOf(builder.initials);
        this.phrases = Collections.unmodifiableMap(new LinkedHashMap<>(builder.phrases));
        this.identifiers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.identifiers));
        this.telecomDigits =
                Collections.unmodifiableMap(new LinkedHashMap<>(builder.telecomDigits));
    }

    public static KnownPhi empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The patient key (MRN) that date offsets and pseudonyms are keyed on, if a patient is known.
     */
    public Optional<String> patientKey() {
        return Optional.ofNullable(patientKey);
    }

    /**
     * Word sequences (names, streets, cities, organisations, spelled-out dates), lower case,
     * single-spaced.
     */
    Map<String, PhiType> phrases() {
        return phrases;
    }

    /** Identifiers, lower case with separators removed ("999-94-5397" → "999945397"). */
    Map<String, PhiType> identifiers() {
        return identifiers;
    }

    /** Phone and fax numbers as digits only. */
    Map<String, PhiType> telecomDigits() {
        return telecomDigits;
    }

    /** Initials of known people, upper-case letters only ("MAO" for Margaret Anne O'Brien). */
    Set<String> initials() {
        return initials;
    }

    /**
     * Whether every known name is PHI wherever it occurs, also a lower-case common word ("rose" for
     * a patient called Rose). Structured records (FHIR elements, DICOM attributes) are scrubbed
     * strictly: a leak costs more than a lost word there.
     */
    public boolean isStrict() {
        return strict;
    }

    /** This context, matched strictly (see {@link #isStrict()}). */
    public KnownPhi strict() {
        if (strict) {
            return this;
        }
        Builder builder = new Builder().merge(this);
        builder.strict = true;
        return builder.build();
    }

    public boolean isEmpty() {
        return phrases.isEmpty()
                && identifiers.isEmpty()
                && telecomDigits.isEmpty()
                && initials.isEmpty();
    }

    /** This context plus another's values; this one's patient key wins when both have one. */
    public KnownPhi with(KnownPhi other) {
        Builder builder = new Builder().merge(other).merge(this);
        builder.patientKey = patientKey != null ? patientKey : other.patientKey;
        builder.strict = strict || other.strict;
        return builder.build();
    }

    @Override
    public String toString() {
        return "KnownPhi["
                + phrases.size()
                + " phrases, "
                + identifiers.size()
                + " identifiers, "
                + telecomDigits.size()
                + " telecoms]";
    }

    /** Collects known PHI; every adder ignores null and blank values. */
    public static final class Builder {
        private String patientKey;
        private boolean strict;
        private final Set<String> initials = new LinkedHashSet<>();
        private final Map<String, PhiType> phrases = new LinkedHashMap<>();
        private final Map<String, PhiType> identifiers = new LinkedHashMap<>();
        private final Map<String, PhiType> telecomDigits = new LinkedHashMap<>();

        private Builder() {}

        private Builder merge(KnownPhi other) {
            phrases.putAll(other.phrases);
            identifiers.putAll(other.identifiers);
            telecomDigits.putAll(other.telecomDigits);
            initials.addAll(other.initials);
            return this;
        }

        /** The patient's MRN: keys the date offset and is itself an identifier. */
        public Builder patientKey(String mrn) {
            if (!isBlank(mrn)) {
                this.patientKey = mrn.strip();
                identifier(mrn, PhiType.ID);
            }
            return this;
        }

        /**
         * A person's name or name part. The whole name and each part of it are known, each also
         * without a numeric tail (synthetic data writes "Sumiko254"; text may say "Sumiko").
         */
        public Builder personName(String name) {
            if (isBlank(name)) {
                return this;
            }
            phrase(name, PhiType.NAME);
            List<String> parts = words(name);
            List<String> stems = new ArrayList<>();
            for (String part : parts) {
                String stem = part.replaceAll("\\d+$", "");
                stems.add(stem);
                if (part.length() > 1) {
                    phrase(part, PhiType.NAME);
                }
                if (stem.length() > 1 && !stem.equals(part)) {
                    phrase(stem, PhiType.NAME);
                }
            }
            if (parts.size() > 1) {
                phrase(String.join(" ", stems), PhiType.NAME);
            }
            for (String part : parts) {
                // "O'Brien-Walsh" is also written "O Brien Walsh", "OBrien", "Walsh".
                if (part.indexOf('-') >= 0
                        || part.indexOf('\'') >= 0
                        || part.indexOf('\u2019') >= 0) {
                    String[] pieces = part.split("[-'\u2019]");
                    phrase(String.join(" ", pieces), PhiType.NAME);
                    phrase(String.join("", pieces), PhiType.NAME);
                    for (String piece : pieces) {
                        if (piece.length() > 2) {
                            phrase(piece, PhiType.NAME);
                        }
                    }
                }
            }
            return this;
        }

        /**
         * A person's name from its structured parts (FHIR HumanName, DICOM PN): every written form
         * a text may use, "given family", "family given" (also "FAMILY, Given"), with and without
         * middle names, each part alone, and the initials ("MAO", "M.A.O.", "MO").
         */
        public Builder personName(String family, List<String> givens) {
            List<String> given =
                    givens == null ? List.of() : givens.stream().filter(g -> !isBlank(g)).toList();
            boolean hasFamily = !isBlank(family);
            if (!hasFamily && given.isEmpty()) {
                return this;
            }
            String givenAll = String.join(" ", given);
            if (hasFamily) {
                personName(family);
                personName((givenAll + " " + family).strip());
                personName((family + " " + givenAll).strip());
                if (!given.isEmpty()) {
                    personName(given.get(0) + " " + family);
                    personName(family + " " + given.get(0));
                }
            }
            given.forEach(this::personName);
            if (hasFamily && !given.isEmpty()) {
                StringBuilder all = new StringBuilder();
                for (String g : given) {
                    all.append(initial(g));
                }
                String last = initial(family);
                initials.add(all + last);
                initials.add(initial(given.get(0)) + last);
            }
            return this;
        }

        private static String initial(String word) {
            for (int i = 0; i < word.length(); i++) {
                if (Character.isLetter(word.charAt(i))) {
                    return String.valueOf(Character.toUpperCase(word.charAt(i)));
                }
            }
            return "";
        }

        /** A street line, city, district or other place smaller than a state. */
        public Builder place(String place) {
            if (!isBlank(place)) {
                phrase(place, PhiType.ADDRESS);
                String stem = place.replaceAll("\\d+(?=\\s|$)", "").strip();
                if (!stem.isEmpty()
                        && !stem.equals(place.strip())
                        && stem.chars().anyMatch(Character::isLetter)) {
                    // "Olathe" for "Olathe12": synthetic data numbers its places too.
                    phrase(stem, PhiType.ADDRESS);
                }
            }
            return this;
        }

        /** A postal code; its first five characters are known too (ZIP+4). */
        public Builder postalCode(String code) {
            if (!isBlank(code)) {
                identifier(code, PhiType.ADDRESS);
                phrase(code, PhiType.ADDRESS);
                if (code.strip().matches("\\d{5}-\\d{4}")) {
                    identifier(code.strip().substring(0, 5), PhiType.ADDRESS);
                }
            }
            return this;
        }

        public Builder organization(String name) {
            if (!isBlank(name)) {
                phrase(name, PhiType.ORGANIZATION);
            }
            return this;
        }

        /** A phone or fax number, matched on its digits in any punctuation. */
        public Builder telecom(String number, PhiType type) {
            if (isBlank(number)) {
                return this;
            }
            String digits = number.replaceAll("\\D", "");
            if (digits.length() >= 7) {
                telecomDigits.put(digits, type);
                if (digits.length() == 11 && digits.startsWith("1")) {
                    telecomDigits.put(digits.substring(1), type); // NANP: country code optional
                }
            }
            return this;
        }

        public Builder email(String email) {
            if (!isBlank(email)) {
                identifiers.put(normalizeIdentifier(email), PhiType.EMAIL);
            }
            return this;
        }

        public Builder url(String url) {
            if (!isBlank(url)) {
                identifiers.put(normalizeIdentifier(url), PhiType.URL);
            }
            return this;
        }

        /** An identifier (MRN, SSN, licence, account…), matched whatever its separators. */
        public Builder identifier(String value, PhiType type) {
            if (!isBlank(value)) {
                String normalized = normalizeIdentifier(value);
                if (normalized.length() >= 4) {
                    identifiers.put(normalized, type);
                }
            }
            return this;
        }

        /** A date known to be the patient's (birth, death, encounter), in its usual spellings. */
        public Builder date(LocalDate date) {
            if (date != null) {
                for (DateTimeFormatter spelling : DATE_SPELLINGS) {
                    String text = spelling.format(date);
                    if (text.matches("\\d{8}")) {
                        identifiers.put(text, PhiType.DATE);
                    } else {
                        phrase(text, PhiType.DATE);
                    }
                }
            }
            return this;
        }

        public KnownPhi build() {
            return new KnownPhi(this);
        }

        private void phrase(String text, PhiType type) {
            String key = phraseKey(text);
            if (!key.isEmpty()) {
                phrases.putIfAbsent(key, type);
            }
        }
    }

    /** Lower-case words joined by single spaces, the form the matcher compares token runs in. */
    static String phraseKey(String text) {
        return String.join(" ", words(text)).toLowerCase(Locale.ROOT);
    }

    static String normalizeIdentifier(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                out.append(Character.toLowerCase(c));
            } else if (c == '@' || c == '.') {
                out.append(c); // keeps e-mail addresses and URLs readable as such
            }
        }
        return out.toString();
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (Token token : Tokenizer.tokenize(Objects.requireNonNull(text))) {
            out.add(token.text());
        }
        return out;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
