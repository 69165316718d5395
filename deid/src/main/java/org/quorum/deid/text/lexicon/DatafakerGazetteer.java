package org.quorum.deid.text.lexicon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Name, place, street and hospital lists from the locale YAML files that ship inside the datafaker
 * jar ({@code net.datafaker:datafaker}). Read once from the classpath; no network.
 *
 * <p>Every locale is read, not only English: clinical text names people and places from everywhere.
 * Templates ({@code "#{Name.first_name}ville"}) are skipped; only literal entries are kept.
 */
public final class DatafakerGazetteer {

    private static final Pattern TEMPLATE = Pattern.compile("#\\{|[#?]{2}");
    private static final Pattern WORD_SPLIT = Pattern.compile("[\\s,]+");

    private final Set<String> firstNames = new HashSet<>();
    private final Set<String> lastNames = new HashSet<>();
    private final Set<String> places = new HashSet<>();
    private final Set<String> streetWords = new HashSet<>();
    private final Set<String> countriesAndStates = new HashSet<>();
    private final Set<String> companySuffixes = new HashSet<>();
    private final Set<String> clinicalTerms = new HashSet<>();
    private final Set<String> hospitalNames = new LinkedHashSet<>();
    private final List<String> englishFirstNames = new ArrayList<>();
    private final List<String> englishLastNames = new ArrayList<>();
    private final List<String> englishStreetSuffixes = new ArrayList<>();

    private DatafakerGazetteer() {}

    /** Reads all lists from the datafaker jar on the classpath. */
    public static DatafakerGazetteer load() {
        DatafakerGazetteer gazetteer = new DatafakerGazetteer();
        URL anchor = DatafakerGazetteer.class.getResource("/en/name.yml");
        if (anchor == null) {
            throw new IllegalStateException(
                    "datafaker's en/name.yml is not on the classpath: "
                            + "is net.datafaker:datafaker a dependency?");
        }
        try {
            URI uri = anchor.toURI();
            if ("jar".equals(uri.getScheme())) {
                try (FileSystem jar = openJar(uri)) {
                    gazetteer.readAll(jar.getPath("/"));
                }
            } else {
                gazetteer.readAll(Path.of(uri).getParent().getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read datafaker's locale files", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Unexpected resource URL " + anchor, e);
        }
        return gazetteer;
    }

    private static FileSystem openJar(URI uri) throws IOException {
        try {
            return FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
            // Another caller has it open; a second, private one on the same file works too.
            String jarPath = uri.getSchemeSpecificPart();
            Path file = Path.of(URI.create(jarPath.substring(0, jarPath.indexOf("!/"))));
            return FileSystems.newFileSystem(file);
        }
    }

    private void readAll(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> top = Files.list(root)) {
            top.filter(p -> p.getFileName() != null && p.getFileName().toString().endsWith(".yml"))
                    .forEach(files::add);
        }
        for (String english :
                List.of(
                        "name",
                        "address",
                        "country",
                        "nation",
                        "care_provider",
                        "medical",
                        "medication",
                        "disease",
                        "company")) {
            Path file = root.resolve("en").resolve(english + ".yml");
            if (Files.exists(file)) {
                files.add(file);
            }
        }
        Collections.sort(files);
        for (Path file : files) {
            boolean english =
                    file.getParent() != null
                            && file.getParent().getFileName() != null
                            && "en".equals(file.getParent().getFileName().toString());
            Object tree;
            try (InputStream in = Files.newInputStream(file)) {
                LoaderOptions options = new LoaderOptions();
                options.setCodePointLimit(8 * 1024 * 1024);
                tree = new Yaml(options).load(in);
            }
            walk(tree, new ArrayList<>(), english);
        }
    }

    private void walk(Object node, List<String> path, boolean english) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                path.add(String.valueOf(entry.getKey()));
                walk(entry.getValue(), path, english);
                path.remove(path.size() - 1);
            }
        } else if (node instanceof List<?> list && path.size() >= 2) {
            collect(path.get(path.size() - 2), path.get(path.size() - 1), list, english);
        }
    }

    private void collect(String group, String key, List<?> values, boolean english) {
        for (Object value : values) {
            if (!(value instanceof String text)
                    || TEMPLATE.matcher(text).find()
                    || text.isBlank()) {
                continue;
            }
            switch (group) {
                case "name" -> collectName(key, text, english);
                case "address" -> collectAddress(key, text, english);
                case "country" -> {
                    if (key.equals("name") || key.equals("capital")) {
                        (key.equals("name") ? countriesAndStates : places).add(lower(text));
                        addWords(places, text);
                    }
                }
                case "nation" -> {
                    if (key.equals("capital_city")) {
                        places.add(lower(text));
                        addWords(places, text);
                    }
                }
                case "care_provider", "medical" -> {
                    if (key.equals("hospital_name")) {
                        hospitalNames.add(text);
                    } else if (english) {
                        addWords(clinicalTerms, text);
                    }
                }
                case "medication", "disease" -> addWords(clinicalTerms, text);
                case "company" -> {
                    if (key.contains("suffix") || key.equals("legal_form")) {
                        companySuffixes.add(lower(text).replace(".", ""));
                    }
                }
                default -> {
                    if (english
                            && (key.contains("medicine")
                                    || key.contains("drug")
                                    || key.contains("disease"))) {
                        addWords(clinicalTerms, text);
                    }
                }
            }
        }
    }

    private void collectName(String key, String text, boolean english) {
        boolean first =
                key.contains("first_name")
                        || key.contains("middle_name")
                        || key.endsWith("english_name")
                        || key.endsWith("_female_name")
                        || key.endsWith("_male_name");
        boolean last = key.contains("last_name");
        if (!first && !last) {
            return;
        }
        Set<String> target = first ? firstNames : lastNames;
        if (text.indexOf(' ') < 0) {
            target.add(lower(text));
        } else {
            // "Mary Ann", "de la Cruz": keep the capitalised parts, not particles like "de".
            for (String part : WORD_SPLIT.split(text)) {
                if (part.length() > 2 && Character.isUpperCase(part.codePointAt(0))) {
                    target.add(lower(part));
                }
            }
        }
        if (english && text.indexOf(' ') < 0) {
            (first ? englishFirstNames : englishLastNames).add(text);
        }
    }

    private void collectAddress(String key, String text, boolean english) {
        switch (key) {
            case "city",
                    "city_name",
                    "cities",
                    "city_names",
                    "city_root",
                    "municipality",
                    "county",
                    "village",
                    "suburb",
                    "district_names",
                    "community",
                    "lga" -> {
                places.add(lower(text));
                addWords(places, text);
            }
            case "street",
                    "streets",
                    "street_root",
                    "street_title",
                    "feminine_street_title",
                    "masculine_street_title" ->
                    addWords(streetWords, text);
            case "street_suffix",
                    "common_street_suffix",
                    "street_prefix",
                    "masculine_street_prefix",
                    "feminine_street_prefix" -> {
                streetWords.add(lower(text).replace(".", ""));
                if (english && key.equals("street_suffix")) {
                    englishStreetSuffixes.add(text);
                }
            }
            case "state",
                    "province",
                    "provinces",
                    "region",
                    "regions",
                    "country",
                    "default_country",
                    "uk_country",
                    "state_abbr",
                    "region_abbr" ->
                    countriesAndStates.add(lower(text));
            default -> {
                // postcodes, time zones, building-number templates: not word lists
            }
        }
    }

    private static void addWords(Set<String> target, String text) {
        for (String word : WORD_SPLIT.split(text)) {
            String cleaned = word.replaceAll("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]+$", "");
            if (cleaned.length() > 2) {
                target.add(lower(cleaned));
            }
        }
    }

    private static String lower(String text) {
        return text.strip().toLowerCase(Locale.ROOT);
    }

    /** First and middle names of all locales, lower case. */
    public Set<String> firstNames() {
        return firstNames;
    }

    /** Family names of all locales, lower case. */
    public Set<String> lastNames() {
        return lastNames;
    }

    /** City, town, county and capital names and their words, lower case. */
    public Set<String> places() {
        return places;
    }

    /**
     * Words that make streets: suffixes ("avenue", "katu"), prefixes ("via", "rue"), street names.
     */
    public Set<String> streetWords() {
        return streetWords;
    }

    /**
     * Countries, states, provinces and their abbreviations, lower case (not PHI under Safe Harbor).
     */
    public Set<String> countriesAndStates() {
        return countriesAndStates;
    }

    /** Company legal forms and suffixes ("inc", "llc", "gmbh"), lower case, no dots. */
    public Set<String> companySuffixes() {
        return companySuffixes;
    }

    /** Words of drug, disease and symptom names, lower case: never names. */
    public Set<String> clinicalTerms() {
        return clinicalTerms;
    }

    /** US hospital names, as written. */
    public Set<String> hospitalNames() {
        return hospitalNames;
    }

    /** English first names as written, the pool surrogate first names are drawn from. */
    public List<String> englishFirstNames() {
        return englishFirstNames;
    }

    /** English family names as written, the pool surrogate family names are drawn from. */
    public List<String> englishLastNames() {
        return englishLastNames;
    }

    /** English street suffixes as written ("Avenue"), for surrogate streets. */
    public List<String> englishStreetSuffixes() {
        return englishStreetSuffixes;
    }

    /** Writes every list, in its iteration order, for {@link LexiconSnapshot}. */
    void writeTo(DataOutputStream out) throws IOException {
        for (java.util.Collection<String> list : allLists()) {
            LexiconSnapshot.writeStrings(out, list);
        }
    }

    /** Reads what {@link #writeTo} wrote. */
    static DatafakerGazetteer readFrom(DataInputStream in) throws IOException {
        DatafakerGazetteer gazetteer = new DatafakerGazetteer();
        for (java.util.Collection<String> list : gazetteer.allLists()) {
            LexiconSnapshot.readStrings(in, list);
        }
        return gazetteer;
    }

    private List<java.util.Collection<String>> allLists() {
        return List.of(
                firstNames,
                lastNames,
                places,
                streetWords,
                countriesAndStates,
                companySuffixes,
                clinicalTerms,
                hospitalNames,
                englishFirstNames,
                englishLastNames,
                englishStreetSuffixes);
    }
}
