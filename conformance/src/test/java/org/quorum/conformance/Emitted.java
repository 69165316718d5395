package org.quorum.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The resources Quorum emitted during the conformance scenarios, one JSON file each in one folder
 * (the HL7 validator's input), with where each came from.
 */
final class Emitted {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One emitted resource: its type, the scenario that made Quorum emit it, its file. */
    record Resource(String type, String origin, Path file) {}

    private final Path folder;
    private final List<Resource> resources = new ArrayList<>();

    Emitted(Path folder) {
        this.folder = folder;
        try {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> old = Files.walk(folder)) {
                    for (Path path : old.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path folder() {
        return folder;
    }

    List<Resource> resources() {
        return List.copyOf(resources);
    }

    /**
     * Records one resource as Quorum sent it ({@code json}, a resource's JSON); {@code origin}
     * names the scenario (e.g. {@code $deidentify safe-harbor}).
     */
    synchronized Resource add(String origin, String json) {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(origin + " did not emit JSON: " + e.getMessage(), e);
        }
        String type = tree.path("resourceType").asText();
        if (type.isEmpty()) {
            throw new AssertionError(origin + " emitted JSON that is not a resource");
        }
        String name =
                String.format(
                        "%04d-%s-%s.json",
                        resources.size(), type, origin.replaceAll("[^A-Za-z0-9]+", "-"));
        Path file = folder.resolve(name);
        try {
            Files.writeString(file, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Resource resource = new Resource(type, origin, file);
        resources.add(resource);
        return resource;
    }

    /** Records each entry's resource of a Bundle separately. */
    void addEntries(String origin, String bundleJson) {
        try {
            for (JsonNode entry : JSON.readTree(bundleJson).path("entry")) {
                if (entry.has("resource")) {
                    add(origin, JSON.writeValueAsString(entry.path("resource")));
                }
            }
        } catch (IOException e) {
            throw new AssertionError(origin + " did not emit a JSON Bundle", e);
        }
    }
}
