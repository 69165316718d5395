package org.quorum.quality.report;

import static org.quorum.quality.report.Svg.escape;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.quorum.quality.agreement.Estimate;
import org.quorum.quality.agreement.ProjectAgreement.ClassAgreement;
import org.quorum.quality.agreement.ProjectAgreement.PairAgreement;
import org.quorum.quality.agreement.ProjectAgreement.SchemaAgreement;
import org.quorum.quality.balance.ClassBalanceReport.ClassCount;
import org.quorum.quality.balance.ClassBalanceReport.SchemaBalance;
import org.quorum.quality.bias.BiasReport.ClassPrevalence;
import org.quorum.quality.bias.BiasReport.Composition;
import org.quorum.quality.bias.BiasReport.GroupShare;
import org.quorum.quality.bias.BiasReport.PrevalenceTest;

/**
 * The quality report as one self-contained HTML page: inline SVG figures and tables, an inline
 * style sheet, no script, no external resource (it is also served as a file to download). Every
 * figure has a title, a description and a table with the same numbers.
 */
public final class QualityReportPage {

    private static final String BLUE = "#1f5fa8";
    private static final String ORANGE = "#d97706";
    private static final String RED = "#b3261e";
    private static final String GREY = "#9aa0a6";
    private static final String GRID = "#e3e5e8";

    private static final int WIDTH = 900;
    private static final int LABEL_WIDTH = 250;
    private static final int PLOT_LEFT = LABEL_WIDTH + 10;
    // Room right of the plot for the value labels ("36.4 % vs 49.5 % ▼ under").
    private static final int PLOT_RIGHT = WIDTH - 230;

    private static final String STYLE =
            "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
                    + "margin:2rem auto;max-width:1000px;padding:0 1rem;color:#1b1b1b;"
                    + "line-height:1.45}"
                    + "h1{font-size:1.6rem;margin-bottom:.2rem}"
                    + "h2{font-size:1.3rem;border-bottom:2px solid #d0d4d9;padding-bottom:.2rem;"
                    + "margin-top:2.2rem}"
                    + "h3{font-size:1.05rem;margin-top:1.4rem}"
                    + ".meta{color:#555;font-size:.9rem;margin-top:0}"
                    + "table{border-collapse:collapse;margin:.4rem 0 1.2rem;font-size:.85rem}"
                    + "th,td{border:1px solid #d0d4d9;padding:.25rem .55rem;text-align:left;"
                    + "vertical-align:top}"
                    + "th{background:#f3f4f6}"
                    + "td.n{text-align:right;font-variant-numeric:tabular-nums}"
                    + ".flag{color:#b3261e;font-weight:600}"
                    + "figure{margin:1rem 0}figcaption{font-size:.85rem;color:#444;max-width:900px}"
                    + "svg{max-width:100%;height:auto}svg text{font-size:12px}"
                    + "nav a{margin-right:1rem}"
                    + "footer{margin-top:3rem;font-size:.8rem;color:#555}";

    private QualityReportPage() {}

    /** The page for {@code report}. */
    public static String render(QualityReport report) {
        StringBuilder html = new StringBuilder(32_768);
        String title = "Quality report: " + report.project().title();
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>")
                .append(escape(title))
                .append("</title><style>")
                .append(STYLE)
                .append("</style></head><body><header><h1>")
                .append(escape(title))
                .append("</h1><p class=\"meta\">")
                .append(escape(report.project().reference()))
                .append(" · generated ")
                .append(
                        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                                .format(report.generated().atOffset(ZoneOffset.UTC)))
                .append(" by Quorum</p><nav><a href=\"#agreement\">Agreement</a>")
                .append("<a href=\"#composition\">Composition</a>")
                .append("<a href=\"#prevalence\">Prevalence by group</a>")
                .append("<a href=\"#balance\">Class balance</a></nav></header><main>");
        agreement(html, report);
        composition(html, report);
        prevalence(html, report);
        balance(html, report);
        html.append("</main><footer><p>Agreement: percent agreement (mean agreeing pairs per")
                .append(" unit), Krippendorff's alpha, Fleiss' kappa (units every annotator")
                .append(" labelled), Cohen's kappa (pairs); intervals are seeded bootstrap")
                .append(" percentile intervals over units. Composition: patients with final")
                .append(" labels. Prevalence differences: chi-square tests of independence,")
                .append(" adjusted for multiple comparisons. The same numbers are available as")
                .append(" FHIR MeasureReports from $agreement, $bias-report and $class-balance.")
                .append("</p></footer></body></html>");
        return html.toString();
    }

    // --- agreement -----------------------------------------------------------------------

    private static void agreement(StringBuilder html, QualityReport report) {
        html.append("<section id=\"agreement\"><h2>Inter-annotator agreement</h2>");
        var options = report.agreement().options();
        html.append("<p>Labels with status ")
                .append(escape(String.join(", ", options.statuses().stream().sorted().toList())))
                .append("; ")
                .append(Math.round(options.confidenceLevel() * 100))
                .append(" % bootstrap intervals (")
                .append(options.replicates())
                .append(" replicates, seed ")
                .append(options.seed())
                .append(").</p>");
        if (report.agreement().schemas().isEmpty()) {
            html.append("<p>No labels to compare yet.</p>");
        }
        int index = 0;
        for (SchemaAgreement schema : report.agreement().schemas()) {
            index++;
            html.append("<h3>")
                    .append(escape(schema.system()))
                    .append("</h3><p>")
                    .append(schema.labels())
                    .append(" labels on ")
                    .append(schema.units())
                    .append(" units by ")
                    .append(schema.raters().size())
                    .append(" annotators.</p>");
            html.append("<figure>")
                    .append(agreementChart(schema, "agreement-" + index))
                    .append("<figcaption>Krippendorff's alpha per class (present/absent) with its")
                    .append(" interval (dot and bar) and percent agreement (square). Dashed:")
                    .append(" alpha 0.667 and 0.800, Krippendorff's thresholds for tentative")
                    .append(" and reliable conclusions.</figcaption></figure>");
            List<List<String>> rows = new ArrayList<>();
            rows.add(row("All annotators: percent agreement", schema.percentAgreement()));
            rows.add(row("All annotators: Krippendorff's alpha", schema.alpha()));
            rows.add(row("All annotators: Fleiss' kappa", schema.fleissKappa()));
            for (PairAgreement pair : schema.pairs()) {
                rows.add(
                        row(
                                "Cohen's kappa " + pair.raterA() + " / " + pair.raterB(),
                                pair.kappa()));
            }
            for (ClassAgreement c : schema.classes()) {
                rows.add(row("Class " + c.display() + ": alpha", c.alpha()));
            }
            table(html, List.of("Statistic", "Value", "Interval", "Units"), rows, 1);
        }
        html.append("</section>");
    }

    private static List<String> row(String name, Estimate estimate) {
        return List.of(
                name,
                number(estimate.value()),
                estimate.interval()
                        .map(i -> "[" + number(i.lower()) + ", " + number(i.upper()) + "]")
                        .orElse(estimate.undefinedReason().orElse("")),
                Integer.toString(estimate.units()));
    }

    static String agreementChart(SchemaAgreement schema, String id) {
        List<String> names = new ArrayList<>();
        List<Estimate> alphas = new ArrayList<>();
        List<Estimate> percents = new ArrayList<>();
        names.add("All annotators");
        alphas.add(schema.alpha());
        percents.add(schema.percentAgreement());
        for (ClassAgreement c : schema.classes()) {
            names.add(c.display());
            alphas.add(c.alpha());
            percents.add(c.percentAgreement());
        }
        double min = 0;
        for (Estimate e : alphas) {
            if (e.defined()) {
                min = Math.min(min, e.interval().map(i -> i.lower()).orElse(e.value()));
            }
        }
        double low = Math.max(-1, Math.floor(min * 5) / 5);
        int rowHeight = 26;
        int top = 40;
        int height = top + rowHeight * names.size() + 30;
        Svg svg =
                new Svg(
                        WIDTH,
                        height,
                        id,
                        "Agreement per class, " + schema.system(),
                        "Krippendorff's alpha with bootstrap interval and percent agreement for"
                                + " all annotators and for each class");
        Scale x = new Scale(low, 1, PLOT_LEFT, PLOT_RIGHT);
        for (double tick = low; tick <= 1.0001; tick += 0.2) {
            double t = Math.round(tick * 10) / 10.0;
            svg.line(x.of(t), top - 6, x.of(t), height - 26, "stroke=\"" + GRID + "\"");
            svg.text(x.of(t), height - 10, "middle", "fill=\"#444\"", number1(t));
        }
        if (low < 0) {
            svg.line(x.of(0), top - 6, x.of(0), height - 26, "stroke=\"#666\"");
        }
        for (double threshold : new double[] {0.667, 0.8}) {
            svg.line(
                    x.of(threshold),
                    top - 6,
                    x.of(threshold),
                    height - 26,
                    "stroke=\"" + GREY + "\" stroke-dasharray=\"4 3\"");
        }
        legend(svg, top - 24);
        for (int i = 0; i < names.size(); i++) {
            double y = top + i * rowHeight + rowHeight / 2.0;
            svg.text(
                    LABEL_WIDTH,
                    y + 4,
                    "end",
                    i == 0 ? "font-weight=\"600\"" : "",
                    shorten(names.get(i), 38));
            Estimate alpha = alphas.get(i);
            if (alpha.defined()) {
                alpha.interval()
                        .ifPresent(
                                interval -> {
                                    svg.line(
                                            x.of(interval.lower()),
                                            y,
                                            x.of(interval.upper()),
                                            y,
                                            "stroke=\"" + BLUE + "\" stroke-width=\"2\"");
                                    svg.line(
                                            x.of(interval.lower()),
                                            y - 5,
                                            x.of(interval.lower()),
                                            y + 5,
                                            "stroke=\"" + BLUE + "\" stroke-width=\"2\"");
                                    svg.line(
                                            x.of(interval.upper()),
                                            y - 5,
                                            x.of(interval.upper()),
                                            y + 5,
                                            "stroke=\"" + BLUE + "\" stroke-width=\"2\"");
                                });
                svg.circle(x.of(alpha.value()), y, 5, "fill=\"" + BLUE + "\"");
            }
            Estimate percent = percents.get(i);
            if (percent.defined()) {
                svg.rect(
                        x.of(percent.value()) - 4,
                        y - 4,
                        8,
                        8,
                        "fill=\"white\" stroke=\"" + ORANGE + "\" stroke-width=\"2\"");
            }
            svg.text(
                    PLOT_RIGHT + 12,
                    y + 4,
                    "start",
                    "fill=\"#333\"",
                    alpha.defined() ? "α " + number(alpha.value()) : "α undefined");
        }
        return svg.build();
    }

    private static void legend(Svg svg, double y) {
        svg.circle(PLOT_LEFT + 5, y, 5, "fill=\"" + BLUE + "\"");
        svg.text(PLOT_LEFT + 15, y + 4, "start", "", "Krippendorff's alpha and interval");
        svg.rect(
                PLOT_LEFT + 240,
                y - 4,
                8,
                8,
                "fill=\"white\" stroke=\"" + ORANGE + "\" stroke-width=\"2\"");
        svg.text(PLOT_LEFT + 254, y + 4, "start", "", "percent agreement");
    }

    // --- composition ---------------------------------------------------------------------

    private static void composition(StringBuilder html, QualityReport report) {
        var bias = report.bias();
        html.append("<section id=\"composition\"><h2>Data set composition</h2><p>")
                .append(bias.patients())
                .append(" patients with final labels, against the reference: ")
                .append(escape(bias.options().reference().source()))
                .append(". A group is flagged when its share is below ")
                .append(bias.options().representationRatio())
                .append(" × its reference share.</p>");
        int index = 0;
        for (Composition composition : bias.composition()) {
            index++;
            html.append("<h3>")
                    .append(escape(composition.dimension().title()))
                    .append("</h3><figure>")
                    .append(compositionChart(composition, "composition-" + index))
                    .append("<figcaption>Share of patients per group (bar; red: under-represented)")
                    .append(" against the reference share (grey). ")
                    .append(composition.unknown())
                    .append(" patients without a recorded ")
                    .append(escape(composition.dimension().title().toLowerCase(Locale.ROOT)))
                    .append(" are not counted in the shares.</figcaption></figure>");
            List<List<String>> rows = new ArrayList<>();
            for (GroupShare share : composition.groups()) {
                rows.add(
                        List.of(
                                share.group().display(),
                                Integer.toString(share.patients()),
                                percent(share.share()),
                                share.referenceShare().isPresent()
                                        ? percent(share.referenceShare().getAsDouble())
                                        : "–",
                                share.underRepresented() ? "under-represented" : ""));
            }
            table(html, List.of("Group", "Patients", "Share", "Reference", "Flag"), rows, 1);
        }
        html.append("</section>");
    }

    static String compositionChart(Composition composition, String id) {
        List<GroupShare> groups = composition.groups();
        double max = 0.1;
        for (GroupShare g : groups) {
            if (!Double.isNaN(g.share())) {
                max = Math.max(max, g.share());
            }
            if (g.referenceShare().isPresent()) {
                max = Math.max(max, g.referenceShare().getAsDouble());
            }
        }
        max = Math.min(1, Math.ceil(max * 10) / 10);
        int rowHeight = 34;
        int top = 16;
        int height = top + rowHeight * Math.max(1, groups.size()) + 28;
        Svg svg =
                new Svg(
                        WIDTH,
                        height,
                        id,
                        composition.dimension().title() + ": composition against the reference",
                        "Share of the labelled patients in each group and the reference share");
        Scale x = new Scale(0, max, PLOT_LEFT, PLOT_RIGHT);
        for (int t = 0; t <= Math.round(max * 10); t++) {
            double tick = t / 10.0;
            svg.line(x.of(tick), top - 4, x.of(tick), height - 24, "stroke=\"" + GRID + "\"");
            svg.text(x.of(tick), height - 8, "middle", "fill=\"#444\"", percent0(tick));
        }
        for (int i = 0; i < groups.size(); i++) {
            GroupShare g = groups.get(i);
            double y = top + i * rowHeight;
            svg.text(LABEL_WIDTH, y + 15, "end", "", shorten(g.group().display(), 38));
            double share = Double.isNaN(g.share()) ? 0 : g.share();
            svg.rect(
                    PLOT_LEFT,
                    y + 4,
                    x.of(share) - PLOT_LEFT,
                    14,
                    "fill=\"" + (g.underRepresented() ? RED : BLUE) + "\"");
            g.referenceShare()
                    .ifPresent(
                            r ->
                                    svg.rect(
                                            PLOT_LEFT,
                                            y + 20,
                                            x.of(r) - PLOT_LEFT,
                                            7,
                                            "fill=\"" + GREY + "\""));
            svg.text(
                    PLOT_RIGHT + 12,
                    y + 15,
                    "start",
                    g.underRepresented() ? "fill=\"" + RED + "\" font-weight=\"600\"" : "",
                    percent(g.share())
                            + (g.referenceShare().isPresent()
                                    ? " vs " + percent(g.referenceShare().getAsDouble())
                                    : "")
                            + (g.underRepresented() ? " ▼ under" : ""));
        }
        return svg.build();
    }

    // --- prevalence by group -------------------------------------------------------------

    private static void prevalence(StringBuilder html, QualityReport report) {
        var bias = report.bias();
        html.append("<section id=\"prevalence\"><h2>Label prevalence by group</h2><p>")
                .append("Chi-square test of independence of group and class, per class and")
                .append(" dimension; p-values ")
                .append(escape(bias.options().correction().code()))
                .append("-adjusted over all ")
                .append(
                        bias.classes().stream()
                                .mapToLong(
                                        c ->
                                                c.tests().stream()
                                                        .filter(t -> t.test().defined())
                                                        .count())
                                .sum())
                .append(" tests; flagged below ")
                .append(bias.options().alpha())
                .append(".</p>");
        List<List<String>> rows = new ArrayList<>();
        for (ClassPrevalence c : bias.classes()) {
            for (PrevalenceTest test : c.tests()) {
                if (!test.test().defined()) {
                    continue;
                }
                StringBuilder groups = new StringBuilder();
                test.groups()
                        .forEach(
                                g ->
                                        groups.append(groups.isEmpty() ? "" : "; ")
                                                .append(g.group().display())
                                                .append(" ")
                                                .append(g.positive())
                                                .append("/")
                                                .append(g.patients()));
                rows.add(
                        List.of(
                                c.code().displayOrCode(),
                                test.dimension().title(),
                                groups.toString(),
                                number(test.test().statistic()),
                                Integer.toString(test.test().degreesOfFreedom()),
                                String.format(Locale.ROOT, "%.3g", test.adjustedPValue()),
                                test.significant() ? "prevalence differs" : ""));
            }
        }
        if (rows.isEmpty()) {
            html.append("<p>No test could be made (one group per dimension, or no labels).</p>");
        } else {
            table(
                    html,
                    List.of(
                            "Class",
                            "Dimension",
                            "With class / patients per group",
                            "Chi-square",
                            "df",
                            "Adjusted p",
                            "Flag"),
                    rows,
                    3);
        }
        html.append("</section>");
    }

    // --- class balance -------------------------------------------------------------------

    private static void balance(StringBuilder html, QualityReport report) {
        var balance = report.classBalance();
        html.append("<section id=\"balance\"><h2>Class balance</h2><p>")
                .append(
                        String.format(
                                Locale.ROOT,
                                "A class is rare below %.2f %% of the cases or %d cases; a case"
                                        + " is a labelled note or image study.",
                                balance.options().minPrevalence() * 100,
                                balance.options().minCases()))
                .append("</p>");
        if (balance.schemas().isEmpty()) {
            html.append("<p>No final labels yet.</p>");
        }
        int index = 0;
        for (SchemaBalance schema : balance.schemas()) {
            index++;
            html.append("<h3>")
                    .append(escape(schema.system()))
                    .append(": ")
                    .append(schema.cases())
                    .append(" cases</h3><figure>")
                    .append(
                            balanceChart(
                                    schema, balance.options().minPrevalence(), "balance-" + index))
                    .append("<figcaption>Prevalence per class; red: rare, with the cases it needs.")
                    .append(" Dashed: the minimum prevalence.</figcaption></figure>");
            List<List<String>> rows = new ArrayList<>();
            for (ClassCount c : schema.classes()) {
                rows.add(
                        List.of(
                                c.code(),
                                c.display(),
                                Integer.toString(c.cases()),
                                percent(c.prevalence()),
                                c.rare() ? "rare" : "",
                                c.casesNeeded() > 0 ? Integer.toString(c.casesNeeded()) : ""));
            }
            table(
                    html,
                    List.of("Class", "Display", "Cases", "Prevalence", "Flag", "Cases needed"),
                    rows,
                    2);
        }
        html.append("</section>");
    }

    static String balanceChart(SchemaBalance schema, double minPrevalence, String id) {
        List<ClassCount> classes = schema.classes();
        double max = Math.max(minPrevalence, 0.1);
        for (ClassCount c : classes) {
            max = Math.max(max, c.prevalence());
        }
        max = Math.min(1, Math.ceil(max * 10) / 10);
        int rowHeight = 24;
        int top = 12;
        int height = top + rowHeight * Math.max(1, classes.size()) + 28;
        Svg svg =
                new Svg(
                        WIDTH,
                        height,
                        id,
                        "Class prevalence, " + schema.system(),
                        "Prevalence of each class among the labelled cases; rare classes in red");
        Scale x = new Scale(0, max, PLOT_LEFT, PLOT_RIGHT);
        for (int t = 0; t <= Math.round(max * 10); t++) {
            double tick = t / 10.0;
            svg.line(x.of(tick), top - 4, x.of(tick), height - 24, "stroke=\"" + GRID + "\"");
            svg.text(x.of(tick), height - 8, "middle", "fill=\"#444\"", percent0(tick));
        }
        svg.line(
                x.of(minPrevalence),
                top - 4,
                x.of(minPrevalence),
                height - 24,
                "stroke=\"" + RED + "\" stroke-dasharray=\"4 3\"");
        for (int i = 0; i < classes.size(); i++) {
            ClassCount c = classes.get(i);
            double y = top + i * rowHeight;
            svg.text(LABEL_WIDTH, y + 14, "end", "", shorten(c.display(), 38));
            double width = x.of(c.prevalence()) - PLOT_LEFT;
            svg.rect(
                    PLOT_LEFT,
                    y + 3,
                    c.cases() > 0 ? Math.max(2, width) : 0,
                    15,
                    "fill=\"" + (c.rare() ? RED : BLUE) + "\"");
            svg.text(
                    PLOT_RIGHT + 12,
                    y + 14,
                    "start",
                    c.rare() ? "fill=\"" + RED + "\" font-weight=\"600\"" : "",
                    c.cases()
                            + " ("
                            + percent(c.prevalence())
                            + ")"
                            + (c.rare() ? " rare, +" + c.casesNeeded() : ""));
        }
        return svg.build();
    }

    // --- helpers -------------------------------------------------------------------------

    private static void table(
            StringBuilder html, List<String> header, List<List<String>> rows, int numericFrom) {
        html.append("<table><thead><tr>");
        header.forEach(h -> html.append("<th scope=\"col\">").append(escape(h)).append("</th>"));
        html.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            html.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                boolean flag =
                        cell.equals("under-represented")
                                || cell.equals("rare")
                                || cell.equals("prevalence differs");
                html.append(
                                flag
                                        ? "<td class=\"flag\">"
                                        : i >= numericFrom ? "<td class=\"n\">" : "<td>")
                        .append(escape(cell))
                        .append("</td>");
            }
            html.append("</tr>");
        }
        html.append("</tbody></table>");
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "undefined" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String number1(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "–" : String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    private static String percent0(double share) {
        return String.format(Locale.ROOT, "%.0f %%", share * 100);
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** A linear map from a value domain to x pixels, clamped to the domain. */
    private record Scale(double from, double to, double left, double right) {
        double of(double value) {
            double clamped = Math.max(from, Math.min(to, value));
            return left + (clamped - from) / (to - from) * (right - left);
        }
    }
}
