package org.quorum.workflow.fhir;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.ToIntFunction;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.utilities.xhtml.XhtmlNode;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.automation.AutomationBias;
import org.quorum.quality.fhir.Xhtml;
import org.quorum.workflow.Reports;

/**
 * The workflow's MeasureReports: {@code $work-report} (Measure {@code quorum-work-report}) and
 * {@code $automation-bias} ({@code quorum-automation-bias}). As the quality reports: the project in
 * the {@code quorum-project} extension (R4 does not allow a ResearchStudy as subject), status
 * complete, type summary, one group per statistic ({@code quorum-work-statistic}), strata per
 * annotator or reviewer (the PractitionerRole reference as text), counts in populations, scores as
 * UCUM quantities (1 for counts and shares, s for seconds), and the same figures as tables in
 * {@code text.div}.
 */
final class WorkflowMeasureReports {

    private static final String UCUM = "http://unitsofmeasure.org";
    private static final String POPULATION =
            "http://terminology.hl7.org/CodeSystem/measure-population";

    private WorkflowMeasureReports() {}

    static MeasureReport work(Reports.Work work, Clock clock) {
        MeasureReport report =
                newReport(QuorumProfiles.MEASURE_WORK_REPORT, work.project().reference(), clock);
        MeasureReport.MeasureReportGroupComponent backlog = group(report, "backlog", "Backlog");
        population(backlog, "initial-population", work.cases());
        population(backlog, "numerator", work.openCases());
        backlog.setMeasureScore(count(work.openCases()));
        List<Reports.AnnotatorWork> annotators = work.annotators();
        perAnnotator(
                report, "cases-done", "Cases done", annotators, Reports.AnnotatorWork::casesDone);
        perAnnotator(report, "backlog", "Backlog", annotators, Reports.AnnotatorWork::open);
        MeasureReport.MeasureReportGroupComponent median =
                group(report, "median-seconds", "Median time per case");
        MeasureReport.MeasureReportGroupStratifierComponent medianStrata =
                stratifier(median, "annotator", "Annotator");
        for (Reports.AnnotatorWork a : annotators) {
            MeasureReport.StratifierGroupComponent stratum = stratum(medianStrata, a.annotator());
            stratumPopulation(stratum, "initial-population", a.casesDone());
            if (!Double.isNaN(a.medianSeconds())) {
                stratum.setMeasureScore(seconds(a.medianSeconds()));
            }
        }
        share(
                report,
                "agreement-with-final",
                "Agreement with the final label",
                annotators,
                Reports.AnnotatorWork::compared,
                Reports.AnnotatorWork::agreedWithFinal);
        share(
                report,
                "accept-rate",
                "Accept rate",
                annotators,
                Reports.AnnotatorWork::decisions,
                Reports.AnnotatorWork::accepted);
        share(
                report,
                "modify-rate",
                "Modify rate",
                annotators,
                Reports.AnnotatorWork::decisions,
                Reports.AnnotatorWork::modified);
        share(
                report,
                "reject-rate",
                "Reject rate",
                annotators,
                Reports.AnnotatorWork::decisions,
                Reports.AnnotatorWork::rejected);
        List<List<String>> rows = new ArrayList<>();
        for (Reports.AnnotatorWork a : annotators) {
            rows.add(
                    List.of(
                            a.annotator(),
                            Integer.toString(a.casesDone()),
                            Integer.toString(a.open()),
                            Xhtml.number(a.medianSeconds()),
                            a.compared() == 0
                                    ? "–"
                                    : Xhtml.percent((double) a.agreedWithFinal() / a.compared()),
                            a.accepted() + " / " + a.modified() + " / " + a.rejected()));
        }
        narrative(
                report,
                new Xhtml()
                        .heading("Work report")
                        .paragraph(
                                work.cases()
                                        + " cases: "
                                        + work.finalCases()
                                        + " final, "
                                        + work.openCases()
                                        + " open.")
                        .table(
                                List.of(
                                        "Annotator",
                                        "Cases done",
                                        "Open tasks",
                                        "Median s per case",
                                        "Agreement with final",
                                        "Accepted / modified / rejected"),
                                rows));
        return report;
    }

    static MeasureReport automationBias(AutomationBias.Report bias, String project, Clock clock) {
        MeasureReport report = newReport(QuorumProfiles.MEASURE_AUTOMATION_BIAS, project, clock);
        MeasureReport.MeasureReportGroupComponent blind =
                group(report, "blind-agreement", "Blind agreement with AI");
        population(blind, "initial-population", bias.blindReads());
        population(blind, "numerator", bias.blindAgreements());
        if (!Double.isNaN(bias.blindAgreement())) {
            blind.setMeasureScore(count(bias.blindAgreement()));
        }
        MeasureReport.MeasureReportGroupComponent accept =
                group(report, "ai-accept-rate", "AI suggestion accept rate");
        MeasureReport.MeasureReportGroupStratifierComponent reviewers =
                stratifier(accept, "reviewer", "Reviewer");
        MeasureReport.MeasureReportGroupComponent time =
                group(report, "median-accept-seconds", "Median time to accept");
        MeasureReport.MeasureReportGroupStratifierComponent timeStrata =
                stratifier(time, "reviewer", "Reviewer");
        List<List<String>> rows = new ArrayList<>();
        for (AutomationBias.ReviewerResult result : bias.reviewers()) {
            AutomationBias.ReviewerTally tally = result.tally();
            MeasureReport.StratifierGroupComponent stratum = stratum(reviewers, tally.reviewer());
            stratumPopulation(stratum, "initial-population", tally.shown());
            stratumPopulation(stratum, "numerator", tally.accepted());
            if (!Double.isNaN(result.acceptRate())) {
                stratum.setMeasureScore(count(result.acceptRate()));
            }
            if (result.test().defined() && result.note().isEmpty()) {
                Extension test = new Extension(QuorumProfiles.EXT_TWO_PROPORTION_TEST);
                test.addExtension("z", new DecimalType(WorkflowFhir.decimal(result.test().z())));
                test.addExtension(
                        "pValue", new DecimalType(WorkflowFhir.decimal(result.test().pValue())));
                test.addExtension(
                        "adjustedPValue",
                        new DecimalType(WorkflowFhir.decimal(result.adjustedPValue())));
                test.addExtension("adjustment", new CodeType(bias.options().correction().code()));
                test.addExtension(
                        "referenceProportion",
                        new DecimalType(WorkflowFhir.decimal(bias.blindAgreement())));
                stratum.addExtension(test);
            }
            if (result.overAccepting()) {
                stratum.addExtension(
                        flag(
                                "over-accepting",
                                "Over-accepting",
                                "Accepts AI suggestions more often than blind reads agree with the AI"));
            }
            if (!result.note().isEmpty()) {
                stratum.addExtension(flag("undefined", "Undefined", result.note()));
            }
            MeasureReport.StratifierGroupComponent timeStratum =
                    stratum(timeStrata, tally.reviewer());
            stratumPopulation(timeStratum, "initial-population", tally.accepted());
            if (!Double.isNaN(result.medianAcceptSeconds())) {
                timeStratum.setMeasureScore(seconds(result.medianAcceptSeconds()));
            }
            if (result.fastAccepting()) {
                timeStratum.addExtension(
                        flag(
                                "fast-accepting",
                                "Fast-accepting",
                                "Median time to accept below the project's floor"));
            }
            rows.add(
                    List.of(
                            tally.reviewer(),
                            tally.accepted() + " / " + tally.modified() + " / " + tally.rejected(),
                            Xhtml.percent(result.acceptRate()),
                            Xhtml.number(result.medianAcceptSeconds()),
                            Double.isNaN(result.adjustedPValue())
                                    ? result.note()
                                    : String.format(
                                            java.util.Locale.ROOT, "%.4g", result.adjustedPValue()),
                            result.flagged() ? "yes" : "no"));
        }
        narrative(
                report,
                new Xhtml()
                        .heading("Automation bias")
                        .paragraph(
                                "Blind reads: "
                                        + bias.blindReads()
                                        + ", agreeing with the AI: "
                                        + bias.blindAgreements()
                                        + " ("
                                        + Xhtml.percent(bias.blindAgreement())
                                        + "). Test: one-sided two-proportion z-test of each"
                                        + " reviewer's accept rate against the blind agreement,"
                                        + " Holm-adjusted, alpha "
                                        + bias.options().alpha()
                                        + ".")
                        .table(
                                List.of(
                                        "Reviewer",
                                        "Accepted / modified / rejected",
                                        "Accept rate",
                                        "Median s to accept",
                                        "Adjusted p",
                                        "Flagged"),
                                rows));
        return report;
    }

    private static MeasureReport newReport(String measure, String project, Clock clock) {
        MeasureReport report = new MeasureReport();
        report.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(project));
        report.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
        report.setType(MeasureReport.MeasureReportType.SUMMARY);
        report.setMeasure(measure);
        Date now = Date.from(clock.instant());
        report.setDate(now);
        report.setPeriod(new Period().setStart(now).setEnd(now));
        return report;
    }

    private static MeasureReport.MeasureReportGroupComponent group(
            MeasureReport report, String code, String display) {
        return report.addGroup()
                .setCode(
                        new CodeableConcept(
                                        new Coding(QuorumProfiles.CS_WORK_STATISTIC, code, display))
                                .setText(display));
    }

    private static MeasureReport.MeasureReportGroupStratifierComponent stratifier(
            MeasureReport.MeasureReportGroupComponent group, String code, String display) {
        MeasureReport.MeasureReportGroupStratifierComponent stratifier = group.addStratifier();
        stratifier.addCode(
                new CodeableConcept(new Coding(QuorumProfiles.CS_QUALITY_STRATIFIER, code, display))
                        .setText(display));
        return stratifier;
    }

    private static MeasureReport.StratifierGroupComponent stratum(
            MeasureReport.MeasureReportGroupStratifierComponent stratifier, String who) {
        return stratifier.addStratum().setValue(new CodeableConcept().setText(who));
    }

    private static void population(
            MeasureReport.MeasureReportGroupComponent group, String code, int count) {
        group.addPopulation()
                .setCode(new CodeableConcept(new Coding(POPULATION, code, null)))
                .setCount(count);
    }

    private static void stratumPopulation(
            MeasureReport.StratifierGroupComponent stratum, String code, int count) {
        stratum.addPopulation()
                .setCode(new CodeableConcept(new Coding(POPULATION, code, null)))
                .setCount(count);
    }

    private static void perAnnotator(
            MeasureReport report,
            String code,
            String display,
            List<Reports.AnnotatorWork> annotators,
            ToIntFunction<Reports.AnnotatorWork> value) {
        MeasureReport.MeasureReportGroupComponent group = group(report, code, display);
        MeasureReport.MeasureReportGroupStratifierComponent strata =
                stratifier(group, "annotator", "Annotator");
        int total = 0;
        for (Reports.AnnotatorWork a : annotators) {
            int n = value.applyAsInt(a);
            total += n;
            stratum(strata, a.annotator()).setMeasureScore(count(n));
        }
        group.setMeasureScore(count(total));
    }

    private static void share(
            MeasureReport report,
            String code,
            String display,
            List<Reports.AnnotatorWork> annotators,
            ToIntFunction<Reports.AnnotatorWork> denominator,
            ToIntFunction<Reports.AnnotatorWork> numerator) {
        MeasureReport.MeasureReportGroupComponent group = group(report, code, display);
        MeasureReport.MeasureReportGroupStratifierComponent strata =
                stratifier(group, "annotator", "Annotator");
        for (Reports.AnnotatorWork a : annotators) {
            int d = denominator.applyAsInt(a);
            int n = numerator.applyAsInt(a);
            MeasureReport.StratifierGroupComponent stratum = stratum(strata, a.annotator());
            stratumPopulation(stratum, "initial-population", d);
            stratumPopulation(stratum, "numerator", n);
            if (d > 0) {
                stratum.setMeasureScore(count((double) n / d));
            }
        }
    }

    private static Quantity count(double value) {
        return new Quantity()
                .setValue(WorkflowFhir.decimal(value))
                .setUnit("1")
                .setSystem(UCUM)
                .setCode("1");
    }

    private static Quantity seconds(double value) {
        return new Quantity()
                .setValue(WorkflowFhir.decimal(value))
                .setUnit("s")
                .setSystem(UCUM)
                .setCode("s");
    }

    private static Extension flag(String code, String display, String text) {
        return new Extension(
                QuorumProfiles.EXT_QUALITY_FLAG,
                new CodeableConcept(new Coding(QuorumProfiles.CS_QUALITY_FLAG, code, display))
                        .setText(text));
    }

    private static void narrative(MeasureReport report, Xhtml html) {
        XhtmlNode div = new XhtmlNode();
        div.setValueAsString(html.build());
        report.setText(new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED).setDiv(div));
    }
}
