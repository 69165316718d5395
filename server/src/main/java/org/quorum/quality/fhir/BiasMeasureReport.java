package org.quorum.quality.fhir;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupComponent;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupStratifierComponent;
import org.hl7.fhir.r4.model.MeasureReport.StratifierGroupComponent;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.bias.BiasReport;
import org.quorum.quality.bias.BiasReport.ClassPrevalence;
import org.quorum.quality.bias.BiasReport.Composition;
import org.quorum.quality.bias.BiasReport.GroupPrevalence;
import org.quorum.quality.bias.BiasReport.GroupShare;
import org.quorum.quality.bias.BiasReport.PrevalenceTest;
import org.quorum.quality.bias.Group;

/**
 * {@code $bias-report} as a MeasureReport (measure {@value QuorumProfiles#MEASURE_DATASET_BIAS}).
 *
 * <ul>
 *   <li>group {@code composition}: population = labelled patients; one stratifier per dimension
 *       (age-band, sex, race, ethnicity) with the goodness-of-fit test against the reference
 *       (extension quorum-chi-square-test, kind goodness-of-fit); one stratum per group with its
 *       patients, its share of the patients whose group is recorded (score), its reference share
 *       (quorum-reference-share) and the flag {@code under-represented}; a stratum "not recorded"
 *       (v3 NullFlavor UNK) counts the rest;
 *   <li>one group per class (code = the class's coding): population initial-population = patients,
 *       numerator = patients with the class, score = prevalence; one stratifier per dimension with
 *       the chi-square test of independence and its adjusted p-value, flags {@code
 *       prevalence-difference} and {@code low-expected-count}; strata with each group's prevalence.
 * </ul>
 */
final class BiasMeasureReport {

    private static final String NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";

    private BiasMeasureReport() {}

    static MeasureReport toFhir(BiasReport bias, Clock clock) {
        MeasureReport report =
                MeasureReports.newReport(
                        QuorumProfiles.MEASURE_DATASET_BIAS, bias.project(), clock);
        MeasureReportGroupComponent composition = report.addGroup();
        composition.setCode(MeasureReports.statistic("composition", "Data set composition"));
        composition
                .addPopulation()
                .setCode(MeasureReports.population("initial-population"))
                .setCount(bias.patients());
        for (Composition dimension : bias.composition()) {
            composition(composition.addStratifier(), dimension, bias);
        }
        String adjustment = bias.options().correction().code();
        for (ClassPrevalence c : bias.classes()) {
            MeasureReportGroupComponent group = report.addGroup();
            group.addExtension(MeasureReports.schema(c.code().system()));
            group.setCode(
                    new CodeableConcept(
                                    new Coding(
                                            c.code().system(), c.code().code(), c.code().display()))
                            .setText("Prevalence of " + c.code().displayOrCode()));
            group.addPopulation()
                    .setCode(MeasureReports.population("initial-population"))
                    .setCount(c.patients());
            group.addPopulation()
                    .setCode(MeasureReports.population("numerator"))
                    .setCount(c.positive());
            if (c.patients() > 0) {
                group.setMeasureScore(MeasureReports.score(c.prevalence()));
            }
            for (PrevalenceTest test : c.tests()) {
                prevalence(group.addStratifier(), test, adjustment, bias);
            }
        }
        MeasureReports.narrative(report, narrative(bias));
        return report;
    }

    private static void composition(
            MeasureReportGroupStratifierComponent stratifier,
            Composition composition,
            BiasReport bias) {
        stratifier.addCode(
                MeasureReports.stratifier(
                        composition.dimension().code(), composition.dimension().title()));
        Extension fit = MeasureReports.chiSquare(composition.fit(), "goodness-of-fit", null, null);
        if (fit != null) {
            stratifier.addExtension(fit);
        }
        for (GroupShare share : composition.groups()) {
            StratifierGroupComponent stratum = stratifier.addStratum();
            stratum.setValue(value(share.group()));
            stratum.addPopulation()
                    .setCode(MeasureReports.population("initial-population"))
                    .setCount(share.patients());
            if (!Double.isNaN(share.share())) {
                stratum.setMeasureScore(MeasureReports.score(share.share()));
            }
            share.referenceShare()
                    .ifPresent(
                            r ->
                                    stratum.addExtension(
                                            QuorumProfiles.EXT_REFERENCE_SHARE,
                                            new DecimalType(MeasureReports.decimal(r))));
            if (share.underRepresented()) {
                stratum.addExtension(
                        MeasureReports.flag(
                                "under-represented",
                                "Under-represented",
                                underRepresentedText(share, bias)));
            }
        }
        if (composition.unknown() > 0) {
            StratifierGroupComponent stratum = stratifier.addStratum();
            stratum.setValue(
                    new CodeableConcept(new Coding(NULL_FLAVOR, "UNK", "unknown"))
                            .setText("not recorded"));
            stratum.addPopulation()
                    .setCode(MeasureReports.population("initial-population"))
                    .setCount(composition.unknown());
        }
    }

    static String underRepresentedText(GroupShare share, BiasReport bias) {
        return String.format(
                Locale.ROOT,
                "%s: %.1f %% of the patients, below %.2f × the reference share of %.1f %%",
                share.group().display(),
                share.share() * 100,
                bias.options().representationRatio(),
                share.referenceShare().orElse(Double.NaN) * 100);
    }

    private static void prevalence(
            MeasureReportGroupStratifierComponent stratifier,
            PrevalenceTest test,
            String adjustment,
            BiasReport bias) {
        stratifier.addCode(
                MeasureReports.stratifier(test.dimension().code(), test.dimension().title()));
        Extension chiSquare =
                MeasureReports.chiSquare(
                        test.test(), "independence", test.adjustedPValue(), adjustment);
        if (chiSquare != null) {
            stratifier.addExtension(chiSquare);
        }
        if (test.significant()) {
            stratifier.addExtension(
                    MeasureReports.flag(
                            "prevalence-difference",
                            "Prevalence difference",
                            String.format(
                                    Locale.ROOT,
                                    "prevalence differs by %s: chi-square %.3f, df %d, p %.3g,"
                                            + " %s-adjusted p %.3g < %.3g",
                                    test.dimension().title().toLowerCase(Locale.ROOT),
                                    test.test().statistic(),
                                    test.test().degreesOfFreedom(),
                                    test.test().pValue(),
                                    adjustment,
                                    test.adjustedPValue(),
                                    bias.options().alpha())));
        }
        if (test.test().lowExpectedCount()) {
            stratifier.addExtension(
                    MeasureReports.flag(
                            "low-expected-count",
                            "Low expected count",
                            String.format(
                                    Locale.ROOT,
                                    "smallest expected count %.2f is below 5: the p-value is"
                                            + " approximate",
                                    test.test().minExpected())));
        }
        for (GroupPrevalence group : test.groups()) {
            StratifierGroupComponent stratum = stratifier.addStratum();
            stratum.setValue(value(group.group()));
            stratum.addPopulation()
                    .setCode(MeasureReports.population("initial-population"))
                    .setCount(group.patients());
            stratum.addPopulation()
                    .setCode(MeasureReports.population("numerator"))
                    .setCount(group.positive());
            stratum.setMeasureScore(MeasureReports.score(group.prevalence()));
        }
    }

    /**
     * A group as a stratum value: coded when it has a code system (OMB, administrative gender); age
     * bands ("18-64") and "Two or more races" have none and are given as text only.
     */
    private static CodeableConcept value(Group group) {
        CodeableConcept value = new CodeableConcept().setText(group.display());
        if (group.system() != null) {
            value.addCoding(new Coding(group.system(), group.key(), group.display()));
        }
        return value;
    }

    private static Xhtml narrative(BiasReport bias) {
        Xhtml html = new Xhtml();
        html.paragraph(
                "Composition and label prevalence of "
                        + bias.project().title()
                        + " ("
                        + bias.project().reference()
                        + "): "
                        + bias.patients()
                        + " labelled patients. Reference: "
                        + bias.options().reference().source()
                        + ". Under-represented: share below "
                        + bias.options().representationRatio()
                        + " × reference. Prevalence differences: chi-square test of"
                        + " independence, "
                        + bias.options().correction().code()
                        + "-adjusted p < "
                        + bias.options().alpha()
                        + ".");
        for (Composition composition : bias.composition()) {
            html.heading(composition.dimension().title());
            List<List<String>> rows = new ArrayList<>();
            for (GroupShare share : composition.groups()) {
                rows.add(
                        List.of(
                                share.group().display(),
                                Integer.toString(share.patients()),
                                Xhtml.percent(share.share()),
                                share.referenceShare().isPresent()
                                        ? Xhtml.percent(share.referenceShare().getAsDouble())
                                        : "–",
                                share.underRepresented() ? "under-represented" : ""));
            }
            if (composition.unknown() > 0) {
                rows.add(
                        List.of(
                                "not recorded",
                                Integer.toString(composition.unknown()),
                                "",
                                "",
                                ""));
            }
            html.table(List.of("Group", "Patients", "Share", "Reference", "Flag"), rows);
        }
        html.heading("Prevalence differences between groups");
        List<List<String>> rows = new ArrayList<>();
        for (ClassPrevalence c : bias.classes()) {
            for (PrevalenceTest test : c.tests()) {
                if (!test.test().defined()) {
                    continue;
                }
                rows.add(
                        List.of(
                                c.code().displayOrCode(),
                                test.dimension().title(),
                                Xhtml.number(test.test().statistic()),
                                Integer.toString(test.test().degreesOfFreedom()),
                                String.format(Locale.ROOT, "%.3g", test.test().pValue()),
                                String.format(Locale.ROOT, "%.3g", test.adjustedPValue()),
                                test.significant() ? "significant" : ""));
            }
        }
        html.table(
                List.of("Class", "Dimension", "Chi-square", "df", "p", "Adjusted p", "Flag"), rows);
        return html;
    }
}
