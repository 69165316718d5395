package org.quorum.security.fhir;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Set;
import org.quorum.security.CaseAssignments;
import org.quorum.security.QuorumPrincipal;

/** The assigned cases of a request's principal, computed once per request. */
final class AssignedCases {

    private final CaseAssignments assignments;

    AssignedCases(CaseAssignments assignments) {
        this.assignments = assignments;
    }

    @SuppressWarnings("unchecked")
    Set<String> of(RequestDetails request, QuorumPrincipal principal) {
        return (Set<String>)
                request.getUserData()
                        .computeIfAbsent(
                                Principals.ASSIGNED_KEY, key -> assignments.assignedTo(principal));
    }
}
