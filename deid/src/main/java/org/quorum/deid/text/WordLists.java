package org.quorum.deid.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Named word lists read once from a resource beside this class: one {@code list <TAB> word} a line,
 * {@code #} comments (which say where the words come from). Words are lower case.
 */
final class WordLists {

    private final String resource;
    private final Map<String, Set<String>> lists;

    private WordLists(String resource, Map<String, Set<String>> lists) {
        this.resource = resource;
        this.lists = lists;
    }

    static WordLists load(String resource) {
        Map<String, Set<String>> lists = new HashMap<>();
        try (InputStream in = WordLists.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path");
            }
            String content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String line : content.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab <= 0) {
                    throw new IllegalStateException(resource + ": no list name in '" + line + "'");
                }
                lists.computeIfAbsent(line.substring(0, tab), k -> new HashSet<>())
                        .add(line.substring(tab + 1).strip().toLowerCase(Locale.ROOT));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + resource, e);
        }
        Map<String, Set<String>> frozen = new HashMap<>();
        lists.forEach((k, v) -> frozen.put(k, Set.copyOf(v)));
        return new WordLists(resource, Map.copyOf(frozen));
    }

    /** A list; fails at class initialisation when the resource lacks it. */
    Set<String> set(String name) {
        Set<String> set = lists.get(name);
        if (set == null) {
            throw new IllegalStateException(resource + " has no list " + name);
        }
        return set;
    }
}
