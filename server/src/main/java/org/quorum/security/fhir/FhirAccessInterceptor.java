package org.quorum.security.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.Optional;
import org.quorum.security.AccessPolicy;
import org.quorum.security.Operation;
import org.quorum.security.QuorumPrincipal;
import org.quorum.security.Role;

/**
 * The first authorisation gate for FHIR requests: may this token (its roles and SMART scopes) do
 * this kind of interaction on this resource type at all? Refusals are 403 with an OperationOutcome
 * saying which role or scope is missing; nothing in the message depends on whether the addressed
 * resource exists. Finer rules (which instances) follow in {@link QuorumAuthorizationInterceptor}
 * and {@link QuorumSearchNarrowingInterceptor}.
 */
@Interceptor(order = -100)
public final class FhirAccessInterceptor {

    private final AccessPolicy policy;

    public FhirAccessInterceptor(AccessPolicy policy) {
        this.policy = policy;
    }

    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -100)
    public void check(RequestDetails request, RestOperationTypeEnum operation) {
        if (operation == RestOperationTypeEnum.METADATA) {
            return;
        }
        QuorumPrincipal principal =
                Principals.of(request)
                        .orElseThrow(
                                () ->
                                        new ForbiddenOperationException(
                                                "Access denied: the request is not authenticated"));
        String type = request.getResourceName();
        switch (operation) {
            case READ, VREAD, HISTORY_INSTANCE -> require(principal, type, Operation.READ);
            case SEARCH_TYPE, HISTORY_TYPE -> require(principal, type, Operation.SEARCH);
            case CREATE -> require(principal, type, Operation.CREATE);
            case UPDATE, PATCH, META_ADD, META_DELETE -> require(principal, type, Operation.UPDATE);
            case DELETE -> require(principal, type, Operation.DELETE);
            case GET_PAGE -> {
                // Paging continues a search that was authorised; its results pass the rules again.
            }
            case TRANSACTION, BATCH -> {
                // Each entry is checked against the rules as if sent alone.
            }
            case EXTENDED_OPERATION_INSTANCE, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_SERVER ->
                    checkOperation(principal, request, type);
            case SEARCH_SYSTEM, HISTORY_SYSTEM, GRAPHQL_REQUEST -> {
                if (!principal.hasRole(Role.PROJECT_ADMIN)) {
                    throw forbidden(
                            "searches across all resource types need the project-admin role");
                }
            }
            default ->
                    throw forbidden(
                            "the interaction "
                                    + operation.getCode()
                                    + " is not available to tokens");
        }
        checkProjectMembership(principal, request);
    }

    private void checkOperation(QuorumPrincipal principal, RequestDetails request, String type) {
        String name = Optional.ofNullable(request.getOperation()).orElse("");
        String instance =
                request.getId() != null && request.getId().hasIdPart()
                        ? request.getId().getIdPart()
                        : null;
        AccessPolicy.Decision decision = policy.decideOperation(principal, name, type, instance);
        if (!decision.allowed()) {
            throw forbidden(decision.reason());
        }
    }

    /** A project-bound token (one listing projects) reaches only those ResearchStudy instances. */
    private void checkProjectMembership(QuorumPrincipal principal, RequestDetails request) {
        if ("ResearchStudy".equals(request.getResourceName())
                && request.getId() != null
                && request.getId().hasIdPart()) {
            AccessPolicy.Decision decision =
                    policy.decideProject(principal, request.getId().getIdPart());
            if (!decision.allowed()) {
                throw forbidden(decision.reason());
            }
        }
    }

    private void require(QuorumPrincipal principal, String type, Operation operation) {
        if (type == null) {
            throw forbidden("the request names no resource type");
        }
        AccessPolicy.Decision decision = policy.decide(principal, type, operation);
        if (!decision.allowed()) {
            throw forbidden(decision.reason());
        }
    }

    private static ForbiddenOperationException forbidden(String reason) {
        return new ForbiddenOperationException("Access denied: " + reason);
    }
}
