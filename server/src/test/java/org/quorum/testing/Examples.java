package org.quorum.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The profile examples and fixtures in {@code fhir-profiles/examples}. */
public final class Examples {

    public static final Path ROOT =
            Path.of("..", "fhir-profiles", "examples").toAbsolutePath().normalize();

    private Examples() {}

    public static String read(String relative) {
        try {
            return Files.readString(ROOT.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Stream<Path> jsonFiles(String folder) {
        try (Stream<Path> files = Files.list(ROOT.resolve(folder))) {
            return files
                    .filter(p -> p.toString().endsWith(".json"))
                    .filter(p -> !p.getFileName().toString().equals("expected-elements.json"))
                    .sorted()
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
