package org.quorum.security.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import org.quorum.security.AuthenticationException;
import org.quorum.security.TokenVerifier;

/**
 * Authenticates every FHIR request by its bearer token (RFC 6750) before HAPI handles it; only the
 * capability statement ({@code GET /fhir/metadata}) is open. A missing or bad token gets 401 with
 * {@code WWW-Authenticate: Bearer …} saying what was wrong, never echoing the token.
 */
@Interceptor
public final class FhirAuthenticationInterceptor {

    private final TokenVerifier verifier;

    public FhirAuthenticationInterceptor(TokenVerifier verifier) {
        this.verifier = verifier;
    }

    // Runs before every other post-processing hook: search narrowing needs the principal.
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -1000)
    public boolean authenticate(RequestDetails request, HttpServletRequest servletRequest) {
        if (isCapabilityStatement(request, servletRequest)) {
            return true;
        }
        try {
            Principals.set(
                    request,
                    verifier.verifyAuthorizationHeader(servletRequest.getHeader("Authorization")));
            return true;
        } catch (AuthenticationException e) {
            if (e.httpStatus() == 503) {
                // The external issuer's keys could not be fetched: not the caller's fault.
                throw new ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException(
                        503, e.getMessage());
            }
            ca.uhn.fhir.rest.server.exceptions.AuthenticationException unauthorized =
                    new ca.uhn.fhir.rest.server.exceptions.AuthenticationException(e.getMessage());
            unauthorized.addResponseHeader("WWW-Authenticate", e.wwwAuthenticate("quorum"));
            throw unauthorized;
        }
    }

    private static boolean isCapabilityStatement(
            RequestDetails request, HttpServletRequest servletRequest) {
        String path =
                request.getRequestPath() == null
                        ? ""
                        : request.getRequestPath().replaceAll("^/+", "");
        String method = servletRequest.getMethod();
        return (path.equals("metadata"))
                && ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method));
    }
}
