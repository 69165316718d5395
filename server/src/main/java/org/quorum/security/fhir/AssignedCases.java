package org.quorum.security.fhir;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Set;
import org.quorum.security.CaseAssignments;
import org.quorum.security.QuorumPrincipal;

/** The assigned cases of a request's principal, read once per request. */
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

    /** The Tasks and labels that grant {@code owner} access to {@code resource}. */
    Set<String> sourcesGranting(String owner, String resource) {
        return assignments.sourcesGranting(owner, resource);
    }
}
