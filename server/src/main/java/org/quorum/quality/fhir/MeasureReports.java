package org.quorum.quality.fhir;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Clock;
import java.util.Date;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.UriType;
import org.hl7.fhir.utilities.xhtml.XhtmlNode;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.agreement.BootstrapInterval;
import org.quorum.quality.data.Project;
import org.quorum.quality.stats.ChiSquareTests;

/**
 * Shared pieces of Quorum's quality MeasureReports.
 *
 * <p><b>The project.</b> A quality report is about a project (a ResearchStudy), but R4 does not
 * allow a ResearchStudy as MeasureReport.subject (Patient, Practitioner, PractitionerRole,
 * Location, Device, RelatedPerson or Group only). The project is therefore recorded in the
 * quorum-project extension, as on labels, and subject is left empty.
 *
 * @see <a href="https://hl7.org/fhir/R4/measurereport.html">FHIR R4 MeasureReport</a>
 */
final class MeasureReports {

    static final String UCUM = "http://unitsofmeasure.org";
    static final String POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population";

    private MeasureReports() {}

    /** A complete summary report of {@code measure} about {@code project}. */
    static MeasureReport newReport(String measure, Project project, Clock clock) {
        MeasureReport report = new MeasureReport();
        report.addExtension(
                QuorumProfiles.EXT_PROJECT,
                new Reference(project.reference()).setDisplay(project.title()));
        report.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
        report.setType(MeasureReport.MeasureReportType.SUMMARY);
        report.setMeasure(measure);
        Date now = Date.from(clock.instant());
        report.setDate(now);
        // The labels as stored at this moment: the period is the moment of computation.
        report.setPeriod(new Period().setStart(now).setEnd(now));
        return report;
    }

    static void narrative(MeasureReport report, Xhtml html) {
        XhtmlNode div = new XhtmlNode();
        div.setValueAsString(html.build());
        report.setText(new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED).setDiv(div));
    }

    static CodeableConcept concept(String system, String code, String display) {
        return new CodeableConcept(new Coding(system, code, display)).setText(display);
    }

    /**
     * A statistic: the coding carries the code system's display (validators check it); {@code text}
     * may name the variant, e.g. "Krippendorff's alpha (nominal)".
     */
    static CodeableConcept statistic(String code, String text) {
        String display = STATISTIC_DISPLAYS.get(code);
        if (display == null) {
            throw new IllegalArgumentException("Not in quorum-quality-statistic: " + code);
        }
        return new CodeableConcept(new Coding(QuorumProfiles.CS_QUALITY_STATISTIC, code, display))
                .setText(text);
    }

    /** The displays of CodeSystem quorum-quality-statistic (fhir-profiles). */
    private static final java.util.Map<String, String> STATISTIC_DISPLAYS =
            java.util.Map.of(
                    "percent-agreement", "Percent agreement",
                    "cohen-kappa", "Cohen's kappa",
                    "fleiss-kappa", "Fleiss' kappa",
                    "krippendorff-alpha", "Krippendorff's alpha",
                    "composition", "Data set composition",
                    "class-prevalence", "Class prevalence");

    static CodeableConcept stratifier(String code, String display) {
        return concept(QuorumProfiles.CS_QUALITY_STRATIFIER, code, display);
    }

    static Extension schema(String system) {
        return new Extension(QuorumProfiles.EXT_LABEL_SCHEMA, new UriType(system));
    }

    /** A dimensionless score (UCUM "1"), 12 significant digits. */
    static Quantity score(double value) {
        return new Quantity().setValue(decimal(value)).setUnit("1").setSystem(UCUM).setCode("1");
    }

    static BigDecimal decimal(double value) {
        return new BigDecimal(value).round(new MathContext(12)).stripTrailingZeros();
    }

    static CodeableConcept population(String code) {
        return new CodeableConcept(new Coding(POPULATION, code, null));
    }

    static Extension flag(String code, String display, String text) {
        return new Extension(
                QuorumProfiles.EXT_QUALITY_FLAG,
                new CodeableConcept(new Coding(QuorumProfiles.CS_QUALITY_FLAG, code, display))
                        .setText(text));
    }

    static Extension interval(BootstrapInterval interval) {
        Extension extension = new Extension(QuorumProfiles.EXT_CONFIDENCE_INTERVAL);
        extension.addExtension("lower", new DecimalType(decimal(interval.lower())));
        extension.addExtension("upper", new DecimalType(decimal(interval.upper())));
        extension.addExtension("level", new DecimalType(decimal(interval.level())));
        extension.addExtension("replicates", new IntegerType(interval.replicates()));
        extension.addExtension(
                "undefinedReplicates", new IntegerType(interval.undefinedReplicates()));
        extension.addExtension("seed", new IntegerType((int) interval.seed()));
        return extension;
    }

    /** The chi-square test extension, or {@code null} when the test was not made. */
    static Extension chiSquare(
            ChiSquareTests.Result test, String kind, Double adjustedPValue, String adjustment) {
        if (!test.defined()) {
            return null;
        }
        Extension extension = new Extension(QuorumProfiles.EXT_CHI_SQUARE_TEST);
        extension.addExtension("statistic", new DecimalType(decimal(test.statistic())));
        extension.addExtension("degreesOfFreedom", new IntegerType(test.degreesOfFreedom()));
        extension.addExtension("pValue", new DecimalType(decimal(test.pValue())));
        if (adjustedPValue != null && !adjustedPValue.isNaN()) {
            extension.addExtension("adjustedPValue", new DecimalType(decimal(adjustedPValue)));
            extension.addExtension("adjustment", new CodeType(adjustment));
        }
        extension.addExtension("kind", new CodeType(kind));
        return extension;
    }
}
