package org.quorum.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The external DICOM validators, run on files: dciodvfy (dicom3tools), dsrdump (dcmtk) and
 * PixelMed's DicomSRValidator (in a child JVM). They must be installed (CI installs them); a
 * missing tool fails the test with a message naming the package, it is never skipped.
 *
 * <p>Use {@link #assertConformant(Path)} for dciodvfy + dsrdump on every SR a test writes, and
 * {@link #assertPixelmedSrValid(List)} once per test class (it takes ~30 s to load its XSLT).
 */
public final class DicomValidators {

    /** PixelMed's jar; its manifest Class-Path names its Debian dependencies. */
    public static final Path PIXELMED_JAR = Path.of("/usr/share/java/pixelmed.jar");

    private DicomValidators() {}

    /** What one validator run printed. */
    public record Result(String tool, int exitCode, List<String> lines) {

        /** Lines reporting an error (dciodvfy: "Error"; PixelMed: "Error:"). */
        public List<String> errors() {
            return lines.stream().filter(l -> l.contains("Error")).toList();
        }

        public List<String> warnings() {
            return lines.stream().filter(l -> l.contains("Warning")).toList();
        }

        public String output() {
            return String.join("\n", lines);
        }
    }

    /** dciodvfy: checks the dataset against the IOD and module definitions of PS3.3. */
    public static Result dciodvfy(Path file) {
        return run("dciodvfy (Debian package dicom3tools)", List.of("dciodvfy", file.toString()));
    }

    /** dsrdump: parses and prints the SR content tree (fails on a malformed tree). */
    public static Result dsrdump(Path file) {
        return run("dsrdump (Debian package dcmtk)", List.of("dsrdump", file.toString()));
    }

    /**
     * PixelMed's DicomSRValidator on the files (one JVM for all of them): checks the IOD and the
     * content tree against the templates of PS3.16.
     */
    public static Result pixelmedSr(List<Path> files) {
        if (!Files.isReadable(PIXELMED_JAR)) {
            throw new AssertionError(
                    PIXELMED_JAR + " is missing: install the Debian package libpixelmed-java");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // On JDK 17 the XSLT of the validator exceeds the default XPath limits.
        command.add("-Djdk.xml.xpathExprGrpLimit=0");
        command.add("-Djdk.xml.xpathExprOpLimit=0");
        command.add("-Djdk.xml.xpathTotalOpLimit=0");
        command.add("-cp");
        command.add(PIXELMED_JAR + java.io.File.pathSeparator + testClasses());
        command.add(PixelmedSrValidation.class.getName());
        files.forEach(f -> command.add(f.toString()));
        return run("PixelMed DicomSRValidator", command);
    }

    /**
     * dciodvfy exits 0 and prints no line with "Error"; dsrdump exits 0. Warnings are printed to
     * the test output, not failed on.
     */
    public static void assertConformant(Path file) {
        Result iod = dciodvfy(file);
        iod.warnings()
                .forEach(w -> System.out.println("dciodvfy " + file.getFileName() + ": " + w));
        assertThat(iod.exitCode()).as("dciodvfy exit code\n%s", iod.output()).isZero();
        assertThat(iod.errors()).as("dciodvfy errors\n%s", iod.output()).isEmpty();
        Result dump = dsrdump(file);
        assertThat(dump.exitCode()).as("dsrdump exit code\n%s", dump.output()).isZero();
    }

    /** PixelMed's DicomSRValidator prints no "Error:" line for any of the files. */
    public static void assertPixelmedSrValid(List<Path> files) {
        Result result = pixelmedSr(files);
        result.warnings().forEach(w -> System.out.println("PixelMed: " + w));
        assertThat(result.exitCode()).as("PixelMed exit code\n%s", result.output()).isZero();
        for (Path file : files) {
            assertThat(result.output())
                    .as("PixelMed validated %s", file.getFileName())
                    .contains(
                            "=== "
                                    + file
                                    + "\nFound ComprehensiveSR IOD\nFound Root Template TID_1500");
        }
        assertThat(result.lines().stream().filter(l -> l.contains("Error:")).toList())
                .as("PixelMed errors\n%s", result.output())
                .isEmpty();
    }

    private static String testClasses() {
        try {
            return Path.of(
                            PixelmedSrValidation.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Result run(String tool, List<String> command) {
        try {
            Path output = Files.createTempFile("validator", ".txt");
            try {
                Process process =
                        new ProcessBuilder(command)
                                .redirectErrorStream(true)
                                .redirectOutput(output.toFile())
                                .start();
                if (!process.waitFor(5, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError(tool + " did not finish within 5 minutes");
                }
                List<String> lines = Files.readAllLines(output, StandardCharsets.ISO_8859_1);
                return new Result(tool, process.exitValue(), lines);
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("error=2")) {
                throw new AssertionError(tool + " is not installed", e);
            }
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(tool + " was interrupted", e);
        }
    }
}
