package org.quorum.security.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.quorum.security.AccessPolicy;
import org.quorum.security.CaseAssignments;
import org.quorum.security.ClinicalRoles;
import org.quorum.security.ClinicalRoles.Stage;
import org.quorum.security.QuorumPrincipal;

/**
 * What a case-bound clinician (annotator, reviewer, adjudicator) may write, checked on every write
 * path (create, update, patch, transactions and batches) inside the write's own transaction, so a
 * refusal stores nothing:
 *
 * <ul>
 *   <li>clinicians create labels (Observation) and Provenance, update their labels and their own
 *       Tasks, and nothing else; they never delete;
 *   <li>every reference a clinician's resource carries (subject, focus, derivedFrom, encounter,
 *       basedOn, partOf, hasMember, specimen, Provenance targets, references in extensions and
 *       contained resources) points at one of their assigned cases, at a resource created in the
 *       same request, or at directory and conformance resources;
 *   <li>a clinician's label names the clinician as its only performer; statuses follow {@link
 *       ClinicalRoles};
 *   <li>on their Tasks, clinicians change status (along the allowed transitions), notes, outputs
 *       and execution period, never owner, focus, for, basedOn, partOf, code, input, requester or
 *       intent.
 * </ul>
 *
 * Before HAPI handles a clinician's request, conditional writes and references, chained and
 * reverse-chained searches and type-level history are refused: each would tell a clinician whether
 * resources outside their cases exist, or what they hold.
 */
@Interceptor
public final class ClinicalWriteInterceptor {

    /** Search parameters that look past the clinician's cases (chains, filters, lists). */
    private static final Set<String> CROSSING_PARAMETERS =
            Set.of(
                    "_has",
                    "_filter",
                    "_query",
                    "_text",
                    "_content",
                    "_list",
                    "_contained",
                    "_containedType");

    private static final List<String> LOCKED_TASK_ELEMENTS =
            List.of(
                    "owner",
                    "focus",
                    "for",
                    "basedOn",
                    "partOf",
                    "code",
                    "input",
                    "requester",
                    "intent",
                    "instantiatesCanonical",
                    "instantiatesUri");

    private final FhirContext fhir;
    private final AccessPolicy policy;
    private final AssignedCases assigned;
    private final DaoRegistry daos;

    public ClinicalWriteInterceptor(
            FhirContext fhir, AccessPolicy policy, CaseAssignments assignments, DaoRegistry daos) {
        this.fhir = fhir;
        this.policy = policy;
        this.assigned = new AssignedCases(assignments);
        this.daos = daos;
    }

    // After FhirAccessInterceptor (-100) decided the interaction is allowed at all.
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -50)
    public void incoming(RequestDetails request, RestOperationTypeEnum operation) {
        Optional<QuorumPrincipal> principal = clinician(request);
        if (principal.isEmpty()) {
            return;
        }
        switch (operation) {
            case HISTORY_TYPE ->
                    throw forbidden(
                            "type-level history is not available to clinician tokens; read the"
                                    + " history of one of your cases instead");
            case SEARCH_TYPE -> checkSearchParameters(request.getParameters().keySet());
            case CREATE, UPDATE, PATCH, DELETE -> {
                if (request.getHeader("If-None-Exist") != null
                        || request.getConditionalUrl(operation) != null) {
                    throw forbidden(
                            "conditional writes are not available to clinician tokens; address"
                                    + " the resource by its id");
                }
                if (request.getResource() != null) {
                    checkNoConditionalReferences(request.getResource());
                }
            }
            case TRANSACTION, BATCH -> {
                if (request.getResource() instanceof Bundle bundle) {
                    checkBundle(bundle);
                }
            }
            default -> {}
        }
    }

    private void checkBundle(Bundle bundle) {
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            Bundle.BundleEntryRequestComponent request = entry.getRequest();
            if (request.hasIfNoneExist()) {
                throw forbidden("conditional creates are not available to clinician tokens");
            }
            String url = request.getUrl() == null ? "" : request.getUrl();
            int query = url.indexOf('?');
            if (query >= 0) {
                if (request.getMethod() != Bundle.HTTPVerb.GET) {
                    throw forbidden(
                            "conditional writes are not available to clinician tokens; address"
                                    + " the resource by its id");
                }
                Set<String> names = new HashSet<>();
                for (String pair : url.substring(query + 1).split("&")) {
                    names.add(
                            java.net.URLDecoder.decode(
                                    pair.split("=", 2)[0],
                                    java.nio.charset.StandardCharsets.UTF_8));
                }
                checkSearchParameters(names);
            } else if (request.getMethod() == Bundle.HTTPVerb.GET && url.endsWith("_history")) {
                throw forbidden("type-level history is not available to clinician tokens");
            }
            if (entry.getResource() != null) {
                checkNoConditionalReferences(entry.getResource());
            }
        }
    }

    private static void checkSearchParameters(Set<String> names) {
        for (String name : names) {
            String base = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
            if (name.contains(".") || CROSSING_PARAMETERS.contains(base)) {
                throw forbidden(
                        "the search parameter '"
                                + name
                                + "' looks beyond your assigned cases (chains, _has, _filter and"
                                + " lists are not available to clinician tokens)");
            }
        }
    }

    private void checkNoConditionalReferences(IBaseResource resource) {
        for (Reference reference : references(resource)) {
            if (reference.hasReference() && reference.getReference().contains("?")) {
                throw forbidden(
                        "conditional references ('"
                                + reference.getReference()
                                + "') are not available to clinician tokens; refer to the"
                                + " resource by its id");
            }
        }
    }

    // Before HAPI resolves and checks the references (referential integrity): a reference outside
    // the clinician's cases is refused the same way whether its target exists or not.
    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void beforeCreate(IBaseResource resource, RequestDetails request) {
        clinician(request).ifPresent(p -> checkLiteralReferences(p, request, resource, null));
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void beforeUpdate(
            IBaseResource previous, IBaseResource resource, RequestDetails request) {
        Optional<QuorumPrincipal> maybe = clinician(request);
        if (maybe.isPresent()) {
            // What the clinician changed is judged first (a moved Task is refused for the move),
            // then where the new version points.
            checkUpdate(maybe.get(), previous, resource);
            checkLiteralReferences(maybe.get(), request, resource, null);
        }
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void created(
            IBaseResource resource, RequestDetails request, TransactionDetails transaction) {
        Optional<QuorumPrincipal> maybe = clinician(request);
        if (maybe.isEmpty()) {
            return;
        }
        QuorumPrincipal principal = maybe.get();
        String type = fhir.getResourceType(resource);
        switch (type) {
            case "Observation" -> {
                Observation label = (Observation) resource;
                ClinicalRoles.refuseLabelCreate(status(label))
                        .ifPresent(
                                reason -> {
                                    throw forbidden(reason);
                                });
                checkPerformer(principal, label);
            }
            case "Provenance" -> {}
            default -> throw forbidden("clinician tokens do not create " + type + " resources");
        }
        checkLiteralReferences(principal, request, resource, transaction);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void updated(
            IBaseResource previous,
            IBaseResource resource,
            RequestDetails request,
            TransactionDetails transaction) {
        Optional<QuorumPrincipal> maybe = clinician(request);
        if (maybe.isEmpty()) {
            return;
        }
        QuorumPrincipal principal = maybe.get();
        checkUpdate(principal, previous, resource);
        checkLiteralReferences(principal, request, resource, transaction);
    }

    private void checkUpdate(
            QuorumPrincipal principal, IBaseResource previous, IBaseResource resource) {
        String type = fhir.getResourceType(resource);
        switch (type) {
            case "Observation" ->
                    checkLabelUpdate(principal, (Observation) previous, (Observation) resource);
            case "Task" -> checkTaskUpdate(principal, (Task) previous, (Task) resource);
            default -> throw forbidden("clinician tokens do not change " + type + " resources");
        }
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
    public void deleted(IBaseResource resource, RequestDetails request) {
        if (clinician(request).isPresent()) {
            throw forbidden("clinician tokens do not delete");
        }
    }

    private void checkLabelUpdate(
            QuorumPrincipal principal, Observation before, Observation after) {
        String me = principal.fhirUser().map(CaseAssignments::relative).orElse("");
        boolean own = performers(before).contains(me);
        Set<Stage> covering = coveringStages(principal, me, before);
        ClinicalRoles.refuseLabelUpdate(
                        principal.roles(), own, covering, status(before), status(after))
                .ifPresent(
                        reason -> {
                            throw forbidden(reason);
                        });
        if (own) {
            checkPerformer(principal, after);
        } else if (!performers(before).equals(performers(after))) {
            throw forbidden("a reviewer or adjudicator does not change who performed a label");
        }
    }

    /** The stages of the clinician's open Tasks whose focus or input is this label. */
    private Set<Stage> coveringStages(QuorumPrincipal principal, String me, Observation label) {
        String reference = "Observation/" + label.getIdElement().getIdPart();
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        for (String source : assigned.sourcesGranting(me, reference)) {
            if (!source.startsWith("Task/")) {
                continue;
            }
            Task task;
            try {
                task =
                        (Task)
                                daos.getResourceDao("Task")
                                        .read(new IdType(source), new SystemRequestDetails());
            } catch (ResourceNotFoundException e) {
                continue;
            }
            if (ClinicalRoles.OPEN_TASK.contains(task.getStatus().toCode())) {
                stageOf(task).ifPresent(stages::add);
            }
        }
        return stages;
    }

    private void checkTaskUpdate(QuorumPrincipal principal, Task before, Task after) {
        for (String element : LOCKED_TASK_ELEMENTS) {
            List<Base> old = before.getNamedProperty(element).getValues();
            List<Base> now = after.getNamedProperty(element).getValues();
            if (!deepEquals(old, now)) {
                throw forbidden(
                        "a clinician does not change Task."
                                + element
                                + " (owner, focus, for, basedOn, partOf, code, input, requester"
                                + " and intent are set by the project)");
            }
        }
        ClinicalRoles.refuseTaskUpdate(
                        principal.roles(),
                        stageOf(before),
                        before.getStatus().toCode(),
                        after.getStatus() == null ? "" : after.getStatus().toCode())
                .ifPresent(
                        reason -> {
                            throw forbidden(reason);
                        });
    }

    private static boolean deepEquals(List<Base> a, List<Base> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equalsDeep(b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static Optional<Stage> stageOf(Task task) {
        return task.getCode().getCoding().stream()
                .filter(c -> ClinicalRoles.TASK_TYPE_SYSTEM.equals(c.getSystem()))
                .map(c -> Stage.of(c.getCode()))
                .flatMap(Optional::stream)
                .findFirst();
    }

    private static void checkPerformer(QuorumPrincipal principal, Observation label) {
        String me = principal.fhirUser().map(CaseAssignments::relative).orElse("");
        Set<String> performers = performers(label);
        if (performers.isEmpty() || !performers.equals(Set.of(me))) {
            throw forbidden(
                    "a clinician's label names the clinician (" + me + ") as its only performer");
        }
    }

    private static Set<String> performers(Observation label) {
        Set<String> performers = new HashSet<>();
        label.getPerformer()
                .forEach(
                        p -> {
                            if (p.hasReference()) {
                                performers.add(CaseAssignments.relative(p.getReference()));
                            }
                        });
        return performers;
    }

    /**
     * Every literal reference must point inside the clinician's cases. Placeholders of a
     * transaction ({@code urn:uuid:}) are checked once resolved (at pre-commit, where {@code
     * transaction} is given): they then name resources created in the same transaction, which pass
     * their own checks.
     */
    private void checkLiteralReferences(
            QuorumPrincipal principal,
            RequestDetails request,
            IBaseResource resource,
            TransactionDetails transaction) {
        Set<String> cases = assigned.of(request, principal);
        String self =
                resource.getIdElement().hasIdPart()
                        ? fhir.getResourceType(resource) + "/" + resource.getIdElement().getIdPart()
                        : "";
        for (Reference reference : references(resource)) {
            if (!reference.hasReference()) {
                continue;
            }
            String value = reference.getReference();
            if (value.startsWith("#") || value.startsWith("urn:")) {
                continue;
            }
            String target = CaseAssignments.relative(value);
            IdType id = new IdType(target);
            if (!id.hasResourceType() || !id.hasIdPart()) {
                throw forbidden(
                        "the reference '"
                                + value
                                + "' is not a reference to a resource"
                                + " of this server");
            }
            AccessPolicy.Category category = AccessPolicy.categoryOf(id.getResourceType());
            boolean readable =
                    category == AccessPolicy.Category.DIRECTORY
                            || category == AccessPolicy.Category.CONFORMANCE;
            if (!(readable
                    || cases.contains(target)
                    || createdBy(transaction, id)
                    || target.equals(self))) {
                throw forbidden(
                        "the reference to "
                                + target
                                + " in this "
                                + fhir.getResourceType(resource)
                                + " is not one of your assigned cases");
            }
        }
    }

    /**
     * Whether {@code id} was created by this very transaction (a label and its Provenance sent
     * together): HAPI gives every resource a transaction writes the transaction's date, and the
     * resource is at its first version. It passes its own checks at its own pre-commit.
     */
    private boolean createdBy(TransactionDetails transaction, IdType id) {
        if (transaction == null || !daos.isResourceTypeSupported(id.getResourceType())) {
            return false;
        }
        try {
            IBaseResource target =
                    daos.getResourceDao(id.getResourceType()).read(id, new SystemRequestDetails());
            return "1".equals(target.getMeta().getVersionId())
                    && target.getMeta().getLastUpdated() != null
                    && target.getMeta().getLastUpdated().equals(transaction.getTransactionDate());
        } catch (ResourceNotFoundException
                | ca.uhn.fhir.rest.server.exceptions.ResourceGoneException e) {
            return false;
        }
    }

    private List<Reference> references(IBaseResource resource) {
        return fhir.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class);
    }

    private static String status(Observation label) {
        return label.getStatus() == null ? "" : label.getStatus().toCode();
    }

    private Optional<QuorumPrincipal> clinician(RequestDetails request) {
        if (request == null || request instanceof SystemRequestDetails) {
            return Optional.empty();
        }
        return Principals.of(request).filter(policy::isCaseBound);
    }

    private static ForbiddenOperationException forbidden(String reason) {
        return new ForbiddenOperationException("Access denied: " + reason);
    }
}
