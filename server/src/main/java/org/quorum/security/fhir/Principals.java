package org.quorum.security.fhir;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Optional;
import org.quorum.audit.RequestIdentity;
import org.quorum.security.QuorumPrincipal;
import org.quorum.security.Role;

/** Where the authenticated principal of a FHIR request is kept (the request's user data). */
public final class Principals {

    static final String KEY = Principals.class.getName();
    static final String ASSIGNED_KEY = Principals.class.getName() + ".assigned";

    private Principals() {}

    public static Optional<QuorumPrincipal> of(RequestDetails request) {
        return request == null
                ? Optional.empty()
                : Optional.ofNullable((QuorumPrincipal) request.getUserData().get(KEY));
    }

    static void set(RequestDetails request, QuorumPrincipal principal) {
        request.getUserData().put(KEY, principal);
    }

    /** The audit view of a principal: a person when the subject is not the client itself. */
    public static RequestIdentity identity(QuorumPrincipal principal) {
        boolean person = !principal.subject().equals(principal.clientId());
        return new RequestIdentity(
                person ? Optional.of(principal.subject()) : Optional.empty(),
                Optional.of(principal.clientId()),
                principal.roles().stream().map(Role::wireName).sorted().toList());
    }

    /** The resolver the audit interceptor uses. */
    public static RequestIdentity identityOf(RequestDetails request) {
        return of(request).map(Principals::identity).orElse(RequestIdentity.ANONYMOUS);
    }
}
