package org.quorum.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes the temporary directories test peers and servers leave behind. */
public final class TempDirs {

    private TempDirs() {}

    /**
     * Deletes {@code directory} and everything under it, as far as it can: a file that cannot be
     * deleted is left for the OS to clean, and so is the directory if walking it fails.
     */
    public static void delete(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Temporary directory: left for the OS to clean.
        }
    }
}
