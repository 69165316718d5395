package org.quorum.dicom.web;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.quorum.storage.DatabaseFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every DICOMweb error as a status and a one-line plain-text reason (PS3.18 §8.6 leaves the payload
 * to the server); never a stack trace, never a dataset value.
 */
public final class DicomWebExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(DicomWebExceptionMapper.class);

    @Override
    public Response toResponse(Throwable error) {
        if (error instanceof DicomWebException dicom) {
            return reply(dicom.status(), dicom.getMessage());
        }
        if (error instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            String reason =
                    switch (status) {
                        case 404 -> "No such DICOMweb resource";
                        case 405 -> "Method not allowed on this DICOMweb resource";
                        case 406 -> "None of the Accept media types can be served here";
                        case 415 -> "Unsupported Content-Type";
                        default -> "The request is malformed";
                    };
            return reply(status, reason);
        }
        if (DatabaseFailures.isUnavailable(error)) {
            LOG.warn("DICOMweb request failed: the database is unavailable");
            return Response.fromResponse(
                            reply(503, "The server cannot reach its database; retry shortly"))
                    .header("Retry-After", DatabaseFailures.RETRY_AFTER_SECONDS)
                    .build();
        }
        LOG.error("DICOMweb request failed: {}", error.getClass().getName());
        LOG.debug("DICOMweb failure", error);
        return reply(500, "Internal error; the request was not completed");
    }

    private static Response reply(int status, String reason) {
        if (status == 401 || status == 403) {
            // The same OperationOutcome as BearerAuthHandler and the FHIR side give for 401/403.
            return Response.status(status)
                    .type("application/fhir+json")
                    .entity(
                            "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                                    + "\"code\":\""
                                    + (status == 401 ? "login" : "forbidden")
                                    + "\",\"diagnostics\":\""
                                    + reason.replace("\\", "\\\\").replace("\"", "'")
                                    + "\"}]}")
                    .build();
        }
        return Response.status(status)
                .type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                .entity(reason + "\n")
                .build();
    }
}
