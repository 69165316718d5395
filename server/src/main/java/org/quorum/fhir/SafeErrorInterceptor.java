package org.quorum.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.NotImplementedOperationException;
import java.util.UUID;
import org.quorum.storage.DatabaseFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps internal failure details off the wire: a server error (HTTP 500) reaches the client as a
 * short OperationOutcome with a reference, and the details go to the server log under that
 * reference. Client errors (4xx) and 501 Not Implemented pass unchanged: their messages tell the
 * caller what to fix. A failure because the database is away is 503 with {@code Retry-After}: the
 * request may be retried (a load balancer routes it to a ready node, or the database returns).
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
        if (DatabaseFailures.isUnavailable(failure)) {
            LOG.warn(
                    "Database unavailable on {} {}",
                    request == null ? "?" : request.getRequestType(),
                    request == null ? "?" : request.getRequestPath());
            ServiceUnavailableException unavailable =
                    new ServiceUnavailableException(
                            "The server cannot reach its database right now; retry in a few"
                                    + " seconds.");
            unavailable.addResponseHeader(
                    "Retry-After", Integer.toString(DatabaseFailures.RETRY_AFTER_SECONDS));
            return unavailable;
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

    /** HTTP 503: HAPI has no exception class of its own for it. */
    static final class ServiceUnavailableException extends BaseServerResponseException {
        private static final long serialVersionUID = 1L;

        ServiceUnavailableException(String message) {
            super(503, message);
        }
    }
}
