package org.quorum.workflow.fhir;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.function.Supplier;
import org.quorum.workflow.WorkflowException;

/** The one place workflow errors become FHIR errors (an OperationOutcome with an HTTP status). */
final class WorkflowErrors {

    private WorkflowErrors() {}

    static BaseServerResponseException toFhir(WorkflowException e) {
        return switch (e.problem().httpStatus()) {
            case 403 -> new ForbiddenOperationException(e.getMessage());
            case 404 -> new ResourceNotFoundException(e.getMessage());
            case 409 -> new ResourceVersionConflictException(e.getMessage());
            case 422 -> new UnprocessableEntityException(e.getMessage());
            default -> new InvalidRequestException(e.getMessage());
        };
    }

    /** Runs an operation, translating workflow errors. */
    static <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (WorkflowException e) {
            throw toFhir(e);
        }
    }
}
