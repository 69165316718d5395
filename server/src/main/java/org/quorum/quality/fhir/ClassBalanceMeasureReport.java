package org.quorum.quality.fhir;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupComponent;
import org.hl7.fhir.r4.model.MeasureReport.StratifierGroupComponent;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.balance.ClassBalanceReport;
import org.quorum.quality.balance.ClassBalanceReport.ClassCount;
import org.quorum.quality.balance.ClassBalanceReport.SchemaBalance;

/**
 * {@code $class-balance} as a MeasureReport (measure {@value
 * QuorumProfiles#MEASURE_CLASS_BALANCE}): one group per label schema (population = cases),
 * stratifier {@code class}, one stratum per class with its cases (numerator), prevalence (score),
 * the flag {@code rare-class} and the cases it needs (extension quorum-cases-needed).
 */
final class ClassBalanceMeasureReport {

    private ClassBalanceMeasureReport() {}

    static MeasureReport toFhir(ClassBalanceReport balance, Clock clock) {
        MeasureReport report =
                MeasureReports.newReport(
                        QuorumProfiles.MEASURE_CLASS_BALANCE, balance.project(), clock);
        for (SchemaBalance schema : balance.schemas()) {
            MeasureReportGroupComponent group = report.addGroup();
            group.addExtension(MeasureReports.schema(schema.system()));
            group.setCode(MeasureReports.statistic("class-prevalence", "Class prevalence"));
            group.addPopulation()
                    .setCode(MeasureReports.population("initial-population"))
                    .setCount(schema.cases());
            MeasureReport.MeasureReportGroupStratifierComponent stratifier = group.addStratifier();
            stratifier.addCode(MeasureReports.stratifier("class", "Class"));
            for (ClassCount c : schema.classes()) {
                StratifierGroupComponent stratum = stratifier.addStratum();
                stratum.setValue(
                        new CodeableConcept(new Coding(schema.system(), c.code(), c.display()))
                                .setText(c.display()));
                stratum.addPopulation()
                        .setCode(MeasureReports.population("initial-population"))
                        .setCount(schema.cases());
                stratum.addPopulation()
                        .setCode(MeasureReports.population("numerator"))
                        .setCount(c.cases());
                stratum.setMeasureScore(MeasureReports.score(c.prevalence()));
                if (c.rare()) {
                    stratum.addExtension(
                            MeasureReports.flag("rare-class", "Rare class", rareText(c, balance)));
                }
                if (c.casesNeeded() > 0) {
                    stratum.addExtension(
                            QuorumProfiles.EXT_CASES_NEEDED, new IntegerType(c.casesNeeded()));
                }
            }
        }
        MeasureReports.narrative(report, narrative(balance));
        return report;
    }

    static String rareText(ClassCount c, ClassBalanceReport balance) {
        return String.format(
                Locale.ROOT,
                "%s: %d cases (%.2f %%), below %d cases or %.2f %%; needs %d more",
                c.display(),
                c.cases(),
                c.prevalence() * 100,
                balance.options().minCases(),
                balance.options().minPrevalence() * 100,
                c.casesNeeded());
    }

    private static Xhtml narrative(ClassBalanceReport balance) {
        Xhtml html = new Xhtml();
        html.paragraph(
                String.format(
                        Locale.ROOT,
                        "Class balance of %s (%s). A class is rare below %.2f %% prevalence or"
                                + " %d cases.",
                        balance.project().title(),
                        balance.project().reference(),
                        balance.options().minPrevalence() * 100,
                        balance.options().minCases()));
        if (balance.schemas().isEmpty()) {
            html.paragraph("The project has no labels to count.");
        }
        for (SchemaBalance schema : balance.schemas()) {
            html.heading("Label schema " + schema.system() + ": " + schema.cases() + " cases");
            List<List<String>> rows = new ArrayList<>();
            for (ClassCount c : schema.classes()) {
                rows.add(
                        List.of(
                                c.code(),
                                c.display(),
                                Integer.toString(c.cases()),
                                Xhtml.percent(c.prevalence()),
                                c.rare() ? "rare" : "",
                                c.casesNeeded() > 0 ? Integer.toString(c.casesNeeded()) : ""));
            }
            html.table(
                    List.of("Class", "Display", "Cases", "Prevalence", "Flag", "Cases needed"),
                    rows);
        }
        return html;
    }
}
