package org.quorum.workflow;

import java.util.Optional;
import java.util.Set;
import org.quorum.security.Role;

/**
 * Who calls a workflow operation, as the access token says.
 *
 * @param subject the token's subject (for messages, never logged with content)
 * @param fhirUser the clinician's PractitionerRole ({@code fhirUser} claim), if any
 * @param roles the token's roles
 */
public record Caller(String subject, Optional<String> fhirUser, Set<Role> roles) {

    public Caller {
        roles = Set.copyOf(roles);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** The PractitionerRole, or a 403 saying the token needs one. */
    public String practitionerRole() {
        return fhirUser.filter(f -> f.startsWith("PractitionerRole/"))
                .orElseThrow(
                        () ->
                                new WorkflowException(
                                        WorkflowException.Problem.NOT_ON_ROSTER,
                                        "the token names no PractitionerRole (claim fhirUser);"
                                                + " workflow work is done as a project member"));
    }
}
