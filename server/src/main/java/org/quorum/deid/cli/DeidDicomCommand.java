package org.quorum.deid.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.quorum.deid.dicom.DicomDeidentifier;
import org.quorum.deid.dicom.DicomFolderDeidentifier;
import org.quorum.deid.dicom.DicomFolderDeidentifier.FileOutcome;
import org.quorum.deid.dicom.DicomFolderDeidentifier.Status;
import org.quorum.deid.dicom.DicomFolderDeidentifier.Summary;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.lexicon.PhiLexicon;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code quorum deid dicom}: de-identifies a folder tree of DICOM files into another folder under
 * PS3.15 Annex E (Basic profile, Retain Longitudinal Temporal Information with Modified Dates,
 * Retain Patient Characteristics). Instances whose pixels may carry text go to {@code
 * OUT/quarantine/} with their reason in {@code OUT/quarantine/reasons.tsv}.
 *
 * <p>Exit codes: 0 done; 1 a file could not be read or written (the others are still done); 2 usage
 * error, including a missing secret or a missing input folder. Messages name files, never their
 * content.
 */
@Command(
        name = "dicom",
        mixinStandardHelpOptions = true,
        description =
                "De-identify DICOM files (PS3.15 Basic profile, modified dates, patient characteristics).")
public final class DeidDicomCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(
            names = "--in",
            required = true,
            paramLabel = "DIR",
            description = "Folder of DICOM files (walked recursively).")
    private Path in;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Where to write the de-identified tree (same relative paths).")
    private Path out;

    @Option(
            names = "--policy",
            defaultValue = "safe-harbor",
            paramLabel = "safe-harbor|date-shift",
            converter = DeidTextCommand.PolicyConverter.class,
            description =
                    "Recorded in the output; DICOM dates are shifted by the patient's keyed offset under both.")
    private DeidTextCommand.PolicyOption policy = DeidTextCommand.PolicyOption.SAFE_HARBOR;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description =
                    "Files de-identified at once (default: the number of processors, ${DEFAULT-VALUE}).")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Mixin private final DeidSecrets secret = new DeidSecrets();

    private final Map<String, String> environment;
    private final Supplier<PhiLexicon> lexicon;
    private final Clock clock;

    /** The command as the CLI runs it. */
    public DeidDicomCommand() {
        this(System.getenv(), PhiLexicon::standard, Clock.systemUTC());
    }

    /** For embedding and tests. */
    public DeidDicomCommand(
            Map<String, String> environment, Supplier<PhiLexicon> lexicon, Clock clock) {
        this.environment = Map.copyOf(environment);
        this.lexicon = lexicon;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        DeidKeyService keys = secret.load(environment, spec);
        if (!Files.isDirectory(in)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--in " + in + " is not a folder: pass a folder of DICOM files.");
        }
        if (threads < 1) {
            throw new ParameterException(
                    spec.commandLine(), "--threads " + threads + " must be 1 or more.");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DicomFolderDeidentifier folder =
                new DicomFolderDeidentifier(
                        new DicomDeidentifier(keys, lexicon, policy.policy, clock), threads);
        Summary summary;
        try {
            summary = folder.deidentifyFolder(in, out);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } catch (UncheckedIOException e) {
            err.println(
                    "error: "
                            + e.getMessage()
                            + " ("
                            + e.getCause().getClass().getSimpleName()
                            + ")");
            return DeidTextCommand.EXIT_IO_ERROR;
        }
        for (FileOutcome file : summary.files()) {
            switch (file.status()) {
                case SKIPPED ->
                        stdout.println("skipped " + file.relativePath() + ": " + file.note());
                case QUARANTINED ->
                        stdout.println("quarantined " + file.relativePath() + ": " + file.note());
                case FAILED -> err.println("error: " + file.relativePath() + ": " + file.note());
                default -> {
                    // de-identified files are only counted
                }
            }
        }
        stdout.println(
                String.format(
                        Locale.ROOT,
                        "DICOM de-identification (%s): %d file(s) in, %d de-identified, %d quarantined,"
                                + " %d skipped, %d failed in %d ms; removed or replaced %s",
                        policy,
                        summary.files().size(),
                        summary.count(Status.DEIDENTIFIED),
                        summary.count(Status.QUARANTINED),
                        summary.count(Status.SKIPPED),
                        summary.count(Status.FAILED),
                        summary.nanos() / 1_000_000,
                        summary.totals()));
        return summary.count(Status.FAILED) > 0
                ? DeidTextCommand.EXIT_IO_ERROR
                : CommandLine.ExitCode.OK;
    }
}
