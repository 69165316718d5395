package org.quorum.deid.cli;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.quorum.deid.fhir.FhirDeidentifier;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.lexicon.PhiLexicon;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quorum deid fhir}: de-identifies FHIR R4 resources, as NDJSON (one resource a line) or as
 * one Bundle; the output has the input's shape, with a Provenance for every resource (after it in
 * NDJSON, as extra entries in a Bundle).
 *
 * <p>Exit codes: 0 done; 1 unreadable or invalid input, unwritable output; 2 usage error, including
 * a missing secret. Errors name the line, never its content.
 */
@Command(
        name = "fhir",
        mixinStandardHelpOptions = true,
        description = "De-identify FHIR R4 resources (NDJSON or a Bundle) under HIPAA Safe Harbor.")
public final class DeidFhirCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(
            names = "--in",
            required = true,
            paramLabel = "FILE",
            description = "NDJSON of FHIR resources, or a JSON Bundle.")
    private Path in;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "Where to write the result (same shape as --in).")
    private Path out;

    @Option(
            names = "--policy",
            defaultValue = "safe-harbor",
            paramLabel = "safe-harbor|date-shift",
            converter = DeidTextCommand.PolicyConverter.class,
            description =
                    "Dates: keep the year only (default) or shift by the patient's keyed offset.")
    private DeidTextCommand.PolicyOption policy = DeidTextCommand.PolicyOption.SAFE_HARBOR;

    @Mixin private final DeidSecrets secret = new DeidSecrets();

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Map<String, String> environment;
    private final Supplier<PhiLexicon> lexicon;
    private final Clock clock;

    /** The command as the CLI runs it. */
    public DeidFhirCommand() {
        this(System.getenv(), PhiLexicon::standard, Clock.systemUTC());
    }

    /** For embedding and tests. */
    public DeidFhirCommand(
            Map<String, String> environment, Supplier<PhiLexicon> lexicon, Clock clock) {
        this.environment = Map.copyOf(environment);
        this.lexicon = lexicon;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        DeidKeyService keys = loadKeys();
        PrintWriter err = spec.commandLine().getErr();
        FhirContext fhir = FhirContext.forR4Cached();
        IParser parser = fhir.newJsonParser();
        long started = System.nanoTime();
        Bundle bundle = null;
        List<Resource> resources = new ArrayList<>();
        try {
            String content = Files.readString(in, StandardCharsets.UTF_8);
            String trimmed = content.strip();
            if (isSingleBundle(trimmed)) {
                bundle = parseOne(parser, trimmed, 1, Bundle.class);
            } else {
                try (BufferedReader reader =
                        new BufferedReader(new java.io.StringReader(content))) {
                    String line;
                    int lineNumber = 0;
                    while ((line = reader.readLine()) != null) {
                        lineNumber++;
                        if (!line.isBlank()) {
                            resources.add(parseOne(parser, line, lineNumber, Resource.class));
                        }
                    }
                }
            }
        } catch (BadLineException e) {
            err.println(
                    "error: --in "
                            + in
                            + " line "
                            + e.line
                            + " is not a FHIR R4 resource in JSON ("
                            + e.reason
                            + ")");
            return DeidTextCommand.EXIT_IO_ERROR;
        } catch (IOException e) {
            err.println("error: cannot read " + in + ": " + e.getClass().getSimpleName());
            return DeidTextCommand.EXIT_IO_ERROR;
        }
        FhirDeidentifier deidentifier =
                new FhirDeidentifier(fhir, keys, lexicon.get(), policy.policy, clock);
        int count;
        Map<String, Integer> totals;
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            if (bundle != null) {
                Bundle result = deidentifier.deidentify(bundle);
                writer.write(parser.encodeResourceToString(result));
                writer.newLine();
                count = bundle.getEntry().size();
                totals = null;
            } else {
                FhirDeidentifier.Result result = deidentifier.deidentify(resources);
                for (int i = 0; i < result.resources().size(); i++) {
                    writer.write(parser.encodeResourceToString(result.resources().get(i)));
                    writer.newLine();
                    writer.write(parser.encodeResourceToString(result.provenances().get(i)));
                    writer.newLine();
                }
                count = resources.size();
                totals = result.totals();
            }
        } catch (IOException e) {
            err.println("error: cannot write " + out + ": " + e.getClass().getSimpleName());
            return DeidTextCommand.EXIT_IO_ERROR;
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        spec.commandLine()
                .getOut()
                .println(
                        "De-identified "
                                + count
                                + " resource(s) ("
                                + policy
                                + ") in "
                                + millis
                                + " ms"
                                + (totals == null ? "" : "; removed or replaced " + totals));
        return CommandLine.ExitCode.OK;
    }

    // NDJSON holds one resource a line; a Bundle file is one JSON object, over one line or many.
    private static boolean isSingleBundle(String trimmed) {
        int firstLineEnd = trimmed.indexOf('\n');
        String first = firstLineEnd < 0 ? trimmed : trimmed.substring(0, firstLineEnd);
        if (firstLineEnd >= 0 && parsesAsObject(first)) {
            return false; // several one-line resources: NDJSON
        }
        try {
            return "Bundle".equals(JSON.readTree(trimmed).path("resourceType").asText());
        } catch (IOException e) {
            return false; // reported line by line as NDJSON
        }
    }

    private static boolean parsesAsObject(String text) {
        try {
            return JSON.readTree(text).isObject();
        } catch (IOException e) {
            return false;
        }
    }

    private static <T extends IBaseResource> T parseOne(
            IParser parser, String text, int lineNumber, Class<T> type) {
        try {
            IBaseResource resource = parser.parseResource(text);
            if (!type.isInstance(resource)) {
                throw new BadLineException(lineNumber, "not a " + type.getSimpleName());
            }
            return type.cast(resource);
        } catch (DataFormatException | ClassCastException e) {
            // HAPI's messages can quote the input: report only the kind of problem.
            throw new BadLineException(lineNumber, e.getClass().getSimpleName());
        }
    }

    private DeidKeyService loadKeys() {
        return secret.load(environment, spec);
    }

    /** A line that is not a FHIR resource; carries its number, never its content. */
    private static final class BadLineException extends RuntimeException {
        final int line;
        final String reason;

        BadLineException(int line, String reason) {
            super("line " + line, null, false, false);
            this.line = line;
            this.reason = reason;
        }
    }
}
