package org.quorum.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;

/**
 * Records every FHIR request, successful or failed (including refused ones), as an {@link
 * AuditRecord}. The capability statement ({@code GET /fhir/metadata}) is not audited: it is public
 * and carries no data.
 */
@Interceptor
public final class FhirAuditInterceptor {

    private static final String RECORDED = FhirAuditInterceptor.class.getName() + ".recorded";
    private static final Set<String> PATIENT_PARAMETERS = Set.of("subject", "patient");
    private static final Pattern PATIENT_REFERENCE =
            Pattern.compile("^(Patient/)?[A-Za-z0-9\\-.]{1,64}$");

    private final AuditService audit;
    private final RequestIdentity.Resolver identities;
    private final Clock clock;

    public FhirAuditInterceptor(
            AuditService audit, RequestIdentity.Resolver identities, Clock clock) {
        this.audit = audit;
        this.identities = identities;
        this.clock = clock;
    }

    /**
     * Records the request before its response is written (the AuditEvent is durable when the client
     * reads the answer). Last among the outgoing hooks: the authorization interceptor may still
     * refuse the response, which is then recorded by {@link #failed}.
     */
    @Hook(value = Pointcut.SERVER_OUTGOING_RESPONSE, order = 10_000)
    public boolean outgoing(RequestDetails request, ResponseDetails response) {
        if (!isCapabilities(request) && firstRecord(request)) {
            List<String> resources = new ArrayList<>(instanceReference(request).stream().toList());
            if (request.getRestOperationType() == RestOperationTypeEnum.CREATE) {
                createdReference(request, response.getResponseResource()).ifPresent(resources::add);
            }
            audit.record(record(request, response.getResponseCode(), "", resources));
        }
        return true;
    }

    /** For responses that had no outgoing-response hook (no body). */
    @Hook(Pointcut.SERVER_PROCESSING_COMPLETED_NORMALLY)
    public void completed(ServletRequestDetails request) {
        if (isCapabilities(request) || !firstRecord(request)) {
            return;
        }
        int status =
                request.getServletResponse() == null
                        ? 200
                        : request.getServletResponse().getStatus();
        List<String> resources = new ArrayList<>(instanceReference(request).stream().toList());
        if (request.getRestOperationType() == RestOperationTypeEnum.CREATE) {
            createdReference(request, null).ifPresent(resources::add);
        }
        audit.record(record(request, status, "", resources));
    }

    @Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
    public boolean failed(RequestDetails request, BaseServerResponseException exception) {
        if (!isCapabilities(request)) {
            // A response refused after the outgoing hook ran is recorded again with its refusal.
            request.getUserData().put(RECORDED, Boolean.TRUE);
            audit.record(
                    record(
                            request,
                            exception.getStatusCode(),
                            reason(exception.getStatusCode()),
                            instanceReference(request).stream().toList()));
        }
        return true;
    }

    private static boolean firstRecord(RequestDetails request) {
        return request.getUserData().putIfAbsent(RECORDED, Boolean.TRUE) == null;
    }

    private static Optional<String> createdReference(
            RequestDetails request, IBaseResource responseResource) {
        if (responseResource != null
                && request.getResourceName() != null
                && request.getResourceName().equals(responseResource.fhirType())
                && responseResource.getIdElement().hasIdPart()) {
            return Optional.of(
                    request.getResourceName() + "/" + responseResource.getIdElement().getIdPart());
        }
        if (request instanceof ServletRequestDetails servlet
                && servlet.getServletResponse() != null) {
            return Optional.ofNullable(servlet.getServletResponse().getHeader("Location"))
                    .map(FhirAuditInterceptor::referenceFromLocation);
        }
        return Optional.empty();
    }

    private AuditRecord record(
            RequestDetails request, int status, String reason, List<String> resources) {
        RequestIdentity identity = identities.identityOf(request);
        RestOperationTypeEnum operation = request.getRestOperationType();
        String interaction = interaction(operation);
        boolean search = interaction.startsWith("search");
        return new AuditRecord(
                clock.instant(),
                interaction,
                action(operation),
                status,
                reason,
                identity.user(),
                identity.client(),
                identity.roles(),
                Optional.ofNullable(
                        request instanceof ServletRequestDetails servlet
                                        && servlet.getServletRequest() != null
                                ? servlet.getServletRequest().getRemoteAddr()
                                : null),
                "/fhir/" + Optional.ofNullable(request.getRequestPath()).orElse(""),
                resources,
                patients(request, resources),
                search ? Optional.ofNullable(query(request.getParameters())) : Optional.empty());
    }

    private static boolean isCapabilities(RequestDetails request) {
        return request.getRestOperationType() == RestOperationTypeEnum.METADATA;
    }

    private static Optional<String> instanceReference(RequestDetails request) {
        IIdType id = request.getId();
        if (id == null || !id.hasIdPart() || request.getResourceName() == null) {
            return Optional.empty();
        }
        return Optional.of(request.getResourceName() + "/" + id.getIdPart());
    }

    private static String referenceFromLocation(String location) {
        // .../fhir/Observation/123/_history/1 -> Observation/123
        String path = location.replaceAll("/_history/.*$", "");
        String[] parts = path.split("/");
        return parts.length >= 2 ? parts[parts.length - 2] + "/" + parts[parts.length - 1] : path;
    }

    private static List<String> patients(RequestDetails request, List<String> resources) {
        List<String> patients = new ArrayList<>();
        resources.stream().filter(r -> r.startsWith("Patient/")).forEach(patients::add);
        Map<String, String[]> parameters = request.getParameters();
        if (parameters != null) {
            for (String name : PATIENT_PARAMETERS) {
                for (String value : parameters.getOrDefault(name, new String[0])) {
                    if (PATIENT_REFERENCE.matcher(value).matches()) {
                        patients.add(value.startsWith("Patient/") ? value : "Patient/" + value);
                    }
                }
            }
        }
        return patients.stream().distinct().toList();
    }

    private static String query(Map<String, String[]> parameters) {
        if (parameters == null || parameters.isEmpty()) {
            return null;
        }
        StringBuilder query = new StringBuilder();
        parameters.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(
                        e -> {
                            for (String value : e.getValue()) {
                                if (!query.isEmpty()) {
                                    query.append('&');
                                }
                                query.append(e.getKey()).append('=').append(value);
                            }
                        });
        return query.toString();
    }

    static String interaction(RestOperationTypeEnum operation) {
        if (operation == null) {
            return "unknown";
        }
        return switch (operation) {
            case EXTENDED_OPERATION_INSTANCE, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_SERVER ->
                    "operation";
            case GET_PAGE -> "search-type";
            default -> operation.getCode();
        };
    }

    static AuditRecord.Action action(RestOperationTypeEnum operation) {
        if (operation == null) {
            return AuditRecord.Action.EXECUTE;
        }
        return switch (operation) {
            case CREATE -> AuditRecord.Action.CREATE;
            case READ,
                    VREAD,
                    SEARCH_TYPE,
                    SEARCH_SYSTEM,
                    GET_PAGE,
                    HISTORY_INSTANCE,
                    HISTORY_TYPE,
                    HISTORY_SYSTEM ->
                    AuditRecord.Action.READ;
            case UPDATE, PATCH, META_ADD, META_DELETE -> AuditRecord.Action.UPDATE;
            case DELETE -> AuditRecord.Action.DELETE;
            default -> AuditRecord.Action.EXECUTE;
        };
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "invalid request";
            case 401 -> "authentication failed";
            case 403 -> "access denied";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 409, 412 -> "conflict";
            case 410 -> "gone";
            case 422 -> "failed validation";
            default -> status >= 500 ? "server error" : "refused";
        };
    }
}
