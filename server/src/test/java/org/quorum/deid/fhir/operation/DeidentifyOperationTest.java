package org.quorum.deid.fhir.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.NotImplementedOperationException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.quorum.deid.fhir.FhirDeidentificationService;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.lexicon.PhiLexicon;
import org.quorum.fhir.SafeErrorInterceptor;

class DeidentifyOperationTest {

    private static final String SECRET = "operation-test-secret-0123456789";

    private static DeidentifyOperation configured() {
        return new DeidentifyOperation(
                Optional.of(
                        new FhirDeidentificationService(
                                FhirContext.forR4Cached(),
                                new DeidKeyService(SECRET.getBytes(StandardCharsets.UTF_8)),
                                PhiLexicon::standard,
                                Clock.systemUTC())));
    }

    @Test
    void without_a_secret_answers_501_not_configured_and_the_error_filter_keeps_it() {
        DeidentifyOperation operation = new DeidentifyOperation(Optional.empty());

        assertThatThrownBy(() -> operation.deidentify(new Bundle(), null))
                .isInstanceOf(NotImplementedOperationException.class)
                .hasMessageContaining("not configured")
                .hasMessageContaining("QUORUM_DEID_SECRET")
                .satisfies(
                        e -> {
                            assertThat(((BaseServerResponseException) e).getStatusCode())
                                    .isEqualTo(501);
                            // The server's last error filter turns 5xx into an opaque 500; not
                            // this one.
                            assertThat(new SafeErrorInterceptor().hideInternalDetails(null, e))
                                    .isNull();
                        });
    }

    @Test
    void refuses_what_is_not_a_bundle_and_unknown_policies() {
        DeidentifyOperation operation = configured();
        Patient patient = new Patient();
        patient.addName().setFamily("Okafor");

        assertThatThrownBy(() -> operation.deidentify(patient, null))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("takes a Bundle")
                .hasMessageNotContaining("Okafor");
        assertThatThrownBy(() -> operation.deidentify(null, null))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(
                        () ->
                                operation.deidentify(
                                        new Bundle().setType(Bundle.BundleType.COLLECTION),
                                        new StringType("k-anonymity")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Unknown policy 'k-anonymity'");
    }

    @Test
    void policy_names_select_the_date_policy() {
        DeidentifyOperation operation = configured();
        Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
        Patient patient = new Patient();
        patient.addIdentifier().setValue("MRN-1").getType().addCoding().setCode("MR");
        patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1961-04-12"));
        bundle.addEntry().setResource(patient);

        Patient safeHarbor =
                (Patient) operation.deidentify(bundle, null).getEntryFirstRep().getResource();
        Patient shifted =
                (Patient)
                        operation
                                .deidentify(bundle, new StringType("date-shift"))
                                .getEntryFirstRep()
                                .getResource();

        assertThat(safeHarbor.getBirthDateElement().getValueAsString()).isEqualTo("1961");
        assertThat(shifted.getBirthDateElement().getValueAsString())
                .hasSize(10)
                .isNotEqualTo("1961-04-12");
        assertThat(patient.getBirthDateElement().getValueAsString())
                .as("the input is left as it was")
                .isEqualTo("1961-04-12");
    }
}
