package org.quorum.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.junit.jupiter.api.Test;

class SafeErrorInterceptorTest {

    private final SafeErrorInterceptor interceptor = new SafeErrorInterceptor();

    @Test
    void a_client_value_hapi_cannot_parse_is_a_400_that_does_not_quote_it() {
        BaseServerResponseException answer =
                interceptor.hideInternalDetails(
                        null,
                        new DataFormatException(
                                "HAPI-1940: Invalid date/time/quantity format: \"1961-02-03\""));
        assertThat(answer.getStatusCode()).isEqualTo(400);
        assertThat(answer.getMessage()).contains("HAPI-1940").doesNotContain("1961");
    }

    @Test
    void a_stored_resource_that_does_not_parse_stays_a_500_with_a_reference_only() {
        BaseServerResponseException answer =
                interceptor.hideInternalDetails(
                        null,
                        new DataFormatException(
                                "HAPI-0928: Failed to parse database resource[Observation/1]"));
        assertThat(answer.getStatusCode()).isEqualTo(500);
        assertThat(answer.getMessage()).startsWith("Internal server error (reference ");
    }

    @Test
    void a_body_in_a_media_type_fhir_does_not_define_is_a_415() {
        BaseServerResponseException answer =
                interceptor.hideInternalDetails(
                        null,
                        new InvalidRequestException(
                                "HAPI-0449: Incorrect Content-Type header value of \"text/plain\""));
        assertThat(answer.getStatusCode()).isEqualTo(415);
    }

    @Test
    void java_class_names_are_taken_out_of_client_errors() {
        BaseServerResponseException answer =
                interceptor.hideInternalDetails(
                        null,
                        new InvalidRequestException(
                                "HAPI-1821: Invalid attribute value \"9\":"
                                        + " java.lang.NumberFormatException: For input string"));
        assertThat(answer.getStatusCode()).isEqualTo(400);
        assertThat(answer.getMessage())
                .isEqualTo("HAPI-1821: Invalid attribute value \"9\": For input string");
    }

    @Test
    void other_client_errors_pass_unchanged() {
        assertThat(interceptor.hideInternalDetails(null, new ResourceNotFoundException("gone")))
                .isNull();
    }
}
