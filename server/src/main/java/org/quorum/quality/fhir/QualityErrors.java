package org.quorum.quality.fhir;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.quorum.quality.QualityException;

/** The one place quality errors become FHIR errors (an OperationOutcome with an HTTP status). */
final class QualityErrors {

    private QualityErrors() {}

    static BaseServerResponseException toFhir(QualityException e) {
        return switch (e.problem().httpStatus()) {
            case 404 -> new ResourceNotFoundException(e.getMessage());
            case 422 -> new UnprocessableEntityException(e.getMessage());
            default -> new InvalidRequestException(e.getMessage());
        };
    }
}
