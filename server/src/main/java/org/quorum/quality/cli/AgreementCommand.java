package org.quorum.quality.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.quorum.quality.agreement.AgreementStatistic;
import org.quorum.quality.agreement.Bootstrap;
import org.quorum.quality.agreement.BootstrapInterval;
import org.quorum.quality.agreement.CodedRatings;
import org.quorum.quality.agreement.CohenKappa;
import org.quorum.quality.agreement.CsvRatingReader;
import org.quorum.quality.agreement.FleissKappa;
import org.quorum.quality.agreement.InvalidRatingDataException;
import org.quorum.quality.agreement.KappaWeights;
import org.quorum.quality.agreement.KrippendorffAlpha;
import org.quorum.quality.agreement.MeasurementLevel;
import org.quorum.quality.agreement.PercentAgreement;
import org.quorum.quality.agreement.RatingTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code quorum agreement}: inter-annotator agreement of a ratings CSV file (one row per unit, one
 * column per rater, header of rater names, empty cell = missing; see {@link CsvRatingReader}). A
 * thin adapter over the {@code org.quorum.quality.agreement} library.
 *
 * <p><b>Output.</b> Description lines (metric, data size, components of the statistic, the
 * bootstrap settings, a note when the value is undefined), then as the <em>last line</em> the
 * value, and with {@code --ci} the interval:
 *
 * <pre>
 * VALUE                     without --ci,   e.g. 0.743421
 * VALUE [LOWER, UPPER]      with --ci,      e.g. 0.743421 [0.512345, 0.901234]
 * </pre>
 *
 * each number with six decimals ({@code Locale.ROOT}, so a decimal point), {@code NaN} when
 * undefined (exit code 0: an undefined coefficient is a result, explained on the line before).
 *
 * <p><b>Errors.</b> Unreadable or invalid input and bad option combinations print one line {@code
 * error: ...} to stderr and exit with 2. Errors picocli finds while parsing (missing {@code --in},
 * unknown metric) go to the root command's parameter exception handler; {@link #newCommandLine()}
 * installs {@link #reportUsageError} for one-line messages, and the integrator should install the
 * same handler on the root {@code quorum} command.
 *
 * <p><b>Cohen's kappa</b> needs exactly two raters: a file with more needs {@code --raters A,B}.
 */
@Command(
        name = "agreement",
        mixinStandardHelpOptions = true,
        description =
                "Inter-annotator agreement of a ratings CSV (one row per unit, one column per"
                        + " rater, header of rater names, empty cell = missing rating).",
        footer = {
            "",
            "The last line of the output is the value, or with --ci 'VALUE [LOWER, UPPER]',"
                    + " six decimals, NaN when undefined.",
            "Exit codes: 0 success, 2 invalid input or options (one line on stderr)."
        })
public final class AgreementCommand implements Callable<Integer> {

    /** Exit code for invalid input files and options (picocli's usage-error code). */
    public static final int EXIT_INVALID_INPUT = CommandLine.ExitCode.USAGE;

    /** The metrics the command offers. */
    enum Metric {
        PERCENT,
        COHEN,
        FLEISS,
        KRIPPENDORFF
    }

    @Spec private CommandSpec spec;

    @Option(
            names = "--in",
            required = true,
            paramLabel = "FILE.csv",
            description = "Ratings CSV file.")
    private Path input;

    @Option(
            names = "--metric",
            required = true,
            converter = MetricConverter.class,
            paramLabel = "METRIC",
            description = "percent, cohen, fleiss or krippendorff.")
    private Metric metric;

    @Option(
            names = "--level",
            converter = LevelConverter.class,
            paramLabel = "LEVEL",
            description = "Krippendorff's level: nominal (default), ordinal, interval or ratio.")
    private MeasurementLevel level;

    @Option(
            names = "--weights",
            converter = WeightsConverter.class,
            paramLabel = "WEIGHTS",
            description = "Cohen's weights: none (default), linear or quadratic.")
    private KappaWeights weights;

    @Option(
            names = "--raters",
            split = ",",
            paramLabel = "NAME",
            description = "Use only these rater columns (two for cohen).")
    private List<String> raters;

    @Option(
            names = "--ci",
            paramLabel = "LEVEL",
            description = "Also print a bootstrap percentile interval at this level, e.g. 0.95.")
    private Double confidenceLevel;

    @Option(
            names = "--bootstrap",
            paramLabel = "N",
            description =
                    "Bootstrap replicates with --ci (default: "
                            + Bootstrap.DEFAULT_REPLICATES
                            + ").")
    private Integer replicates;

    @Option(
            names = "--seed",
            paramLabel = "SEED",
            description =
                    "Seed of the bootstrap with --ci (default: 42); same seed, same interval.")
    private Long seed;

    /** A command line for this command alone, with one-line usage errors (used by tests). */
    public static CommandLine newCommandLine() {
        return new CommandLine(new AgreementCommand())
                .setParameterExceptionHandler(AgreementCommand::reportUsageError);
    }

    /**
     * Parameter exception handler printing one line, {@code error: MESSAGE (see 'quorum agreement
     * --help')}, and returning exit code 2; install it on the root command.
     */
    public static int reportUsageError(ParameterException exception, String[] args) {
        CommandLine commandLine = exception.getCommandLine();
        commandLine
                .getErr()
                .println(
                        "error: "
                                + exception.getMessage()
                                + " (see '"
                                + commandLine.getCommandSpec().qualifiedName()
                                + " --help')");
        commandLine.getErr().flush();
        return EXIT_INVALID_INPUT;
    }

    @Override
    public Integer call() {
        Optional<String> optionProblem = checkOptions();
        if (optionProblem.isPresent()) {
            return fail(optionProblem.get());
        }
        try {
            RatingTable table = CsvRatingReader.readRatings(input);
            if (raters != null) {
                table = table.selectRaters(raters);
            }
            Evaluation evaluation = evaluate(table);
            print(table, evaluation);
            return CommandLine.ExitCode.OK;
        } catch (InvalidRatingDataException e) {
            return fail(input + ": " + e.getMessage());
        } catch (NoSuchFileException e) {
            return fail("cannot read " + input + ": no such file");
        } catch (AccessDeniedException e) {
            return fail("cannot read " + input + ": permission denied");
        } catch (CharacterCodingException e) {
            return fail("cannot read " + input + ": not UTF-8 text; save the CSV as UTF-8");
        } catch (IOException e) {
            return fail("cannot read " + input + ": " + e.getMessage());
        }
    }

    private Optional<String> checkOptions() {
        if (level != null && metric != Metric.KRIPPENDORFF) {
            return Optional.of("--level applies only to --metric krippendorff");
        }
        if (weights != null && metric != Metric.COHEN) {
            return Optional.of("--weights applies only to --metric cohen");
        }
        if (confidenceLevel == null && (replicates != null || seed != null)) {
            return Optional.of("--bootstrap and --seed only apply with --ci LEVEL");
        }
        if (confidenceLevel != null && !(confidenceLevel > 0 && confidenceLevel < 1)) {
            return Optional.of(
                    "--ci must be a level strictly between 0 and 1, e.g. 0.95; got "
                            + confidenceLevel);
        }
        if (replicates != null && replicates < 1) {
            return Optional.of("--bootstrap must be at least 1; got " + replicates);
        }
        if (metric == Metric.COHEN && raters != null && raters.size() != 2) {
            return Optional.of(
                    "Cohen's kappa compares two raters; --raters must name exactly two,"
                            + " got "
                            + raters.size());
        }
        return Optional.empty();
    }

    /** A computed coefficient: what to print and how to recompute it on resamples. */
    private record Evaluation(
            String title,
            List<String> details,
            double value,
            Optional<String> undefinedReason,
            CodedRatings data,
            AgreementStatistic statistic) {}

    private Evaluation evaluate(RatingTable table) {
        switch (metric) {
            case PERCENT -> {
                CodedRatings data = CodedRatings.encode(table);
                PercentAgreement.Result result = PercentAgreement.compute(data);
                return new Evaluation(
                        "percent agreement (mean share of agreeing rater pairs per unit)",
                        List.of("units with two or more ratings: " + result.units()),
                        result.agreement(),
                        result.undefinedReason(),
                        data,
                        ratings -> PercentAgreement.compute(ratings).agreement());
            }
            case COHEN -> {
                if (table.raterCount() != 2) {
                    throw new InvalidRatingDataException(
                            InvalidRatingDataException.Problem.NOT_TWO_RATERS,
                            "Cohen's kappa compares two raters but the file has "
                                    + table.raterCount()
                                    + " "
                                    + table.raterNames()
                                    + "; choose two with --raters NAME,NAME");
                }
                KappaWeights chosen = weights == null ? KappaWeights.NONE : weights;
                CodedRatings data = CodedRatings.encode(table);
                CohenKappa.Result result = CohenKappa.compute(data, chosen);
                return new Evaluation(
                        "Cohen's kappa ("
                                + lowerCase(chosen)
                                + " weights), raters "
                                + table.raterNames().get(0)
                                + " and "
                                + table.raterNames().get(1),
                        List.of(
                                String.format(
                                        Locale.ROOT,
                                        "po %s, pe %s, units rated by both: %.0f",
                                        format(result.observedAgreement()),
                                        format(result.expectedAgreement()),
                                        result.units())),
                        result.kappa(),
                        result.undefinedReason(),
                        data,
                        ratings -> CohenKappa.compute(ratings, chosen).kappa());
            }
            case FLEISS -> {
                CodedRatings data = CodedRatings.encode(table);
                FleissKappa.Result result = FleissKappa.compute(data);
                return new Evaluation(
                        "Fleiss' kappa",
                        List.of(
                                "P-bar "
                                        + format(result.meanAgreement())
                                        + ", P-bar-e "
                                        + format(result.expectedAgreement())
                                        + ", ratings per unit: "
                                        + result.ratingsPerUnit()),
                        result.kappa(),
                        result.undefinedReason(),
                        data,
                        ratings -> FleissKappa.compute(ratings).kappa());
            }
            case KRIPPENDORFF -> {
                MeasurementLevel chosen = level == null ? MeasurementLevel.NOMINAL : level;
                if (chosen == MeasurementLevel.INTERVAL || chosen == MeasurementLevel.RATIO) {
                    table.requireNumeric("the " + lowerCase(chosen) + " level");
                }
                CodedRatings data = CodedRatings.encode(table);
                KrippendorffAlpha.Result result = KrippendorffAlpha.compute(data, chosen);
                return new Evaluation(
                        "Krippendorff's alpha (" + lowerCase(chosen) + ")",
                        List.of(
                                "D_o "
                                        + format(result.observedDisagreement())
                                        + ", D_e "
                                        + format(result.expectedDisagreement())
                                        + ", pairable values: "
                                        + (long) result.pairableValues()),
                        result.alpha(),
                        result.undefinedReason(),
                        data,
                        ratings -> KrippendorffAlpha.compute(ratings, chosen).alpha());
            }
            default -> throw new IllegalStateException("unhandled metric " + metric);
        }
    }

    private void print(RatingTable table, Evaluation evaluation) {
        PrintWriter out = spec.commandLine().getOut();
        out.println("metric: " + evaluation.title());
        out.println(
                "data: "
                        + input
                        + ", "
                        + table.unitCount()
                        + " units, "
                        + table.raterCount()
                        + " raters, "
                        + evaluation.data().ratingCount()
                        + " ratings");
        evaluation.details().forEach(out::println);
        evaluation
                .undefinedReason()
                .ifPresent(reason -> out.println("note: undefined (NaN): " + reason));
        String last = format(evaluation.value());
        if (confidenceLevel != null) {
            int count = replicates == null ? Bootstrap.DEFAULT_REPLICATES : replicates;
            long chosenSeed = seed == null ? 42L : seed;
            BootstrapInterval interval =
                    Bootstrap.percentileInterval(
                            evaluation.data(),
                            evaluation.statistic(),
                            confidenceLevel,
                            count,
                            chosenSeed);
            List<String> settings =
                    new ArrayList<>(
                            List.of(
                                    String.format(
                                            Locale.ROOT,
                                            "interval: %s%% bootstrap percentile, %d replicates, seed %d",
                                            BigDecimal.valueOf(confidenceLevel)
                                                    .movePointRight(2)
                                                    .stripTrailingZeros()
                                                    .toPlainString(),
                                            count,
                                            chosenSeed)));
            if (interval.undefinedReplicates() > 0) {
                settings.add(
                        interval.undefinedReplicates()
                                + " replicates where the statistic is undefined were left out");
            }
            settings.forEach(out::println);
            last += " [" + format(interval.lower()) + ", " + format(interval.upper()) + "]";
        }
        out.println(last);
        out.flush();
    }

    private int fail(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + message);
        err.flush();
        return EXIT_INVALID_INPUT;
    }

    private static String format(double value) {
        return Double.isNaN(value) ? "NaN" : String.format(Locale.ROOT, "%.6f", value);
    }

    private static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** Case-insensitive enum option values with a message listing the accepted ones. */
    private abstract static class LowerCaseEnumConverter<E extends Enum<E>>
            implements ITypeConverter<E> {
        private final Class<E> type;
        private final String what;

        LowerCaseEnumConverter(Class<E> type, String what) {
            this.type = type;
            this.what = what;
        }

        @Override
        public E convert(String value) {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(value.trim())) {
                    return constant;
                }
            }
            List<String> accepted = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                accepted.add(lowerCase(constant));
            }
            throw new TypeConversionException(
                    "unknown "
                            + what
                            + " '"
                            + value
                            + "'; use one of "
                            + String.join(", ", accepted));
        }
    }

    static final class MetricConverter extends LowerCaseEnumConverter<Metric> {
        MetricConverter() {
            super(Metric.class, "metric");
        }
    }

    static final class LevelConverter extends LowerCaseEnumConverter<MeasurementLevel> {
        LevelConverter() {
            super(MeasurementLevel.class, "level");
        }
    }

    static final class WeightsConverter extends LowerCaseEnumConverter<KappaWeights> {
        WeightsConverter() {
            super(KappaWeights.class, "weights");
        }
    }
}
