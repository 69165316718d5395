package org.quorum.security.fhir;

import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.QualifiedParamList;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationFlagsEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor.Verdict;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IRuleApplier;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.IdType;

/**
 * One rule for all of a clinician's assigned instances: allows reading (and, for the types the
 * policy lets clinicians update, updating) a resource exactly when it is one of the clinician's
 * cases. A set lookup per resource, however many cases the clinician has, where one HAPI instance
 * rule per case would be walked in a list for every resource checked.
 */
final class AssignedInstancesRule implements IAuthRule {

    private final Set<String> cases;
    private final Set<String> readTypes;
    private final Set<String> updateTypes;

    /**
     * @param cases the clinician's cases, {@code Type/id}
     * @param readTypes the types the clinician reads only where assigned
     * @param updateTypes the types the clinician updates only where assigned
     */
    AssignedInstancesRule(Set<String> cases, Set<String> readTypes, Set<String> updateTypes) {
        this.cases = cases;
        this.readTypes = readTypes;
        this.updateTypes = updateTypes;
    }

    @Override
    public Verdict applyRule(
            RestOperationTypeEnum operation,
            RequestDetails request,
            IBaseResource inputResource,
            IIdType inputResourceId,
            IBaseResource outputResource,
            IRuleApplier applier,
            Set<AuthorizationFlagsEnum> flags,
            Pointcut pointcut) {
        if (outputResource != null) {
            // A resource on its way out (read, search result, _include): only assigned ones.
            return assigned(readTypes, outputResource.getIdElement(), outputResource.fhirType());
        }
        return switch (operation) {
            case READ, VREAD, HISTORY_INSTANCE ->
                    inputResourceId == null
                            ? null
                            : assigned(
                                    readTypes, inputResourceId, inputResourceId.getResourceType());
            case SEARCH_TYPE -> searchWithinCases(request);
            // Pages continue an allowed search; their resources are checked on the way out.
            case GET_PAGE -> allow();
            case UPDATE, PATCH -> {
                IIdType id =
                        inputResourceId != null
                                ? inputResourceId
                                : inputResource == null ? null : inputResource.getIdElement();
                yield id == null
                        ? null
                        : assigned(
                                updateTypes,
                                id,
                                id.hasResourceType()
                                        ? id.getResourceType()
                                        : request.getResourceName());
            }
            default -> null;
        };
    }

    /**
     * A search the narrowing interceptor restricted to the clinician's cases ({@code _id} of
     * assigned resources only, or the id that cannot exist); its results are checked again.
     */
    private Verdict searchWithinCases(RequestDetails request) {
        String type = request.getResourceName();
        String[] ids = request.getParameters().get("_id");
        if (type == null || !readTypes.contains(type) || ids == null || ids.length == 0) {
            return null;
        }
        for (String value : ids) {
            for (String id : QualifiedParamList.splitQueryStringByCommasIgnoreEscape(null, value)) {
                String idPart = new IdType(id).getIdPart();
                if (!idPart.equals(QuorumSearchNarrowingInterceptor.NOTHING)
                        && !cases.contains(type + "/" + idPart)) {
                    return null;
                }
            }
        }
        return allow();
    }

    private Verdict assigned(Set<String> types, IIdType id, String type) {
        if (type == null || !types.contains(type) || id == null || !id.hasIdPart()) {
            return null;
        }
        return cases.contains(type + "/" + id.getIdPart()) ? allow() : null;
    }

    private Verdict allow() {
        return new Verdict(PolicyEnum.ALLOW, this);
    }

    @Override
    public String getName() {
        return "assigned cases";
    }
}
