package org.quorum.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.NotImplementedOperationException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps internal failure details off the wire: a server error (HTTP 500) reaches the client as a
 * short OperationOutcome with a reference, and the details go to the server log under that
 * reference. Client errors (4xx) and 501 Not Implemented pass unchanged: their messages tell the
 * caller what to fix.
 */
@Interceptor
public final class SafeErrorInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(SafeErrorInterceptor.class);

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException hideInternalDetails(
            RequestDetails request, Throwable failure) {
        if (failure instanceof BaseServerResponseException response
                && (response.getStatusCode() < 500
                        || failure instanceof NotImplementedOperationException)) {
            // 501 says a feature is absent or switched off (e.g. $deidentify without a secret):
            // the caller needs that message, and it holds no internal detail.
            return null;
        }
        String reference = UUID.randomUUID().toString();
        LOG.error(
                "Internal error {} on {} {}",
                reference,
                request == null ? "?" : request.getRequestType(),
                request == null ? "?" : request.getRequestPath(),
                failure);
        return new InternalErrorException(
                "Internal server error (reference "
                        + reference
                        + "); the server log holds the details.");
    }
}
