package org.quorum.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.math.BigDecimal;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.junit.jupiter.api.Test;

class DecimalLimitsTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private static Observation observation(String value) {
        return new Observation().setValue(new Quantity().setValue(new BigDecimal(value)));
    }

    @Test
    void values_a_clinical_record_holds_pass() {
        for (String value :
                new String[] {"0", "0.5", "-12.25", "99999999999999999", "1e-30", "6.02e16"}) {
            assertThat(DecimalLimits.violations(observation(value))).as(value).isEmpty();
        }
    }

    @Test
    void huge_tiny_and_overlong_values_are_named_by_their_path() {
        for (String value : new String[] {"1e999999", "-1e999999", "1e17", "1e-999999", "1e-31"}) {
            assertThat(DecimalLimits.violations(observation(value)))
                    .as(value)
                    .singleElement()
                    .asString()
                    .startsWith("Observation.valueQuantity.value is outside");
        }
    }

    @Test
    void repeating_elements_bundles_and_contained_resources_get_indexed_paths() {
        RiskAssessment risk = new RiskAssessment();
        risk.addPrediction().setProbability(new org.hl7.fhir.r4.model.DecimalType(0.5));
        risk.addPrediction()
                .setProbability(new org.hl7.fhir.r4.model.DecimalType(new BigDecimal("1e30")));
        Bundle bundle = new Bundle();
        bundle.addEntry().setResource(new Observation());
        bundle.addEntry().setResource(risk);

        assertThat(DecimalLimits.violations(bundle))
                .singleElement()
                .asString()
                .startsWith("Bundle.entry[1].resource.prediction[1].probabilityDecimal ");
    }

    @Test
    void a_write_beyond_the_limits_is_refused_with_422_and_the_element_named() {
        DecimalLimits limits = new DecimalLimits(FHIR);
        assertThatThrownBy(() -> limits.created(observation("1e999999")))
                .isInstanceOfSatisfying(
                        UnprocessableEntityException.class,
                        e -> {
                            assertThat(e.getStatusCode()).isEqualTo(422);
                            OperationOutcome outcome = (OperationOutcome) e.getOperationOutcome();
                            assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue())
                                    .isEqualTo("Observation.valueQuantity.value");
                            assertThat(outcome.getIssueFirstRep().getDiagnostics())
                                    .doesNotContain("999999");
                        });
    }

    @Test
    void the_write_check_finds_decimals_in_contained_resources_and_bundle_entries() {
        // The write hook itself (not only violations()) reaches into contained resources and
        // Bundle entries: HAPI's terser, a tempting shortcut, does not visit entry resources.
        DecimalLimits limits = new DecimalLimits(FHIR);
        Observation outer = new Observation();
        outer.addContained(observation("1e30"));
        assertThatThrownBy(() -> limits.created(outer))
                .isInstanceOf(UnprocessableEntityException.class);

        Bundle bundle = new Bundle();
        bundle.addEntry().setResource(new Observation());
        bundle.addEntry().setResource(observation("1e-40"));
        assertThatThrownBy(() -> limits.created(bundle))
                .isInstanceOf(UnprocessableEntityException.class);

        limits.created(observation("72.5"));
    }
}
