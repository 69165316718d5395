package org.quorum.security.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizedList;
import ca.uhn.fhir.rest.server.interceptor.auth.SearchNarrowingInterceptor;
import java.util.LinkedHashSet;
import java.util.Set;
import org.quorum.security.AccessPolicy;
import org.quorum.security.CaseAssignments;
import org.quorum.security.Operation;
import org.quorum.security.QuorumPrincipal;

/**
 * Narrows the searches of case-bound clinicians to their assigned cases (HAPI's
 * SearchNarrowingInterceptor adds {@code _id} restrictions). A type with no assigned resource is
 * narrowed to an id that cannot exist, so the search returns an empty Bundle with total 0: neither
 * results nor counts reveal other patients' data.
 */
public final class QuorumSearchNarrowingInterceptor extends SearchNarrowingInterceptor {

    /**
     * An id HAPI never assigns (its ids are numbers or client-chosen; this one is refused on
     * create).
     */
    static final String NOTHING = "quorum-no-assigned-case";

    private final AccessPolicy policy;
    private final AssignedCases assigned;
    private final Set<String> resourceTypes;

    public QuorumSearchNarrowingInterceptor(
            FhirContext fhir, AccessPolicy policy, CaseAssignments assignments) {
        this.policy = policy;
        this.assigned = new AssignedCases(assignments);
        this.resourceTypes = Set.copyOf(fhir.getResourceTypes());
    }

    @Override
    protected AuthorizedList buildAuthorizedList(RequestDetails request) {
        QuorumPrincipal principal = Principals.of(request).orElse(null);
        if (principal == null || !policy.isCaseBound(principal)) {
            return null;
        }
        Set<String> cases = assigned.of(request, principal);
        Set<String> allowed = new LinkedHashSet<>(cases);
        for (String type : resourceTypes) {
            AccessPolicy.Decision decision = policy.decide(principal, type, Operation.SEARCH);
            boolean narrowed = !decision.allowed() || decision.assignedOnly();
            if (narrowed
                    && cases.stream().noneMatch(reference -> reference.startsWith(type + "/"))) {
                allowed.add(type + "/" + NOTHING);
            }
        }
        return new AuthorizedList().addResources(allowed.toArray(String[]::new));
    }
}
