package org.quorum.testing;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import org.quorum.security.Role;

/**
 * A Quorum that tests talk to over HTTP: the shared test server ({@link RunningServer}) or several
 * nodes behind a load balancer ({@link QuorumCluster#endpoint()}). Fixtures that build data through
 * the public API take this, so that one fixture serves both.
 */
public interface QuorumEndpoint {

    URI baseUrl();

    FhirContext fhirContext();

    /** A FHIR client authenticated as a project admin. */
    IGenericClient fhirClient();

    String adminToken();

    Http http(String token);

    /** HTTP as a project admin. */
    default Http http() {
        return http(adminToken());
    }

    /** An access token for a user with these roles, scopes, FHIR user and projects. */
    String token(
            String subject,
            Set<Role> roles,
            String scopes,
            Optional<String> fhirUser,
            Set<String> projects);
}
