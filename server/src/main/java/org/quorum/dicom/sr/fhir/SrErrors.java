package org.quorum.dicom.sr.fhir;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.quorum.dicom.sr.SrException;

/** The one place SR errors become FHIR errors (an OperationOutcome with an HTTP status). */
final class SrErrors {

    private SrErrors() {}

    static BaseServerResponseException toFhir(SrException e) {
        return switch (e.problem().httpStatus()) {
            case 404 -> new ResourceNotFoundException(e.getMessage());
            case 422 -> new UnprocessableEntityException(e.getMessage());
            case 500 -> new InternalErrorException(e.getMessage());
            default -> new InvalidRequestException(e.getMessage());
        };
    }
}
