package org.quorum.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.NotImplementedOperationException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import java.util.Set;
import java.util.UUID;
import org.quorum.storage.DatabaseFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps internal failure details off the wire: a server error (HTTP 500) reaches the client as a
 * short OperationOutcome with a reference, and the details go to the server log under that
 * reference. Client errors (4xx) and 501 Not Implemented pass unchanged: their messages tell the
 * caller what to fix. This is the one place where failures become HTTP statuses: a value the client
 * sent that HAPI cannot parse and lets escape as a plain {@link DataFormatException} (rather than a
 * 400) is answered 400 here. A failure because the database is away is 503 with {@code
 * Retry-After}: the request may be retried (a load balancer routes it to a ready node, or the
 * database returns).
 */
@Interceptor
public final class SafeErrorInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(SafeErrorInterceptor.class);

    /**
     * HAPI's codes of parse failures of values a client sends (search values, conditional URLs):
     * invalid date, time or quantity formats. A DataFormatException with any other code (e.g.
     * HAPI-0928, a stored resource that does not parse) stays a server error.
     */
    private static final java.util.regex.Pattern JAVA_EXCEPTION =
            java.util.regex.Pattern.compile(
                    "(?:[a-z][a-z0-9]*\\.)+[A-Z]\\w*(?:Exception|Error): ?");

    private static final Set<String> CLIENT_VALUE_CODES = Set.of("HAPI-1940:", "HAPI-1882:");

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException hideInternalDetails(
            RequestDetails request, Throwable failure) {
        if (failure instanceof InvalidRequestException invalid
                && invalid.getMessage() != null
                && invalid.getMessage().startsWith("HAPI-0449:")) {
            // A body in a media type FHIR does not define: 415 Unsupported Media Type (RFC 9110
            // §15.5.16; FHIR R4 http.html, content types).
            return new UnclassifiedServerFailureException(
                    415,
                    invalid.getMessage() + ". Send application/fhir+json or application/fhir+xml.");
        }
        if (failure instanceof BaseServerResponseException response
                && response.getStatusCode() < 500
                && response.getOperationOutcome() == null
                && response.getMessage() != null
                && JAVA_EXCEPTION.matcher(response.getMessage()).find()) {
            // HAPI quotes Java exception class names in some parse errors ("Invalid attribute
            // value ...: java.lang.NumberFormatException: ..."): keep the message, not the class.
            return BaseServerResponseException.newInstance(
                    response.getStatusCode(),
                    JAVA_EXCEPTION.matcher(response.getMessage()).replaceAll(""));
        }
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
        if (failure instanceof DataFormatException parse
                && parse.getMessage() != null
                && CLIENT_VALUE_CODES.stream().anyMatch(parse.getMessage()::startsWith)) {
            // The message quotes the value: say which rule it broke, not what it was.
            return new InvalidRequestException(
                    "A value in the request is not in the form FHIR requires ("
                            + parse.getMessage().replaceAll("\"[^\"]*\"", "(value)")
                            + "): check the date, number and quantity parameters (FHIR R4"
                            + " §3.1.1.4).");
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
