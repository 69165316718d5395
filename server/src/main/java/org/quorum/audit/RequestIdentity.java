package org.quorum.audit;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.List;
import java.util.Optional;

/**
 * Who made a request, as far as auditing needs to know: the person (if any), the client
 * application, and their roles. The security capability supplies the resolver; before a request is
 * authenticated (or when it is not), it is anonymous.
 */
public record RequestIdentity(Optional<String> user, Optional<String> client, List<String> roles) {

    public static final RequestIdentity ANONYMOUS =
            new RequestIdentity(Optional.empty(), Optional.empty(), List.of());

    /** Finds the identity of a FHIR request. */
    @FunctionalInterface
    public interface Resolver {
        RequestIdentity identityOf(RequestDetails request);
    }
}
