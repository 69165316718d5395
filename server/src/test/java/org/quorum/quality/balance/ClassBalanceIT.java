package org.quorum.quality.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.MeasureReport.StratifierGroupComponent;
import org.hl7.fhir.r4.model.Parameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.QualityProject;
import org.quorum.testing.RunningServer;

/**
 * {@code $class-balance} over HTTP: 120 imaging studies with final labels, 100 effusion, 19 nodule,
 * 1 pneumothorax; the stored schema version also has "mass", which no label uses.
 */
@ExtendWith(RunningServer.class)
class ClassBalanceIT {

    private static final String SCHEMA_URL =
            "https://quorum.dev/fhir/CodeSystem/it-class-balance-findings";

    private static IGenericClient client;
    private static QualityProject project;

    @BeforeAll
    static void oneHundredTwentyCases(RunningServer server) {
        client = server.fhirClient();
        CodeSystem schema = new CodeSystem();
        schema.setUrl(SCHEMA_URL).setVersion("1.0.0").setName("ItClassBalanceFindings");
        schema.setStatus(Enumerations.PublicationStatus.ACTIVE);
        schema.setContent(CodeSystem.CodeSystemContentMode.COMPLETE);
        for (String code : new String[] {"effusion", "nodule", "pneumothorax", "mass"}) {
            schema.addConcept()
                    .setCode(code)
                    .setDisplay(code.substring(0, 1).toUpperCase() + code.substring(1));
        }
        client.create().resource(schema).execute();

        project = QualityProject.create(client, "class balance IT");
        String annotator = project.annotator("A");
        String reviewer = project.annotator("B");
        for (int i = 0; i < 120; i++) {
            String code = i < 100 ? "effusion" : i < 119 ? "nodule" : "pneumothorax";
            String patient = project.patient("female", "1980", null);
            String study = project.study(patient);
            var label = project.label(annotator, patient, study, code, "final");
            label.getCode().getCodingFirstRep().setSystem(SCHEMA_URL);
            project.add(label);
            if (i % 10 == 0) {
                // A second final label on the same study is the same case.
                var second = project.label(reviewer, patient, study, code, "final");
                second.getCode().getCodingFirstRep().setSystem(SCHEMA_URL);
                project.add(second);
            }
        }
        project.commit();
    }

    private static MeasureReport classBalance(Parameters parameters) {
        return client.operation()
                .onInstance(new IdType(project.reference()))
                .named("$class-balance")
                .withParameters(parameters)
                .returnResourceType(MeasureReport.class)
                .execute();
    }

    private static StratifierGroupComponent stratum(MeasureReport report, String code) {
        return report.getGroupFirstRep().getStratifierFirstRep().getStratum().stream()
                .filter(s -> s.getValue().getCodingFirstRep().getCode().equals(code))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no class " + code));
    }

    private static boolean rare(StratifierGroupComponent stratum) {
        return stratum.getExtensionsByUrl(QuorumProfiles.EXT_QUALITY_FLAG).stream()
                .anyMatch(
                        e ->
                                ((org.hl7.fhir.r4.model.CodeableConcept) e.getValue())
                                        .getCodingFirstRep()
                                        .getCode()
                                        .equals("rare-class"));
    }

    private static int needed(StratifierGroupComponent stratum) {
        var extension = stratum.getExtensionByUrl(QuorumProfiles.EXT_CASES_NEEDED);
        return extension == null ? 0 : ((IntegerType) extension.getValue()).getValue();
    }

    @Test
    void prevalence_per_class_counts_cases_and_flags_rare_classes() {
        Parameters parameters = new Parameters();
        parameters.addParameter("minCases", new IntegerType(20));

        MeasureReport report = classBalance(parameters);

        assertThat(report.getMeasure()).isEqualTo(QuorumProfiles.MEASURE_CLASS_BALANCE);
        assertThat(report.getGroupFirstRep().getPopulationFirstRep().getCount()).isEqualTo(120);
        StratifierGroupComponent effusion = stratum(report, "effusion");
        assertThat(effusion.getMeasureScore().getValue().doubleValue())
                .isCloseTo(100 / 120.0, within(1e-9));
        assertThat(rare(effusion)).isFalse();
        assertThat(needed(effusion)).isZero();
        // nodule: 19 < 20 cases: 1 more. pneumothorax: 1 case (0.83 % < 1 %): 19 more.
        assertThat(rare(stratum(report, "nodule"))).isTrue();
        assertThat(needed(stratum(report, "nodule"))).isEqualTo(1);
        assertThat(rare(stratum(report, "pneumothorax"))).isTrue();
        assertThat(needed(stratum(report, "pneumothorax"))).isEqualTo(19);
        // mass: in the schema, never used.
        assertThat(stratum(report, "mass").getPopulation().get(1).getCount()).isZero();
        assertThat(needed(stratum(report, "mass"))).isEqualTo(20);
        assertThat(report.getText().getDivAsString()).contains("rare");
    }

    @Test
    void a_lower_prevalence_threshold_and_no_minimum_count_leave_only_the_unused_code_rare() {
        Parameters parameters = new Parameters();
        parameters.addParameter("minPrevalence", new DecimalType("0.005"));
        parameters.addParameter("minCases", new IntegerType(0));

        MeasureReport report = classBalance(parameters);

        // 1/120 = 0.83 % is above 0.5 %.
        assertThat(rare(stratum(report, "pneumothorax"))).isFalse();
        assertThat(rare(stratum(report, "nodule"))).isFalse();
        assertThat(rare(stratum(report, "mass"))).isTrue();
        // (0.005 · 120 − 0) / 0.995 = 0.6: one case.
        assertThat(needed(stratum(report, "mass"))).isEqualTo(1);
    }

    @Test
    void by_default_a_class_needs_thirty_cases_and_one_percent() {
        MeasureReport report = classBalance(new Parameters());

        assertThat(needed(stratum(report, "nodule"))).isEqualTo(11);
        assertThat(needed(stratum(report, "pneumothorax"))).isEqualTo(29);
    }
}
