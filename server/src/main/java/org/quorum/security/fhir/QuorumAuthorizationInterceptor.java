package org.quorum.security.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilder;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;
import org.quorum.security.AccessPolicy;
import org.quorum.security.CaseAssignments;
import org.quorum.security.Operation;
import org.quorum.security.QuorumPrincipal;

/**
 * HAPI's AuthorizationInterceptor with rules built per request from the {@link AccessPolicy}: it
 * checks every resource a request reads or writes, including those inside transactions and those
 * pulled in by {@code _include}. Case-bound clinicians get instance rules for their assigned cases
 * only, so a request for an unassigned resource is refused before it is read, whether it exists or
 * not.
 */
public final class QuorumAuthorizationInterceptor extends AuthorizationInterceptor {

    private final AccessPolicy policy;
    private final AssignedCases assigned;
    private final Set<String> resourceTypes;

    public QuorumAuthorizationInterceptor(
            FhirContext fhir, AccessPolicy policy, CaseAssignments assignments) {
        super(PolicyEnum.DENY);
        this.policy = policy;
        this.assigned = new AssignedCases(assignments);
        this.resourceTypes = new TreeSet<>(fhir.getResourceTypes());
    }

    @Override
    public List<IAuthRule> buildRuleList(RequestDetails request) {
        IAuthRuleBuilder rules = new RuleBuilder();
        rules.allow("capability statement").metadata();
        Optional<QuorumPrincipal> maybe = Principals.of(request);
        if (maybe.isEmpty()) {
            return rules.denyAll("not authenticated").build();
        }
        QuorumPrincipal principal = maybe.get();
        rules.allow("transactions").transaction().withAnyOperation().andApplyNormalRules();
        // Which operations a token may call was decided by FhirAccessInterceptor.
        rules.allow("operations").operation().withAnyName().atAnyLevel().andAllowAllResponses();
        Set<String> cases =
                policy.isCaseBound(principal) ? assigned.of(request, principal) : Set.of();
        for (Operation operation : Operation.values()) {
            List<String> everywhere = new ArrayList<>();
            List<String> onlyAssigned = new ArrayList<>();
            for (String type : resourceTypes) {
                AccessPolicy.Decision decision = policy.decide(principal, type, operation);
                if (decision.allowed()) {
                    (decision.assignedOnly() ? onlyAssigned : everywhere).add(type);
                }
            }
            addTypeRules(rules, operation, everywhere);
            addInstanceRules(rules, operation, onlyAssigned, cases);
        }
        return rules.denyAll("no rule allows this").build();
    }

    private void addTypeRules(IAuthRuleBuilder rules, Operation operation, List<String> types) {
        if (types.isEmpty()) {
            return;
        }
        for (String type : types) {
            switch (operation) {
                case READ, SEARCH -> rules.allow().read().resourcesOfType(type).withAnyId();
                // write() for creates too: HAPI's RuleBuilder shares one builder between create()
                // and write(), so mixing them drops rules (hapi-fhir#5715). Create versus update
                // was already decided by FhirAccessInterceptor.
                case CREATE, UPDATE -> rules.allow().write().resourcesOfType(type).withAnyId();
                case DELETE -> rules.allow().delete().resourcesOfType(type).withAnyId();
            }
        }
        if (operation == Operation.UPDATE) {
            // FHIR PATCH: which types may be patched was decided by FhirAccessInterceptor.
            rules.allow().patch().allRequests();
        }
    }

    private static void addInstanceRules(
            IAuthRuleBuilder rules, Operation operation, List<String> types, Set<String> cases) {
        if (types.isEmpty()) {
            return;
        }
        if (operation == Operation.CREATE) {
            // A clinician creates labels and trail entries; what they point at is checked by read
            // rules.
            // create(), not write(): a clinician creates labels but updates only their own.
            types.forEach(type -> rules.allow().create().resourcesOfType(type).withAnyId());
            return;
        }
        List<IIdType> ids =
                cases.stream()
                        .filter(
                                reference ->
                                        types.contains(
                                                reference.substring(0, reference.indexOf('/'))))
                        .<IIdType>map(IdType::new)
                        .toList();
        if (ids.isEmpty()) {
            return;
        }
        for (IIdType id : ids) {
            switch (operation) {
                case READ, SEARCH -> rules.allow().read().instance(id);
                case UPDATE -> rules.allow().write().instance(id);
                case DELETE -> rules.allow().delete().instance(id);
                default -> {}
            }
        }
    }
}
