package org.quorum.deid.text.lexicon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything the detector knows about words: English vocabulary (WordNet), name and place lists
 * (datafaker), and the project's list of words that are never PHI on their own. Immutable and
 * thread-safe; load it once with {@link #standard()} and share it.
 */
public final class PhiLexicon {

    /** Words at or above this SemCor frequency are too common to be taken for a name alone. */
    static final int COMMON_WORD_FREQUENCY = 3;

    private static final String NOT_PHI_RESOURCE = "/org/quorum/deid/text/not-phi-words.txt";
    private static final Set<String> CALENDAR_WORDS =
            Set.of(
                    "january",
                    "february",
                    "march",
                    "april",
                    "may",
                    "june",
                    "july",
                    "august",
                    "september",
                    "october",
                    "november",
                    "december",
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday");

    private final EnglishVocabulary vocabulary;
    private final Set<String> firstNames;
    private final Set<String> lastNames;
    private final Set<String> places;
    private final Set<String> streetWords;
    private final Set<String> countriesAndStates;
    private final Set<String> companySuffixes;
    private final Set<String> clinicalTerms;
    private final Set<String> notPhi;
    private final List<String> surrogateFirstNames;
    private final List<String> surrogateLastNames;
    private final List<String> surrogateCities;
    private final List<String> surrogateStreets;
    private final List<String> surrogateOrganizations;

    private PhiLexicon(
            EnglishVocabulary vocabulary, DatafakerGazetteer gazetteer, Set<String> notPhi) {
        this.vocabulary = vocabulary;
        this.notPhi = Set.copyOf(notPhi);
        Set<String> first = new HashSet<>(gazetteer.firstNames());
        Set<String> last = new HashSet<>(gazetteer.lastNames());
        last.addAll(vocabulary.properPersonNames());
        Set<String> placeNames = new HashSet<>(gazetteer.places());
        placeNames.addAll(vocabulary.properPlaceNames());
        Set<String> clinical = new HashSet<>(gazetteer.clinicalTerms());
        // Drug and disease words are never names, even when a name list holds them too.
        first.removeAll(clinical);
        last.removeAll(clinical);
        this.firstNames = Set.copyOf(first);
        this.lastNames = Set.copyOf(last);
        this.places = Set.copyOf(placeNames);
        this.streetWords = Set.copyOf(gazetteer.streetWords());
        this.countriesAndStates = Set.copyOf(gazetteer.countriesAndStates());
        this.companySuffixes = Set.copyOf(gazetteer.companySuffixes());
        this.clinicalTerms = Set.copyOf(clinical);
        this.surrogateFirstNames = List.copyOf(gazetteer.englishFirstNames());
        this.surrogateLastNames = List.copyOf(gazetteer.englishLastNames());
        List<String> suffixes =
                gazetteer.englishStreetSuffixes().isEmpty()
                        ? List.of("Street", "Avenue", "Road")
                        : gazetteer.englishStreetSuffixes();
        // datafaker's English city template "#{Name.last_name}#{city_suffix}": fictional towns.
        List<String> townSuffixes =
                List.of("ville", "ton", "field", "bury", "ford", "haven", "port", "view");
        List<String> cities = new ArrayList<>();
        List<String> streets = new ArrayList<>();
        for (int i = 0; i < surrogateLastNames.size(); i++) {
            String lastName = surrogateLastNames.get(i);
            cities.add(lastName + townSuffixes.get(i % townSuffixes.size()));
            streets.add(lastName + " " + suffixes.get(i % suffixes.size()));
        }
        this.surrogateCities = List.copyOf(cities);
        this.surrogateStreets = List.copyOf(streets);
        this.surrogateOrganizations = List.copyOf(gazetteer.hospitalNames());
    }

    private static final class Holder {
        static final PhiLexicon STANDARD = load();

        // The build's snapshot of both sources when it matches the jars (a fraction of a second);
        // otherwise WordNet and datafaker's YAML files, which are independent and each take
        // seconds: read them at the same time (a CLI run waits for both before its first text).
        private static PhiLexicon load() {
            java.util.Optional<LexiconSnapshot.Sources> bundled = LexiconSnapshot.readBundled();
            if (bundled.isPresent()) {
                return new PhiLexicon(
                        bundled.get().vocabulary(), bundled.get().gazetteer(), readNotPhiWords());
            }
            java.util.concurrent.FutureTask<DatafakerGazetteer> gazetteer =
                    new java.util.concurrent.FutureTask<>(DatafakerGazetteer::load);
            Thread reader = new Thread(gazetteer, "quorum-lexicon-datafaker");
            reader.setDaemon(true);
            reader.start();
            EnglishVocabulary english = EnglishVocabulary.loadWordNet();
            try {
                return new PhiLexicon(english, gazetteer.get(), readNotPhiWords());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while loading the dictionaries", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(
                        "Cannot load the datafaker dictionaries", e.getCause());
            }
        }
    }

    /**
     * The lexicon built from WordNet, datafaker and the bundled not-PHI word list; loaded on first
     * use.
     */
    public static PhiLexicon standard() {
        return Holder.STANDARD;
    }

    /** An English word (any part of speech, any inflection) or a drug/disease word. */
    public boolean isCommonWord(String lower) {
        return vocabulary.isEnglishWord(lower) || clinicalTerms.contains(lower);
    }

    /**
     * A common word frequent enough in running English that it needs more than capitals to be a
     * name.
     */
    public boolean isFrequentWord(String lower) {
        return vocabulary.frequency(lower) >= COMMON_WORD_FREQUENCY;
    }

    /** Listed as never PHI on its own (honorifics, note headings, acronyms, payers). */
    public boolean isNotPhi(String lower) {
        return notPhi.contains(lower);
    }

    /** Month or weekday name: a date word, a first name only beside another name. */
    public boolean isCalendarWord(String lower) {
        return CALENDAR_WORDS.contains(lower);
    }

    public boolean isFirstName(String lower) {
        return firstNames.contains(lower);
    }

    public boolean isLastName(String lower) {
        return lastNames.contains(lower);
    }

    public boolean isPersonName(String lower) {
        return firstNames.contains(lower) || lastNames.contains(lower);
    }

    /** City, town, county or other named place (not a country or state). */
    public boolean isPlace(String lower) {
        return places.contains(lower);
    }

    /** A word that makes a street: "street", "ave", "katu", "via", "rue", "utca". */
    public boolean isStreetWord(String lower) {
        return streetWords.contains(lower);
    }

    /** Country, state, province or its abbreviation; Safe Harbor lets these stay. */
    public boolean isCountryOrState(String lower) {
        return countriesAndStates.contains(lower);
    }

    /** Company legal form or suffix: "inc", "llc", "gmbh". */
    public boolean isCompanySuffix(String lower) {
        return companySuffixes.contains(lower);
    }

    public List<String> surrogateFirstNames() {
        return surrogateFirstNames;
    }

    public List<String> surrogateLastNames() {
        return surrogateLastNames;
    }

    public List<String> surrogateCities() {
        return surrogateCities;
    }

    public List<String> surrogateStreets() {
        return surrogateStreets;
    }

    public List<String> surrogateOrganizations() {
        return surrogateOrganizations;
    }

    private static Set<String> readNotPhiWords() {
        Set<String> words = new HashSet<>();
        try (InputStream in = PhiLexicon.class.getResourceAsStream(NOT_PHI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(NOT_PHI_RESOURCE + " missing from the classpath");
            }
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                String word = line.strip();
                if (!word.isEmpty() && !word.startsWith("#")) {
                    words.add(word.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + NOT_PHI_RESOURCE, e);
        }
        words.removeAll(CALENDAR_WORDS); // handled by isCalendarWord
        return words;
    }
}
