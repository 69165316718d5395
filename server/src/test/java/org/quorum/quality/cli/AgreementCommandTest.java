package org.quorum.quality.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code quorum agreement} in-process through picocli with captured streams. */
class AgreementCommandTest {

    /** Value, optionally followed by an interval, six decimals each: the documented last line. */
    private static final String LAST_LINE =
            "-?\\d+\\.\\d{6}( \\[-?\\d+\\.\\d{6}, -?\\d+\\.\\d{6}\\])?";

    @TempDir Path dir;

    private Path diagnoses;
    private Path krippendorff;

    @BeforeEach
    void writeFixtures() throws IOException {
        // First eight units of Fleiss (1971) / irr's diagnoses, raters 1-3.
        diagnoses =
                write(
                        "diagnoses.csv",
                        """
                rater1,rater2,rater3
                4,4,4
                2,2,2
                2,3,3
                5,5,5
                2,2,2
                1,1,3
                3,3,3
                1,1,3
                """);
        // Krippendorff (2011) section C, units as rows, observers A-D as columns.
        krippendorff =
                write(
                        "krippendorff.csv",
                        """
                A,B,C,D
                1,1,,1
                2,2,3,2
                3,3,3,3
                3,3,3,3
                2,2,2,2
                1,2,3,4
                4,4,4,4
                1,1,2,1
                2,2,2,2
                ,5,5,5
                ,,1,1
                ,3,,
                """);
    }

    @Test
    void krippendorff_interval_prints_a_description_and_the_published_value_last() {
        Run run =
                run(
                        "--in",
                        krippendorff.toString(),
                        "--metric",
                        "krippendorff",
                        "--level",
                        "interval");

        assertThat(run.exitCode).isZero();
        assertThat(run.err).isEmpty();
        assertThat(run.lines())
                .first()
                .asString()
                .isEqualTo("metric: Krippendorff's alpha (interval)");
        assertThat(run.out).contains("12 units, 4 raters, 41 ratings");
        assertThat(run.lastLine()).isEqualTo("0.849107"); // Krippendorff 2011: 0.849
    }

    @Test
    void krippendorff_defaults_to_the_nominal_level() {
        Run run = run("--in", krippendorff.toString(), "--metric", "KRIPPENDORFF");

        assertThat(run.exitCode).isZero();
        assertThat(run.lastLine()).isEqualTo("0.743421"); // Krippendorff 2011: 0.743
    }

    @Test
    void ci_appends_a_reproducible_interval_to_the_last_line() {
        String[] args = {
            "--in",
            krippendorff.toString(),
            "--metric",
            "krippendorff",
            "--ci",
            "0.95",
            "--bootstrap",
            "300",
            "--seed",
            "7"
        };

        Run first = run(args);
        Run second = run(args);

        assertThat(first.exitCode).isZero();
        assertThat(first.lastLine()).matches(LAST_LINE).startsWith("0.743421 [");
        assertThat(first.out)
                .contains("interval: 95% bootstrap percentile, 300 replicates, seed 7");
        assertThat(second.lastLine()).isEqualTo(first.lastLine());
        double[] numbers = numbers(first.lastLine());
        assertThat(numbers[1]).isLessThanOrEqualTo(numbers[0]);
        assertThat(numbers[2]).isGreaterThanOrEqualTo(numbers[0]);
    }

    @Test
    void a_different_seed_changes_the_interval() {
        Run seven =
                run(
                        "--in",
                        diagnoses.toString(),
                        "--metric",
                        "fleiss",
                        "--ci",
                        "0.9",
                        "--seed",
                        "7");
        Run eight =
                run(
                        "--in",
                        diagnoses.toString(),
                        "--metric",
                        "fleiss",
                        "--ci",
                        "0.9",
                        "--seed",
                        "8");

        assertThat(seven.lastLine()).matches(LAST_LINE);
        assertThat(eight.lastLine()).isNotEqualTo(seven.lastLine());
        assertThat(seven.out).contains("90% bootstrap percentile, 1000 replicates, seed 7");
    }

    @Test
    void cohen_with_two_chosen_raters_prints_po_and_pe() {
        Run run =
                run("--in", diagnoses.toString(), "--metric", "cohen", "--raters", "rater1,rater2");

        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("Cohen's kappa (none weights), raters rater1 and rater2");
        // rater1/rater2 agree on 7 of 8 units: po = 0.875.
        assertThat(run.out).contains("po 0.875000");
        assertThat(run.lastLine()).matches(LAST_LINE);
    }

    @Test
    void cohen_with_more_than_two_raters_and_no_choice_is_an_input_error() {
        Run run = run("--in", diagnoses.toString(), "--metric", "cohen");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.out).isEmpty();
        assertThat(run.err.lines().toList())
                .singleElement()
                .asString()
                .startsWith("error: ")
                .contains("compares two raters but the file has 3")
                .contains("--raters");
    }

    @Test
    void percent_agreement_is_the_mean_pairwise_agreement() {
        Path pair = write("pair.csv", "A,B\nx,x\nx,y\ny,y\ny,y\n");

        Run run = run("--in", pair.toString(), "--metric", "percent");

        assertThat(run.exitCode).isZero();
        assertThat(run.lastLine()).isEqualTo("0.750000");
    }

    @Test
    void an_undefined_value_prints_nan_with_the_reason_and_succeeds() {
        Path same = write("same.csv", "A,B\nx,x\nx,x\n");

        Run run = run("--in", same.toString(), "--metric", "krippendorff");

        assertThat(run.exitCode).isZero();
        assertThat(run.out)
                .contains("note: undefined (NaN): every pairable rating has the same value");
        assertThat(run.lastLine()).isEqualTo("NaN");
    }

    @Test
    void a_ragged_row_is_a_one_line_error_with_exit_code_2() {
        Path ragged = write("ragged.csv", "A,B,C\n1,2,3\n1,2\n");

        Run run = run("--in", ragged.toString(), "--metric", "fleiss");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.lines().toList())
                .singleElement()
                .asString()
                .isEqualTo(
                        "error: "
                                + ragged
                                + ": line 3 has 2 cells but the header names 3 raters;"
                                + " give one cell per rater, empty for a missing rating");
    }

    @Test
    void a_single_rater_is_a_one_line_error() {
        Path one = write("one.csv", "A\n1\n2\n");

        Run run = run("--in", one.toString(), "--metric", "percent");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.lines().toList())
                .singleElement()
                .asString()
                .contains("at least two raters");
    }

    @Test
    void text_values_for_the_interval_level_are_an_error_naming_line_and_rater() {
        Path text = write("text.csv", "A,B\n1,2\n3,high\n");

        Run run = run("--in", text.toString(), "--metric", "krippendorff", "--level", "interval");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("line 3, column 2 (rater 'B'): 'high' is not a number");
    }

    @Test
    void unequal_ratings_per_unit_are_an_error_for_fleiss() {
        Run run = run("--in", krippendorff.toString(), "--metric", "fleiss");

        assertThat(run.exitCode).isEqualTo(2);
        // The first unit (line 2) has 3 ratings, the next 4.
        assertThat(run.err).contains("line 3 has 4 ratings but line 2 has 3");
    }

    @Test
    void an_unknown_metric_is_a_one_line_usage_error() {
        Run run = run("--in", diagnoses.toString(), "--metric", "spearman");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.lines().toList())
                .singleElement()
                .asString()
                .contains(
                        "unknown metric 'spearman'; use one of percent, cohen, fleiss, krippendorff")
                .endsWith("(see 'agreement --help')");
    }

    @Test
    void a_missing_file_is_a_one_line_error() {
        Run run = run("--in", dir.resolve("absent.csv").toString(), "--metric", "percent");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.lines().toList())
                .singleElement()
                .asString()
                .endsWith("absent.csv: no such file");
    }

    @Test
    void a_file_that_is_not_utf8_is_a_one_line_error() throws IOException {
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, "A,B\nr\u00e9,x\n".getBytes(StandardCharsets.ISO_8859_1));

        Run run = run("--in", latin1.toString(), "--metric", "percent");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("not UTF-8");
    }

    @Test
    void options_that_do_not_fit_the_metric_are_rejected() {
        assertThat(
                        run(
                                        "--in",
                                        diagnoses.toString(),
                                        "--metric",
                                        "fleiss",
                                        "--level",
                                        "ordinal")
                                .err)
                .contains("--level applies only to --metric krippendorff");
        assertThat(
                        run(
                                        "--in",
                                        diagnoses.toString(),
                                        "--metric",
                                        "fleiss",
                                        "--weights",
                                        "linear")
                                .err)
                .contains("--weights applies only to --metric cohen");
        assertThat(run("--in", diagnoses.toString(), "--metric", "fleiss", "--seed", "3").err)
                .contains("only apply with --ci");
        assertThat(run("--in", diagnoses.toString(), "--metric", "fleiss", "--ci", "95").exitCode)
                .isEqualTo(2);
    }

    @Test
    void a_missing_required_option_is_a_one_line_usage_error() {
        Run run = run("--metric", "percent");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err.lines().toList()).singleElement().asString().contains("--in");
    }

    @Test
    void help_lists_the_options_and_the_output_format() {
        Run run = run("--help");

        assertThat(run.exitCode).isZero();
        assertThat(run.out)
                .contains(
                        "--metric",
                        "--level",
                        "--weights",
                        "--ci",
                        "--bootstrap",
                        "--seed",
                        "The last line of the output");
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] numbers(String lastLine) {
        String[] parts = lastLine.replace("[", "").replace("]", "").replace(",", "").split(" ");
        double[] numbers = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            numbers[i] = Double.parseDouble(parts[i]);
        }
        return numbers;
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = AgreementCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        String lastLine() {
            List<String> lines = lines();
            return lines.get(lines.size() - 1);
        }
    }
}
