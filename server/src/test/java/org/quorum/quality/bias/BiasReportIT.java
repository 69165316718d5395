package org.quorum.quality.bias;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpResponse;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupComponent;
import org.hl7.fhir.r4.model.MeasureReport.MeasureReportGroupStratifierComponent;
import org.hl7.fhir.r4.model.MeasureReport.StratifierGroupComponent;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.QualityProject;
import org.quorum.testing.RunningServer;

/**
 * {@code $bias-report} over HTTP: 40 patients with final labels; 30 women (2 with pneumonia), 10
 * men (9 with pneumonia); 36 White, 2 Asian, 2 White and Black; 4 Hispanic; half born 1961, half
 * 2015, one without birth date.
 */
@ExtendWith(RunningServer.class)
class BiasReportIT {

    private static IGenericClient client;
    private static RunningServer server;
    private static QualityProject project;

    @BeforeAll
    static void fortyPatientsWithFinalLabels(RunningServer running) {
        server = running;
        client = running.fhirClient();
        project = QualityProject.create(client, "bias IT");
        String annotator = project.annotator("A");
        for (int i = 0; i < 40; i++) {
            boolean female = i < 30;
            boolean pneumonia = female ? i < 2 : i < 39;
            String[] races =
                    i < 36
                            ? new String[] {"2106-3"}
                            : i < 38 ? new String[] {"2028-9"} : new String[] {"2106-3", "2054-5"};
            String patient =
                    project.patient(
                            female ? "female" : "male",
                            i == 0 ? null : i % 2 == 0 ? "1961" : "2015",
                            i < 4 ? "2135-2" : "2186-5",
                            races);
            String note = project.note(patient);
            project.label(annotator, patient, note, pneumonia ? "pneumonia" : "normal");
        }
        // A preliminary label does not count: this patient is not in the data set.
        String extra = project.patient("male", "1990", "2186-5", "2106-3");
        project.add(
                project.label(annotator, extra, project.note(extra), "pneumonia", "preliminary"));
        project.commit();
    }

    private static MeasureReport biasReport(Parameters parameters) {
        parameters.addParameter("ageAt", new DateType("2025-01-01"));
        return client.operation()
                .onInstance(new IdType(project.reference()))
                .named("$bias-report")
                .withParameters(parameters)
                .returnResourceType(MeasureReport.class)
                .execute();
    }

    private static MeasureReportGroupComponent group(MeasureReport report, String code) {
        return report.getGroup().stream()
                .filter(g -> g.getCode().getCodingFirstRep().getCode().equals(code))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no group " + code));
    }

    private static MeasureReportGroupStratifierComponent stratifier(
            MeasureReportGroupComponent group, String dimension) {
        return group.getStratifier().stream()
                .filter(s -> s.getCodeFirstRep().getCodingFirstRep().getCode().equals(dimension))
                .findFirst()
                .orElseThrow();
    }

    private static StratifierGroupComponent stratum(
            MeasureReportGroupStratifierComponent stratifier, String key) {
        return stratifier.getStratum().stream()
                .filter(
                        s ->
                                (s.getValue().hasCoding()
                                                ? s.getValue().getCodingFirstRep().getCode()
                                                : s.getValue().getText())
                                        .equals(key))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no stratum " + key));
    }

    private static boolean flagged(org.hl7.fhir.r4.model.Element element, String flag) {
        return element.getExtensionsByUrl(QuorumProfiles.EXT_QUALITY_FLAG).stream()
                .anyMatch(
                        e ->
                                ((org.hl7.fhir.r4.model.CodeableConcept) e.getValue())
                                        .getCodingFirstRep()
                                        .getCode()
                                        .equals(flag));
    }

    private static double part(Extension extension, String name) {
        return ((DecimalType) extension.getExtensionByUrl(name).getValue())
                .getValue()
                .doubleValue();
    }

    @Test
    void composition_by_sex_flags_men_as_under_represented_against_the_census() {
        MeasureReport report = biasReport(new Parameters());
        MeasureReportGroupComponent composition = group(report, "composition");

        assertThat(report.getMeasure()).isEqualTo(QuorumProfiles.MEASURE_DATASET_BIAS);
        assertThat(composition.getPopulationFirstRep().getCount()).isEqualTo(40);
        StratifierGroupComponent men = stratum(stratifier(composition, "sex"), "male");
        assertThat(men.getPopulationFirstRep().getCount()).isEqualTo(10);
        assertThat(men.getMeasureScore().getValue().doubleValue()).isCloseTo(0.25, within(1e-9));
        assertThat(
                        ((DecimalType)
                                        men.getExtensionByUrl(QuorumProfiles.EXT_REFERENCE_SHARE)
                                                .getValue())
                                .getValue()
                                .doubleValue())
                .isEqualTo(0.495);
        assertThat(flagged(men, "under-represented")).isTrue();
        assertThat(flagged(stratum(stratifier(composition, "sex"), "female"), "under-represented"))
                .isFalse();
        assertThat(report.getText().getDivAsString()).contains("under-represented");
    }

    @Test
    void composition_by_race_ethnicity_and_age_band_follows_the_us_core_extensions() {
        MeasureReportGroupComponent composition =
                group(biasReport(new Parameters()), "composition");

        MeasureReportGroupStratifierComponent race = stratifier(composition, "race");
        assertThat(stratum(race, "2106-3").getPopulationFirstRep().getCount()).isEqualTo(36);
        assertThat(stratum(race, "2028-9").getPopulationFirstRep().getCount()).isEqualTo(2);
        assertThat(stratum(race, "Two or more races").getPopulationFirstRep().getCount())
                .isEqualTo(2);
        assertThat(flagged(stratum(race, "2054-5"), "under-represented")).isTrue();
        assertThat(race.getExtensionByUrl(QuorumProfiles.EXT_CHI_SQUARE_TEST)).isNotNull();
        assertThat(
                        stratum(stratifier(composition, "ethnicity"), "2135-2")
                                .getPopulationFirstRep()
                                .getCount())
                .isEqualTo(4);
        MeasureReportGroupStratifierComponent age = stratifier(composition, "age-band");
        assertThat(stratum(age, "18-64").getPopulationFirstRep().getCount()).isEqualTo(19);
        assertThat(stratum(age, "0-17").getPopulationFirstRep().getCount()).isEqualTo(20);
        assertThat(stratum(age, "UNK").getPopulationFirstRep().getCount()).isEqualTo(1);
    }

    @Test
    void pneumonia_prevalence_differs_by_sex_after_holm_correction() {
        MeasureReportGroupComponent pneumonia = group(biasReport(new Parameters()), "pneumonia");

        assertThat(pneumonia.getCode().getCodingFirstRep().getSystem())
                .isEqualTo(QualityProject.SCHEMA);
        assertThat(pneumonia.getMeasureScore().getValue().doubleValue())
                .isCloseTo(11 / 40.0, within(1e-9));
        MeasureReportGroupStratifierComponent bySex = stratifier(pneumonia, "sex");
        Extension test = bySex.getExtensionByUrl(QuorumProfiles.EXT_CHI_SQUARE_TEST);
        // female 2/30, male 9/10: scipy chi2_contingency([[2, 28], [9, 1]], correction=False)
        assertThat(part(test, "statistic")).isCloseTo(26.12330198537095, within(1e-8));
        assertThat(part(test, "pValue")).isCloseTo(3.2029521741281314e-07, within(1e-15));
        assertThat(part(test, "adjustedPValue"))
                .isGreaterThan(part(test, "pValue"))
                .isLessThan(0.05);
        assertThat(test.getExtensionByUrl("adjustment").getValue().primitiveValue())
                .isEqualTo("holm");
        assertThat(flagged(bySex, "prevalence-difference")).isTrue();
        assertThat(flagged(bySex, "low-expected-count")).isTrue();
        assertThat(stratum(bySex, "male").getMeasureScore().getValue().doubleValue())
                .isCloseTo(0.9, within(1e-9));
        // Ethnicity: Hispanic 2 of 4 with pneumonia, non-Hispanic 9 of 36: not significant.
        assertThat(flagged(stratifier(pneumonia, "ethnicity"), "prevalence-difference")).isFalse();
    }

    @Test
    void a_reference_given_as_a_parameter_replaces_the_census_for_its_dimension() {
        Parameters parameters = new Parameters();
        parameters.addParameter("reference", new StringType("sex:female=0.7"));
        parameters.addParameter("reference", new StringType("sex:male=0.3"));

        MeasureReportGroupComponent composition = group(biasReport(parameters), "composition");

        StratifierGroupComponent men = stratum(stratifier(composition, "sex"), "male");
        assertThat(flagged(men, "under-represented")).isFalse();
        assertThat(flagged(stratum(stratifier(composition, "race"), "2054-5"), "under-represented"))
                .isTrue();
    }

    @Test
    void a_malformed_reference_or_date_is_a_400_that_says_how_to_write_it() {
        HttpResponse<String> response =
                server.http()
                        .get(
                                "/fhir/"
                                        + project.reference()
                                        + "/$bias-report?reference=sex-female-half",
                                "application/fhir+json");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("'reference'").contains("dimension:group=share");
        HttpResponse<String> yearOnly =
                server.http()
                        .get(
                                "/fhir/" + project.reference() + "/$bias-report?ageAt=2025",
                                "application/fhir+json");
        assertThat(yearOnly.statusCode()).as(yearOnly.body()).isEqualTo(400);
        assertThat(yearOnly.body()).contains("'ageAt'").contains("full date");
    }
}
