package org.quorum.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official HL7 FHIR validator ({@code org.hl7.fhir.validation.ValidatorCli} {@value #VERSION},
 * unchanged) in a child JVM on its own class path: the {@code quorum-hl7-validator} module's {@code
 * target/lib}. Offline: its package cache and settings come from {@link ValidatorPackages}, network
 * access is prohibited, and there is no terminology server ({@code -tx n/a}), so codes of external
 * systems (SNOMED CT, LOINC, UCUM is local) are reported as unchecked, as warnings.
 *
 * <p>One run validates a whole folder (loading the packages takes most of the time).
 */
final class Hl7Validator {

    static final String VERSION = "6.4.4";

    /**
     * Domains whose definitions no package here carries: US Core's (race, ethnicity, birth sex,
     * Direct address, document category) and Synthea's own extensions, which de-identified Synthea
     * data keeps. Neither package is served by Maven Central; Quorum defines nothing there. The
     * validator accepts their extensions without a definition ({@code -extension}), and "URL value
     * ... does not resolve" for them is counted as unchecked, not as an error.
     */
    static final List<String> UNCHECKED_DOMAINS =
            List.of("http://hl7.org/fhir/us/core/", "http://synthetichealth.github.io/synthea/");

    private static final java.util.regex.Pattern UNRESOLVED_URL =
            java.util.regex.Pattern.compile("URL value '([^']+)' does not resolve");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path lib;
    private final Path home;
    private final Path work;

    private Hl7Validator(Path lib, Path home, Path work) {
        this.lib = lib;
        this.home = home;
        this.work = work;
    }

    /** Lays out the packages under {@code work} and checks the validator's class path. */
    static Hl7Validator prepare(Path work, ca.uhn.fhir.context.FhirContext fhir) {
        Path lib =
                Path.of(System.getProperty("quorum.hl7validator.lib", "hl7-validator/target/lib"));
        if (!Files.isRegularFile(lib.resolve("org.hl7.fhir.validation-" + VERSION + ".jar"))) {
            throw new AssertionError(
                    "The HL7 validator's class path "
                            + lib
                            + " is missing: build the conformance/hl7-validator module"
                            + " (mvn -pl conformance -am verify)");
        }
        Path home = work.resolve("validator-home");
        ValidatorPackages.prepare(home, fhir);
        return new Hl7Validator(lib, home, work);
    }

    /** One issue of the validator's OperationOutcome. */
    record Issue(String severity, String location, String message) {

        /** An error about the resource (not one the offline set-up cannot decide). */
        boolean isError() {
            return (severity.equals("error") || severity.equals("fatal")) && !isUnchecked();
        }

        /**
         * An error the validator raises only because it cannot look something up offline: a code
         * that needs a terminology server (BCP 13 media types, with {@code -tx n/a}), or a URL in
         * one of the {@link #UNCHECKED_DOMAINS}.
         */
        boolean isUnchecked() {
            if (!(severity.equals("error") || severity.equals("fatal"))) {
                return false;
            }
            if (message.contains("No server available")) {
                return true;
            }
            java.util.regex.Matcher url = UNRESOLVED_URL.matcher(message);
            return url.find() && UNCHECKED_DOMAINS.stream().anyMatch(url.group(1)::startsWith);
        }

        boolean isWarning() {
            return severity.equals("warning");
        }
    }

    /** The issues per validated file, and how long the run took. */
    record Run(Map<String, List<Issue>> issuesByFile, Duration took, String log) {
        List<Issue> issues(Path file) {
            List<Issue> issues = issuesByFile.get(file.toAbsolutePath().normalize().toString());
            if (issues == null) {
                throw new AssertionError(
                        "The validator reported nothing for " + file + "\n" + tail(log));
            }
            return issues;
        }
    }

    /**
     * Validates every file in {@code folder} (one resource per file, JSON) against FHIR R4 and the
     * packages {@code igs} (Quorum's own package: the {@code .tgz} fhir-profiles builds).
     */
    Run validate(Path folder, List<Path> igs) {
        try {
            Path output = work.resolve("validator-output.json");
            Path log = work.resolve("validator.log");
            Path tmp = Files.createDirectories(work.resolve("validator-tmp"));
            Files.deleteIfExists(output);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx2g");
            command.add("-Duser.home=" + home.toAbsolutePath());
            command.add("-Djava.io.tmpdir=" + tmp.toAbsolutePath());
            command.add("-cp");
            command.add(lib.toAbsolutePath() + File.separator + "*");
            command.add("org.hl7.fhir.validation.ValidatorCli");
            command.addAll(List.of("-version", "4.0.1", "-tx", "n/a"));
            command.addAll(List.of("-txCache", tmp.resolve("tx-cache").toString()));
            for (Path ig : igs) {
                command.addAll(List.of("-ig", ig.toAbsolutePath().toString()));
            }
            for (String domain : UNCHECKED_DOMAINS) {
                command.addAll(List.of("-extension", domain));
            }
            command.addAll(List.of("-output", output.toAbsolutePath().toString()));
            command.add(folder.toAbsolutePath().toString());
            long start = System.nanoTime();
            Process process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            if (!process.waitFor(15, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(
                        "The HL7 validator did not finish within 15 minutes\n" + tail(log));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String logText = Files.readString(log);
            if (!Files.isRegularFile(output)) {
                throw new AssertionError(
                        "The HL7 validator exited "
                                + process.exitValue()
                                + " without writing its results\n"
                                + tail(logText));
            }
            return new Run(read(output), took, logText);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while the HL7 validator ran", e);
        }
    }

    private static Map<String, List<Issue>> read(Path output) throws IOException {
        JsonNode root = JSON.readTree(output.toFile());
        List<JsonNode> outcomes = new ArrayList<>();
        if (root.path("resourceType").asText().equals("Bundle")) {
            root.path("entry").forEach(e -> outcomes.add(e.path("resource")));
        } else {
            outcomes.add(root);
        }
        Map<String, List<Issue>> byFile = new LinkedHashMap<>();
        for (JsonNode outcome : outcomes) {
            String file = null;
            for (JsonNode extension : outcome.path("extension")) {
                if (extension.path("url").asText().endsWith("/operationoutcome-file")) {
                    file = extension.path("valueString").asText();
                }
            }
            if (file == null) {
                throw new AssertionError("A validator OperationOutcome names no file: " + outcome);
            }
            List<Issue> issues = new ArrayList<>();
            for (JsonNode issue : outcome.path("issue")) {
                String location =
                        issue.path("expression").isArray() && !issue.path("expression").isEmpty()
                                ? issue.path("expression").get(0).asText()
                                : "";
                String message = issue.path("details").path("text").asText("");
                if (message.isEmpty()) {
                    message = issue.path("diagnostics").asText("");
                }
                issues.add(new Issue(issue.path("severity").asText(), location, message));
            }
            byFile.put(Path.of(file).toAbsolutePath().normalize().toString(), issues);
        }
        return byFile;
    }

    private static String tail(Path log) {
        try {
            return tail(Files.readString(log));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String tail(String log) {
        String[] lines = log.split("\\R");
        return String.join(
                "\n",
                java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }
}
