package org.quorum.deid.text.eval;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's test data folder ({@code testdata/}: Synthea, DICOM samples, presidio sentences,
 * agreement tables; each source with its licence and origin in its folder). The build passes its
 * location to the tests as the system property {@code quorum.testdata}; tools run by hand from the
 * repository root find it as {@code ./testdata}. Nothing outside the repository is read.
 */
public final class TestData {

    /** The system property the build sets for the tests. */
    public static final String PROPERTY = "quorum.testdata";

    private TestData() {}

    /** The test data folder; fails naming what to do when there is none. */
    public static Path require() {
        String configured = System.getProperty(PROPERTY);
        Path folder =
                configured != null && !configured.isBlank()
                        ? Path.of(configured)
                        : Path.of("testdata").toAbsolutePath();
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException(
                    "No test data folder at "
                            + folder
                            + ": run from the repository root, or set -D"
                            + PROPERTY
                            + "=<repository>/testdata");
        }
        return folder;
    }

    /** A folder or file inside the test data, e.g. {@code resolve("dicom/pydicom")}. */
    public static Path resolve(String relative) {
        return require().resolve(relative);
    }
}
