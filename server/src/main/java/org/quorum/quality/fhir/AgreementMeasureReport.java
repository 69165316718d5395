package org.quorum.quality.fhir;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupComponent;
import org.hl7.fhir.r4.model.MeasureReport.StratifierGroupComponent;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.agreement.Estimate;
import org.quorum.quality.agreement.ProjectAgreement;
import org.quorum.quality.agreement.ProjectAgreement.ClassAgreement;
import org.quorum.quality.agreement.ProjectAgreement.PairAgreement;
import org.quorum.quality.agreement.ProjectAgreement.SchemaAgreement;

/**
 * {@code $agreement} as a MeasureReport (measure {@value QuorumProfiles#MEASURE_LABEL_AGREEMENT}).
 *
 * <p>Per label schema (group extension quorum-label-schema), one group per statistic and scope:
 *
 * <ul>
 *   <li>all annotators: percent-agreement, krippendorff-alpha, fleiss-kappa (no stratifier; score
 *       on the group);
 *   <li>annotator pairs: cohen-kappa and percent-agreement, stratifier {@code annotator-pair}, one
 *       stratum per pair with components {@code annotator-a} and {@code annotator-b};
 *   <li>classes: krippendorff-alpha, percent-agreement, fleiss-kappa, stratifier {@code class}, one
 *       stratum per code.
 * </ul>
 *
 * Each score carries its bootstrap interval (extension quorum-confidence-interval) and, when
 * undefined, no score but a quality flag {@code undefined} saying why; population {@code
 * initial-population} counts the units it rests on.
 */
final class AgreementMeasureReport {

    private AgreementMeasureReport() {}

    static MeasureReport toFhir(ProjectAgreement agreement, Clock clock) {
        MeasureReport report =
                MeasureReports.newReport(
                        QuorumProfiles.MEASURE_LABEL_AGREEMENT, agreement.project(), clock);
        String level = agreement.options().level().name().toLowerCase(Locale.ROOT);
        String alphaName = "Krippendorff's alpha (" + level + ")";
        for (SchemaAgreement schema : agreement.schemas()) {
            overall(
                    report,
                    schema,
                    "percent-agreement",
                    "Percent agreement",
                    schema.percentAgreement());
            overall(report, schema, "krippendorff-alpha", alphaName, schema.alpha());
            overall(report, schema, "fleiss-kappa", "Fleiss' kappa", schema.fleissKappa());
            byPair(report, schema, "cohen-kappa", cohenName(agreement), PairAgreement::kappa);
            byPair(
                    report,
                    schema,
                    "percent-agreement",
                    "Percent agreement",
                    PairAgreement::percentAgreement);
            byClass(
                    report,
                    schema,
                    "krippendorff-alpha",
                    "Krippendorff's alpha (present/absent)",
                    ClassAgreement::alpha);
            byClass(
                    report,
                    schema,
                    "percent-agreement",
                    "Percent agreement (present/absent)",
                    ClassAgreement::percentAgreement);
            byClass(
                    report,
                    schema,
                    "fleiss-kappa",
                    "Fleiss' kappa (present/absent)",
                    ClassAgreement::fleissKappa);
        }
        MeasureReports.narrative(report, narrative(agreement, alphaName));
        return report;
    }

    private static String cohenName(ProjectAgreement agreement) {
        return switch (agreement.options().weights()) {
            case NONE -> "Cohen's kappa";
            case LINEAR -> "Cohen's kappa (linear weights)";
            case QUADRATIC -> "Cohen's kappa (quadratic weights)";
        };
    }

    private static MeasureReportGroupComponent group(
            MeasureReport report, SchemaAgreement schema, String code, String display) {
        MeasureReportGroupComponent group = report.addGroup();
        group.addExtension(MeasureReports.schema(schema.system()));
        group.setCode(MeasureReports.statistic(code, display));
        group.addPopulation()
                .setCode(MeasureReports.population("initial-population"))
                .setCount(schema.units());
        return group;
    }

    private static void overall(
            MeasureReport report,
            SchemaAgreement schema,
            String code,
            String display,
            Estimate estimate) {
        MeasureReportGroupComponent group = report.addGroup();
        group.addExtension(MeasureReports.schema(schema.system()));
        group.setCode(MeasureReports.statistic(code, display));
        group.addPopulation()
                .setCode(MeasureReports.population("initial-population"))
                .setCount(estimate.units());
        if (estimate.defined()) {
            group.setMeasureScore(MeasureReports.score(estimate.value()));
            estimate.interval().ifPresent(i -> group.addExtension(MeasureReports.interval(i)));
        } else {
            group.addExtension(undefined(estimate));
        }
    }

    private static void byPair(
            MeasureReport report,
            SchemaAgreement schema,
            String code,
            String display,
            Function<PairAgreement, Estimate> statistic) {
        if (schema.pairs().isEmpty()) {
            return;
        }
        MeasureReportGroupComponent group = group(report, schema, code, display);
        MeasureReport.MeasureReportGroupStratifierComponent stratifier = group.addStratifier();
        stratifier.addCode(MeasureReports.stratifier("annotator-pair", "Annotator pair"));
        for (PairAgreement pair : schema.pairs()) {
            StratifierGroupComponent stratum = stratifier.addStratum();
            stratum.addComponent()
                    .setCode(MeasureReports.stratifier("annotator-a", "First annotator"))
                    .setValue(new CodeableConcept().setText(pair.raterA()));
            stratum.addComponent()
                    .setCode(MeasureReports.stratifier("annotator-b", "Second annotator"))
                    .setValue(new CodeableConcept().setText(pair.raterB()));
            score(stratum, statistic.apply(pair));
        }
    }

    private static void byClass(
            MeasureReport report,
            SchemaAgreement schema,
            String code,
            String display,
            Function<ClassAgreement, Estimate> statistic) {
        if (schema.classes().isEmpty()) {
            return;
        }
        MeasureReportGroupComponent group = group(report, schema, code, display);
        MeasureReport.MeasureReportGroupStratifierComponent stratifier = group.addStratifier();
        stratifier.addCode(MeasureReports.stratifier("class", "Class"));
        for (ClassAgreement c : schema.classes()) {
            StratifierGroupComponent stratum = stratifier.addStratum();
            stratum.setValue(
                    new CodeableConcept(new Coding(schema.system(), c.code(), c.display()))
                            .setText(c.display()));
            score(stratum, statistic.apply(c));
        }
    }

    private static void score(StratifierGroupComponent stratum, Estimate estimate) {
        stratum.addPopulation()
                .setCode(MeasureReports.population("initial-population"))
                .setCount(estimate.units());
        if (estimate.defined()) {
            stratum.setMeasureScore(MeasureReports.score(estimate.value()));
            estimate.interval().ifPresent(i -> stratum.addExtension(MeasureReports.interval(i)));
        } else {
            stratum.addExtension(undefined(estimate));
        }
    }

    private static org.hl7.fhir.r4.model.Extension undefined(Estimate estimate) {
        return MeasureReports.flag(
                "undefined", "Undefined", estimate.undefinedReason().orElse("undefined"));
    }

    private static Xhtml narrative(ProjectAgreement agreement, String alphaName) {
        Xhtml html = new Xhtml();
        html.paragraph(
                "Inter-annotator agreement of "
                        + agreement.project().title()
                        + " ("
                        + agreement.project().reference()
                        + ")"
                        + (agreement.options().withIntervals()
                                ? "; "
                                        + Math.round(agreement.options().confidenceLevel() * 100)
                                        + " % bootstrap intervals, "
                                        + agreement.options().replicates()
                                        + " replicates, seed "
                                        + agreement.options().seed()
                                : "")
                        + ".");
        if (agreement.schemas().isEmpty()) {
            html.paragraph("The project has no labels to compare.");
        }
        for (SchemaAgreement schema : agreement.schemas()) {
            html.heading("Label schema " + schema.system());
            html.paragraph(
                    schema.labels()
                            + " labels on "
                            + schema.units()
                            + " units by "
                            + schema.raters().size()
                            + " annotators: "
                            + String.join(", ", schema.raters())
                            + ".");
            html.table(
                    List.of("All annotators", "Value", "Interval", "Units"),
                    List.of(
                            row("Percent agreement", schema.percentAgreement()),
                            row(alphaName, schema.alpha()),
                            row("Fleiss' kappa", schema.fleissKappa())));
            if (!schema.pairs().isEmpty()) {
                List<List<String>> rows = new ArrayList<>();
                for (PairAgreement pair : schema.pairs()) {
                    rows.add(
                            List.of(
                                    pair.raterA(),
                                    pair.raterB(),
                                    value(pair.kappa()),
                                    value(pair.percentAgreement()),
                                    Integer.toString(pair.kappa().units())));
                }
                html.table(
                        List.of(
                                "Annotator",
                                "Annotator",
                                cohenName(agreement),
                                "Percent agreement",
                                "Units"),
                        rows);
            }
            List<List<String>> rows = new ArrayList<>();
            for (ClassAgreement c : schema.classes()) {
                rows.add(
                        List.of(
                                c.code(),
                                c.display(),
                                value(c.alpha()),
                                value(c.percentAgreement()),
                                value(c.fleissKappa())));
            }
            html.table(
                    List.of(
                            "Class",
                            "Display",
                            "Krippendorff's alpha",
                            "Percent agreement",
                            "Fleiss' kappa"),
                    rows);
        }
        return html;
    }

    private static List<String> row(String name, Estimate estimate) {
        return List.of(
                name,
                Xhtml.number(estimate.value()),
                interval(estimate),
                Integer.toString(estimate.units()));
    }

    private static String value(Estimate estimate) {
        String interval = interval(estimate);
        return Xhtml.number(estimate.value()) + (interval.isEmpty() ? "" : " " + interval);
    }

    private static String interval(Estimate estimate) {
        return estimate.interval()
                .map(i -> "[" + Xhtml.number(i.lower()) + ", " + Xhtml.number(i.upper()) + "]")
                .orElse(estimate.undefinedReason().orElse(""));
    }
}
