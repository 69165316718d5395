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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.quorum.security.AccessPolicy;
import org.quorum.security.CaseAssignments;
import org.quorum.security.Operation;
import org.quorum.security.QuorumPrincipal;
import org.quorum.security.Role;
import org.quorum.security.ScopeSet;

/**
 * HAPI's AuthorizationInterceptor with rules built per request from the {@link AccessPolicy}: it
 * checks every resource a request reads or writes, including those inside transactions and those
 * pulled in by {@code _include}. Case-bound clinicians get instance rules for their assigned cases
 * only, so a request for an unassigned resource is refused before it is read, whether it exists or
 * not.
 *
 * <p>The type rules depend only on the token's roles and scopes (not on who holds it, its projects
 * or the data): the lists of principals that are not case-bound are built once per distinct roles
 * and scopes and reused (HAPI's rules are not changed after they are built). Case-bound lists name
 * the assigned cases, read per request, and are never reused.
 */
public final class QuorumAuthorizationInterceptor extends AuthorizationInterceptor {

    /** Distinct role and scope combinations kept; more clears the cache (it is rebuilt on use). */
    static final int CACHED_RULE_LISTS = 256;

    private record Authority(Set<Role> roles, ScopeSet scopes) {}

    private final AccessPolicy policy;
    private final AssignedCases assigned;
    private final Set<String> resourceTypes;
    private final Map<Authority, List<IAuthRule>> ruleLists = new ConcurrentHashMap<>();

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
        if (policy.isCaseBound(principal)) {
            return buildRuleList(request, principal, rules);
        }
        Authority authority = new Authority(principal.roles(), principal.scopes());
        List<IAuthRule> cached = ruleLists.get(authority);
        if (cached == null) {
            cached = List.copyOf(buildRuleList(request, principal, rules));
            if (ruleLists.size() >= CACHED_RULE_LISTS) {
                ruleLists.clear();
            }
            ruleLists.put(authority, cached);
        }
        return cached;
    }

    private List<IAuthRule> buildRuleList(
            RequestDetails request, QuorumPrincipal principal, IAuthRuleBuilder rules) {
        rules.allow("transactions").transaction().withAnyOperation().andApplyNormalRules();
        // Which operations a token may call was decided by FhirAccessInterceptor.
        rules.allow("operations").operation().withAnyName().atAnyLevel().andAllowAllResponses();
        Set<String> cases =
                policy.isCaseBound(principal) ? assigned.of(request, principal) : Set.of();
        Set<String> assignedRead = new TreeSet<>();
        Set<String> assignedUpdate = new TreeSet<>();
        for (Operation operation : Operation.values()) {
            List<String> everywhere = new ArrayList<>();
            for (String type : resourceTypes) {
                AccessPolicy.Decision decision = policy.decide(principal, type, operation);
                if (!decision.allowed()) {
                    continue;
                }
                if (!decision.assignedOnly()) {
                    everywhere.add(type);
                } else if (operation == Operation.READ || operation == Operation.SEARCH) {
                    assignedRead.add(type);
                } else if (operation == Operation.UPDATE) {
                    assignedUpdate.add(type);
                } else if (operation == Operation.CREATE) {
                    // A clinician creates labels; what they point at is checked on write
                    // (ClinicalWriteInterceptor). create(), not write(): updates are
                    // instance-bound.
                    rules.allow().create().resourcesOfType(type).withAnyId();
                }
            }
            addTypeRules(rules, operation, everywhere);
        }
        List<IAuthRule> list = new ArrayList<>(rules.build());
        if (policy.isCaseBound(principal)) {
            // Also with no case yet: a narrowed search then answers an empty Bundle, not 403.
            list.add(new AssignedInstancesRule(cases, assignedRead, assignedUpdate));
        }
        list.addAll(new RuleBuilder().denyAll("no rule allows this").build());
        return list;
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
}
