package org.quorum.deid.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.DeidentifiedText;
import org.quorum.deid.text.FhirKnownPhiReader;
import org.quorum.deid.text.KnownPhi;
import org.quorum.deid.text.PhiDetector;
import org.quorum.deid.text.PhiType;
import org.quorum.deid.text.ReplacementStyle;
import org.quorum.deid.text.TextDeidentifier;
import org.quorum.deid.text.lexicon.PhiLexicon;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quorum deid text}: de-identifies clinical notes, one JSON object a line.
 *
 * <p>Input lines: {@code {"id": "...", "text": "...", "patient": "Patient/<id>"}} ({@code patient}
 * optional). Output lines: {@code {"id": "...", "text": "<de-identified>", "counts": {"NAME": 2,
 * ...}}}, plus {@code patientPseudonym} when the patient is known. The context file holds FHIR
 * Patient, Practitioner, Organization and Location resources (NDJSON); their identifying values are
 * PHI wherever they appear, and a note's patient gives the date offset.
 *
 * <p>Exit codes: 0 done; 1 unreadable input or output; 2 usage error, including a missing secret.
 * Nothing this command prints contains PHI: errors name line numbers, not values.
 */
@Command(
        name = "text",
        mixinStandardHelpOptions = true,
        description = "De-identify clinical notes (NDJSON: id, text, optional patient reference).")
public final class DeidTextCommand implements Callable<Integer> {

    /** Exit code for unreadable input, output or context. */
    public static final int EXIT_IO_ERROR = 1;

    /** The {@code --policy} values. */
    enum PolicyOption {
        SAFE_HARBOR("safe-harbor", DatePolicy.SAFE_HARBOR),
        DATE_SHIFT("date-shift", DatePolicy.DATE_SHIFT);

        final String cliName;
        final DatePolicy policy;

        PolicyOption(String cliName, DatePolicy policy) {
            this.cliName = cliName;
            this.policy = policy;
        }

        @Override
        public String toString() {
            return cliName;
        }
    }

    /** The {@code --replace} values. */
    enum ReplaceOption {
        SURROGATE("surrogate", ReplacementStyle.SURROGATE),
        TAG("tag", ReplacementStyle.TAG);

        final String cliName;
        final ReplacementStyle style;

        ReplaceOption(String cliName, ReplacementStyle style) {
            this.cliName = cliName;
            this.style = style;
        }

        @Override
        public String toString() {
            return cliName;
        }
    }

    @Spec private CommandSpec spec;

    @Option(
            names = "--in",
            required = true,
            paramLabel = "NOTES.ndjson",
            description = "Notes to de-identify.")
    private Path in;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "OUT.ndjson",
            description = "Where to write the result.")
    private Path out;

    @Option(
            names = "--fhir-context",
            paramLabel = "RESOURCES.ndjson",
            description =
                    "FHIR Patient, Practitioner, Organization and Location resources whose values are known PHI.")
    private Path fhirContext;

    @Option(
            names = "--policy",
            defaultValue = "safe-harbor",
            paramLabel = "safe-harbor|date-shift",
            converter = PolicyConverter.class,
            description =
                    "Dates: keep the year only (default) or shift by the patient's keyed offset.")
    private PolicyOption policy = PolicyOption.SAFE_HARBOR;

    @Option(
            names = "--replace",
            defaultValue = "surrogate",
            paramLabel = "surrogate|tag",
            converter = ReplaceConverter.class,
            description = "Replace PHI with consistent surrogates (default) or [TYPE] tags.")
    private ReplaceOption replace = ReplaceOption.SURROGATE;

    @Mixin private final DeidSecrets secret = new DeidSecrets();

    private final Map<String, String> environment;
    private final Supplier<PhiLexicon> lexicon;
    private final ObjectMapper json = new ObjectMapper();

    /** The command as the CLI runs it: secret from the process environment, standard lexicon. */
    public DeidTextCommand() {
        this(System.getenv(), PhiLexicon::standard);
    }

    /** For embedding and tests: the environment to read the secret from, and the lexicon to use. */
    public DeidTextCommand(Map<String, String> environment, Supplier<PhiLexicon> lexicon) {
        this.environment = Map.copyOf(environment);
        this.lexicon = lexicon;
    }

    @Override
    public Integer call() {
        DeidKeyService keys = loadKeys();
        PhiLexicon words = lexicon.get();
        TextDeidentifier deidentifier =
                new TextDeidentifier(
                        new PhiDetector(words),
                        keys,
                        words,
                        new TextDeidentifier.Options(
                                policy.policy,
                                replace.style,
                                LocalDate.now(Clock.systemUTC()).getYear()));
        PrintWriter err = spec.commandLine().getErr();
        Context context;
        try {
            context =
                    fhirContext == null
                            ? new Context(KnownPhi.empty(), Map.of(), Map.of())
                            : readContext(fhirContext);
        } catch (IOException | UncheckedIOException e) {
            err.println(
                    "error: cannot read --fhir-context "
                            + fhirContext
                            + ": "
                            + e.getClass().getSimpleName());
            return EXIT_IO_ERROR;
        } catch (BadLineException e) {
            err.println(
                    "error: --fhir-context "
                            + fhirContext
                            + " line "
                            + e.line
                            + " is not a JSON object");
            return EXIT_IO_ERROR;
        }
        Map<PhiType, Integer> totals = new EnumMap<>(PhiType.class);
        int notes = 0;
        int unknownPatients = 0;
        try (BufferedReader reader = Files.newBufferedReader(in, StandardCharsets.UTF_8);
                BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode note = parseObject(line, lineNumber);
                String reference = note.path("patient").asText("");
                String patientId =
                        reference.startsWith("Patient/")
                                ? reference.substring("Patient/".length())
                                : reference;
                KnownPhi known = context.shared;
                String patientKey = null;
                if (!patientId.isEmpty()) {
                    KnownPhi patient = context.patients.get(patientId);
                    if (patient == null) {
                        unknownPatients++;
                    } else {
                        known = patient;
                        patientKey = context.patientKeys.get(patientId);
                    }
                }
                DeidentifiedText result =
                        deidentifier.deidentify(note.path("text").asText(""), known);
                ObjectNode output = json.createObjectNode();
                output.set("id", note.path("id"));
                if (patientKey != null) {
                    output.put("patientPseudonym", keys.pseudonym(IdentifierKind.MRN, patientKey));
                }
                output.put("text", result.text());
                ObjectNode counts = output.putObject("counts");
                result.countsByType().forEach((type, count) -> counts.put(type.name(), count));
                result.countsByType()
                        .forEach((type, count) -> totals.merge(type, count, Integer::sum));
                writer.write(json.writeValueAsString(output));
                writer.newLine();
                notes++;
            }
        } catch (BadLineException e) {
            err.println(
                    "error: --in "
                            + in
                            + " line "
                            + e.line
                            + " is not a JSON object with a \"text\"");
            return EXIT_IO_ERROR;
        } catch (IOException e) {
            err.println(
                    "error: cannot read "
                            + in
                            + " or write "
                            + out
                            + ": "
                            + e.getClass().getSimpleName());
            return EXIT_IO_ERROR;
        }
        if (unknownPatients > 0) {
            err.println(
                    "warning: "
                            + unknownPatients
                            + " note(s) name a patient that --fhir-context does not hold;"
                            + " their dates were kept to the year only");
        }
        spec.commandLine()
                .getOut()
                .println(
                        "De-identified "
                                + notes
                                + " note(s) ("
                                + policy
                                + ", "
                                + replace
                                + "); replaced "
                                + totals);
        return CommandLine.ExitCode.OK;
    }

    private DeidKeyService loadKeys() {
        return secret.load(environment, spec);
    }

    private record Context(
            KnownPhi shared, Map<String, KnownPhi> patients, Map<String, String> patientKeys) {}

    private Context readContext(Path file) throws IOException {
        KnownPhi.Builder shared = KnownPhi.builder();
        Map<String, JsonNode> patients = new HashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode resource = parseObject(line, lineNumber);
                if ("Patient".equals(resource.path("resourceType").asText())) {
                    patients.put(resource.path("id").asText(), resource);
                } else {
                    FhirKnownPhiReader.addResource(shared, resource);
                }
            }
        }
        KnownPhi sharedPhi = shared.build();
        Map<String, KnownPhi> byPatient = new HashMap<>();
        Map<String, String> keys = new HashMap<>();
        patients.forEach(
                (id, resource) -> {
                    // The patient's own values first: its MRN is the patient key.
                    byPatient.put(id, FhirKnownPhiReader.read(resource).with(sharedPhi));
                    FhirKnownPhiReader.patientKey(resource).ifPresent(key -> keys.put(id, key));
                });
        return new Context(sharedPhi, byPatient, keys);
    }

    private JsonNode parseObject(String line, int lineNumber) {
        try {
            JsonNode node = json.readTree(line);
            if (node == null || !node.isObject()) {
                throw new BadLineException(lineNumber);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BadLineException(lineNumber);
        }
    }

    /** A line that is not a JSON object; carries only its number, never its content. */
    private static final class BadLineException extends RuntimeException {
        final int line;

        BadLineException(int line) {
            super("line " + line + " is not a JSON object", null, false, false);
            this.line = line;
        }
    }

    static final class PolicyConverter implements CommandLine.ITypeConverter<PolicyOption> {
        @Override
        public PolicyOption convert(String value) {
            for (PolicyOption option : PolicyOption.values()) {
                if (option.cliName.equals(value.toLowerCase(Locale.ROOT))) {
                    return option;
                }
            }
            throw new CommandLine.TypeConversionException("expected safe-harbor or date-shift");
        }
    }

    static final class ReplaceConverter implements CommandLine.ITypeConverter<ReplaceOption> {
        @Override
        public ReplaceOption convert(String value) {
            for (ReplaceOption option : ReplaceOption.values()) {
                if (option.cliName.equals(value.toLowerCase(Locale.ROOT))) {
                    return option;
                }
            }
            throw new CommandLine.TypeConversionException("expected surrogate or tag");
        }
    }
}
