package org.quorum.quality.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpResponse;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupComponent;
import org.hl7.fhir.r4.model.MeasureReport.StratifierGroupComponent;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.QualityProject;
import org.quorum.testing.RunningServer;

/**
 * {@code $agreement} over HTTP on a project built through the FHIR API: three annotators label the
 * same ten notes "pneumonia" or "normal".
 *
 * <pre>
 * note   0 1 2 3 4 5 6 7 8 9
 * A      p p p p p n n n n n
 * B      p p p p n n n n n p
 * C      p p p p p n n n n n
 * </pre>
 *
 * By hand: A/B agree on 8 of 10 notes, each says p half of the time, so Cohen's kappa = (0.8 −
 * 0.5)/(1 − 0.5) = 0.6; A/C agree on all (kappa 1). Percent agreement over all three: units 4 and 9
 * have one agreeing pair of three, the rest all three: (8 + 2/3)/10 = 0.8667. Fleiss: P̄ = 0.8667,
 * p(p) = 15/30, P̄e = 0.5, kappa = 0.7333. Krippendorff (nominal): D_o = 4/30, D_e =
 * 2·15·15/(30·29), alpha = 1 − (4/30)/(450/870) = 0.7422.
 */
@ExtendWith(RunningServer.class)
class AgreementOperationIT {

    private static IGenericClient client;
    private static RunningServer server;
    private static QualityProject project;
    private static String annotatorA;
    private static String annotatorB;

    @BeforeAll
    static void threeAnnotatorsLabelTenNotes(RunningServer running) {
        server = running;
        client = running.fhirClient();
        project = QualityProject.create(client, "agreement IT");
        String a = project.annotator("A");
        String b = project.annotator("B");
        String c = project.annotator("C");
        String[] ratingsA = "p p p p p n n n n n".split(" ");
        String[] ratingsB = "p p p p n n n n n p".split(" ");
        String[] ratingsC = "p p p p p n n n n n".split(" ");
        for (int i = 0; i < 10; i++) {
            String patient = project.patient("female", "1970", null);
            String note = project.note(patient);
            project.label(a, patient, note, code(ratingsA[i]));
            project.label(b, patient, note, code(ratingsB[i]));
            // C's labels are still preliminary: they count for agreement.
            project.add(project.label(c, patient, note, code(ratingsC[i]), "preliminary"));
        }
        project.commit();
        annotatorA = project.id(a);
        annotatorB = project.id(b);
    }

    private static String code(String rating) {
        return rating.equals("p") ? "pneumonia" : "normal";
    }

    private static MeasureReport agreement(Parameters parameters) {
        return client.operation()
                .onInstance(new IdType(project.reference()))
                .named("$agreement")
                .withParameters(parameters)
                .returnResourceType(MeasureReport.class)
                .execute();
    }

    private static MeasureReportGroupComponent group(
            MeasureReport report, String statistic, String stratifier) {
        return report.getGroup().stream()
                .filter(g -> g.getCode().getCodingFirstRep().getCode().equals(statistic))
                .filter(
                        g ->
                                stratifier == null
                                        ? g.getStratifier().isEmpty()
                                        : !g.getStratifier().isEmpty()
                                                && g.getStratifierFirstRep()
                                                        .getCodeFirstRep()
                                                        .getCodingFirstRep()
                                                        .getCode()
                                                        .equals(stratifier))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no group " + statistic + "/" + stratifier));
    }

    private static double score(MeasureReportGroupComponent group) {
        return group.getMeasureScore().getValue().doubleValue();
    }

    private static StratifierGroupComponent pair(
            MeasureReportGroupComponent group, String first, String second) {
        return group.getStratifierFirstRep().getStratum().stream()
                .filter(
                        s ->
                                s.getComponent().get(0).getValue().getText().equals(first)
                                        && s.getComponent()
                                                .get(1)
                                                .getValue()
                                                .getText()
                                                .equals(second))
                .findFirst()
                .orElseThrow();
    }

    private static double[] interval(org.hl7.fhir.r4.model.Element element) {
        Extension ci = element.getExtensionByUrl(QuorumProfiles.EXT_CONFIDENCE_INTERVAL);
        assertThat(ci).as("confidence interval extension").isNotNull();
        return new double[] {
            ((DecimalType) ci.getExtensionByUrl("lower").getValue()).getValue().doubleValue(),
            ((DecimalType) ci.getExtensionByUrl("upper").getValue()).getValue().doubleValue(),
            ((DecimalType) ci.getExtensionByUrl("level").getValue()).getValue().doubleValue()
        };
    }

    @Test
    void answers_a_complete_summary_measure_report_about_the_project() {
        MeasureReport report = agreement(new Parameters());

        assertThat(report.getStatus()).isEqualTo(MeasureReport.MeasureReportStatus.COMPLETE);
        assertThat(report.getType()).isEqualTo(MeasureReport.MeasureReportType.SUMMARY);
        assertThat(report.getMeasure()).isEqualTo(QuorumProfiles.MEASURE_LABEL_AGREEMENT);
        assertThat(
                        ((Reference)
                                        report.getExtensionByUrl(QuorumProfiles.EXT_PROJECT)
                                                .getValue())
                                .getReference())
                .isEqualTo(project.reference());
        assertThat(report.getText().getDivAsString()).contains("<table").contains("Cohen");
    }

    @Test
    void statistics_over_all_annotators_match_the_values_computed_by_hand() {
        MeasureReport report = agreement(new Parameters());

        assertThat(score(group(report, "percent-agreement", null)))
                .isCloseTo(26 / 30.0, within(1e-9));
        assertThat(score(group(report, "fleiss-kappa", null))).isCloseTo(0.11 / 0.15, within(1e-9));
        assertThat(score(group(report, "krippendorff-alpha", null)))
                .isCloseTo(1 - (4 / 30.0) / (450 / 870.0), within(1e-9));
        assertThat(group(report, "percent-agreement", null).getPopulationFirstRep().getCount())
                .isEqualTo(10);
    }

    @Test
    void cohen_kappa_per_annotator_pair_with_a_bootstrap_interval() {
        MeasureReport report = agreement(new Parameters());
        MeasureReportGroupComponent cohen = group(report, "cohen-kappa", "annotator-pair");

        assertThat(cohen.getStratifierFirstRep().getStratum()).hasSize(3);
        StratifierGroupComponent ab = pair(cohen, annotatorA, annotatorB);
        assertThat(ab.getMeasureScore().getValue().doubleValue()).isCloseTo(0.6, within(1e-9));
        double[] ci = interval(ab);
        assertThat(ci[0]).isLessThanOrEqualTo(0.6);
        assertThat(ci[1]).isGreaterThanOrEqualTo(0.6).isLessThanOrEqualTo(1);
        assertThat(ci[2]).isEqualTo(0.95);
        assertThat(
                        pair(
                                        group(report, "percent-agreement", "annotator-pair"),
                                        annotatorA,
                                        annotatorB)
                                .getMeasureScore()
                                .getValue()
                                .doubleValue())
                .isCloseTo(0.8, within(1e-9));
    }

    @Test
    void agreement_per_class_is_reported_for_every_code() {
        MeasureReport report = agreement(new Parameters());
        MeasureReportGroupComponent classes = group(report, "krippendorff-alpha", "class");

        assertThat(classes.getStratifierFirstRep().getStratum())
                .extracting(s -> s.getValue().getCodingFirstRep().getCode())
                .containsExactly("normal", "pneumonia");
        assertThat(
                        classes.getStratifierFirstRep()
                                .getStratum()
                                .get(1)
                                .getValue()
                                .getCodingFirstRep()
                                .getSystem())
                .isEqualTo(QualityProject.SCHEMA);
        // Two classes: "pneumonia present" is the overall rating, so alpha is the same.
        assertThat(
                        classes.getStratifierFirstRep()
                                .getStratum()
                                .get(1)
                                .getMeasureScore()
                                .getValue()
                                .doubleValue())
                .isCloseTo(1 - (4 / 30.0) / (450 / 870.0), within(1e-9));
    }

    @Test
    void the_same_seed_gives_the_same_interval_and_parameters_are_honoured() {
        Parameters parameters = new Parameters();
        parameters.addParameter("ci", new DecimalType("0.9"));
        parameters.addParameter("seed", new IntegerType(7));
        parameters.addParameter("replicates", new IntegerType(500));

        double[] first = interval(group(agreement(parameters), "percent-agreement", null));
        double[] second = interval(group(agreement(parameters), "percent-agreement", null));

        assertThat(first).containsExactly(second);
        assertThat(first[2]).isEqualTo(0.9);
    }

    @Test
    void works_with_get_and_statuses_filter_the_labels() {
        MeasureReport report =
                client.operation()
                        .onInstance(new IdType(project.reference()))
                        .named("$agreement")
                        .withParameter(Parameters.class, "status", new StringType("final"))
                        .andParameter("ci", new DecimalType(0))
                        .useHttpGet()
                        .returnResourceType(MeasureReport.class)
                        .execute();

        // Only A and B (final): one pair.
        MeasureReportGroupComponent cohen = group(report, "cohen-kappa", "annotator-pair");
        assertThat(cohen.getStratifierFirstRep().getStratum()).hasSize(1);
        assertThat(
                        cohen.getStratifierFirstRep()
                                .getStratumFirstRep()
                                .getMeasureScore()
                                .getValue()
                                .doubleValue())
                .isCloseTo(0.6, within(1e-9));
        assertThat(
                        cohen.getStratifierFirstRep()
                                .getStratumFirstRep()
                                .getExtensionByUrl(QuorumProfiles.EXT_CONFIDENCE_INTERVAL))
                .isNull();
    }

    @Test
    void a_bad_parameter_is_a_400_naming_it_and_an_unknown_project_a_404() {
        HttpResponse<String> bad =
                server.http()
                        .get(
                                "/fhir/" + project.reference() + "/$agreement?level=bogus",
                                "application/fhir+json");
        HttpResponse<String> missing =
                server.http()
                        .get(
                                "/fhir/ResearchStudy/no-such-project/$agreement",
                                "application/fhir+json");

        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        assertThat(bad.body()).contains("QUALITY-002").contains("'level'").contains("nominal");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(missing.body()).contains("QUALITY-001");
    }

    @Test
    void interval_level_on_codes_that_are_not_numbers_is_a_422() {
        HttpResponse<String> response =
                server.http()
                        .get(
                                "/fhir/" + project.reference() + "/$agreement?level=interval",
                                "application/fhir+json");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.body()).contains("QUALITY-004");
    }
}
