package org.quorum.deid.text.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the project's shared data folder ({@code shared/data}) by walking up from a directory: the
 * repository sits beside {@code shared/} on developer machines and in CI alike.
 */
public final class SharedData {

    private SharedData() {}

    /** {@code shared/data} in the working directory or the nearest ancestor that has one. */
    public static Optional<Path> locate() {
        return locateFrom(Path.of("").toAbsolutePath());
    }

    public static Optional<Path> locateFrom(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Like {@link #locate()}, failing with what to do when there is none. */
    public static Path require() {
        return locate().orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "No shared/data folder in "
                                                + Path.of("").toAbsolutePath()
                                                + " or above it: run from inside the "
                                                + "repository with shared/ beside it."));
    }
}
