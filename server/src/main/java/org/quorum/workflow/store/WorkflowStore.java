package org.quorum.workflow.store;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.SummaryEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.ListResource;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Task;
import org.quorum.fhir.profiles.ProfileValidationInterceptor;
import org.quorum.labels.LabelReadModel;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.workflow.Stage;
import org.quorum.workflow.WorkflowException;
import org.quorum.workflow.WorkflowException.Problem;
import org.quorum.workflow.policy.ReviewPolicyReader;
import org.quorum.workflow.skills.Member;
import org.quorum.workflow.skills.Qualification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The workflow's access to the FHIR store: HAPI's DAOs as the system (the workflow decides who may
 * do what before it writes), searches of review Tasks, the project roster, and units of work in one
 * database transaction. Nothing here decides anything.
 *
 * <p><b>Concurrency.</b> Every change to a case updates its case Task, whose row carries HAPI's
 * optimistic version ({@code RES_VER}); two units of work that change the same case therefore
 * conflict in the database, one of them rolls back whole, and {@link #retrying} runs it again on
 * the new state. This holds across several server nodes on one database: no JVM lock is involved.
 */
public final class WorkflowStore {

    private static final Logger LOG = LoggerFactory.getLogger(WorkflowStore.class);
    private static final int PAGE = 500;
    private static final ca.uhn.fhir.context.FhirContext FHIR =
            ca.uhn.fhir.context.FhirContext.forR4Cached();

    private final DaoRegistry daos;
    private final IHapiTransactionService transactions;
    private final LabelReadModel labels;

    public WorkflowStore(
            DaoRegistry daos, IHapiTransactionService transactions, LabelReadModel labels) {
        this.daos = daos;
        this.transactions = transactions;
        this.labels = labels;
    }

    public LabelReadModel labels() {
        return labels;
    }

    /** Thrown inside a unit of work to make {@link #retrying} run it again. */
    public static final class Contended extends RuntimeException {
        public Contended(String message) {
            super(message, null, false, false);
        }
    }

    /** Runs {@code work} in one database transaction: all of it commits or none. */
    public <T> T inTransaction(Supplier<T> work) {
        try {
            return transactions.withSystemRequest().execute(work::get);
        } catch (InternalErrorException e) {
            // HAPI's transaction service wraps every exception that is not a FHIR error
            // (HAPI-2223);
            // the workflow's own refusals and conflicts must reach the caller as they are.
            if (e.getCause() instanceof WorkflowException
                    || e.getCause() instanceof Contended
                    || e.getCause() instanceof ConcurrencyFailureException
                    || e.getCause() instanceof DataIntegrityViolationException) {
                throw (RuntimeException) e.getCause();
            }
            throw e;
        }
    }

    /**
     * Runs {@code work} in a transaction, again (up to {@code attempts} times) when it conflicts
     * with a concurrent change of the same resources.
     *
     * @throws WorkflowException ({@link Problem#BUSY}) when it never got through
     */
    public <T> T retrying(int attempts, Supplier<T> work) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return inTransaction(work);
            } catch (ResourceVersionConflictException
                    | ConcurrencyFailureException
                    | DataIntegrityViolationException
                    | Contended e) {
                LOG.debug("Workflow change conflicted (attempt {}): {}", attempt, e.getMessage());
                last = e;
            }
        }
        throw new WorkflowException(
                Problem.BUSY,
                "the case was changed by others at the same moment "
                        + attempts
                        + " times in a row; repeat the request",
                last);
    }

    /**
     * Runs {@code work} once in a transaction; when it conflicts with a concurrent change of the
     * same resources it is rolled back and the answer is empty (someone else got there first).
     */
    public <T> Optional<T> attempt(Supplier<Optional<T>> work) {
        try {
            return inTransaction(work);
        } catch (ResourceVersionConflictException
                | ConcurrencyFailureException
                | DataIntegrityViolationException
                | Contended e) {
            LOG.debug("Lost a race for a workflow change: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Writes as the system, of resources the workflow built (labels are validated regardless). */
    private static SystemRequestDetails written() {
        return ProfileValidationInterceptor.serverBuilt();
    }

    private static SystemRequestDetails system() {
        return new SystemRequestDetails();
    }

    private <T extends IBaseResource> IFhirResourceDao<T> dao(Class<T> type) {
        return daos.getResourceDao(type);
    }

    /** The project's ResearchStudy. */
    public ResearchStudy study(String id) {
        return read(ResearchStudy.class, "ResearchStudy/" + id)
                .orElseThrow(
                        () ->
                                new WorkflowException(
                                        Problem.UNKNOWN_PROJECT,
                                        "there is no ResearchStudy/"
                                                + id
                                                + "; give the id of an annotation project"));
    }

    /** A review Task by id. */
    public Task task(String id) {
        return read(Task.class, "Task/" + id)
                .orElseThrow(
                        () ->
                                new WorkflowException(
                                        Problem.UNKNOWN_TASK, "there is no Task/" + id));
    }

    /** A resource by relative reference, if it exists and is not deleted. */
    public <T extends IBaseResource> Optional<T> read(Class<T> type, String reference) {
        IdType id = new IdType(reference).toUnqualifiedVersionless();
        IFhirResourceDao<T> dao = dao(type);
        if (!FHIR.getResourceType(type).equals(id.getResourceType()) || !id.hasIdPart()) {
            return Optional.empty();
        }
        try {
            return Optional.of(dao.read(id, system()));
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            return Optional.empty();
        }
    }

    /** Any resource by relative reference. */
    public Optional<IBaseResource> read(String reference) {
        IdType id = new IdType(reference).toUnqualifiedVersionless();
        if (!id.hasResourceType()
                || !id.hasIdPart()
                || !daos.isResourceTypeSupported(id.getResourceType())) {
            return Optional.empty();
        }
        try {
            return Optional.of(daos.getResourceDao(id.getResourceType()).read(id, system()));
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            return Optional.empty();
        }
    }

    /** Creates a resource; returns its versioned id. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public IIdType create(Resource resource) {
        IFhirResourceDao dao = daos.getResourceDao(resource.fhirType());
        IIdType id = dao.create(resource, written()).getId();
        resource.setId(id);
        return id;
    }

    /**
     * Updates a resource. When its id carries a version, the update succeeds only if that is still
     * the current version (HTTP If-Match), else {@link ResourceVersionConflictException}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public IIdType update(Resource resource) {
        IFhirResourceDao dao = daos.getResourceDao(resource.fhirType());
        IIdType id = resource.getIdElement();
        if (id.hasVersionIdPart()) {
            IBaseResource current = dao.read(id.toUnqualifiedVersionless(), system());
            if (!id.getVersionIdPart().equals(current.getIdElement().getVersionIdPart())) {
                throw new ResourceVersionConflictException(
                        id.toUnqualifiedVersionless().getValue()
                                + " changed since it was read (version "
                                + id.getVersionIdPart()
                                + ", now "
                                + current.getIdElement().getVersionIdPart()
                                + ")");
            }
        }
        IIdType updated = dao.update(resource, written()).getId();
        resource.setId(updated);
        return updated;
    }

    /** Every resource of {@code type} a search finds, page by page. */
    public <T extends IBaseResource> List<T> search(Class<T> type, SearchParameterMap query) {
        List<T> found = new ArrayList<>();
        IBundleProvider results = dao(type).search(query, system());
        int from = 0;
        while (true) {
            List<IBaseResource> page = results.getResources(from, from + PAGE);
            if (page.isEmpty()) {
                return found;
            }
            for (IBaseResource resource : page) {
                if (type.isInstance(resource)) {
                    found.add(type.cast(resource));
                }
            }
            from += page.size();
        }
    }

    /** The first {@code limit} resources a search finds. */
    public <T extends IBaseResource> List<T> first(
            Class<T> type, SearchParameterMap query, int limit) {
        query.setLoadSynchronousUpTo(limit);
        query.setCount(limit);
        IBundleProvider results = dao(type).search(query, system());
        return results.getResources(0, limit).stream()
                .filter(type::isInstance)
                .map(type::cast)
                .toList();
    }

    /** How many resources a search finds. */
    public int count(Class<? extends IBaseResource> type, SearchParameterMap query) {
        query.setLoadSynchronous(true);
        query.setSummaryMode(SummaryEnum.COUNT);
        Integer size = dao(type).search(query, system()).size();
        return size == null ? 0 : size;
    }

    /** A search of the project's review Tasks of one stage. */
    public static SearchParameterMap tasksOf(String project, Stage stage) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(QuorumProfiles.SP_PROJECT_CODE, new ReferenceParam(project));
        query.add(Task.SP_CODE, new TokenParam(QuorumProfiles.CS_REVIEW_TASK_TYPE, stage.code()));
        return query;
    }

    /** Adds "status is one of" to a Task search. */
    public static SearchParameterMap withStatus(
            SearchParameterMap query, Task.TaskStatus... statuses) {
        TokenOrListParam any = new TokenOrListParam();
        for (Task.TaskStatus status : statuses) {
            any.addOr(new TokenParam(status.toCode()));
        }
        query.add(Task.SP_STATUS, any);
        return query;
    }

    /** Adds "owner is" to a Task search. */
    public static SearchParameterMap withOwner(SearchParameterMap query, String owner) {
        query.add(Task.SP_OWNER, new ReferenceParam(owner));
        return query;
    }

    /** Adds "part of one of these case tasks" to a Task search. */
    public static SearchParameterMap partOf(SearchParameterMap query, Collection<String> cases) {
        ReferenceOrListParam any = new ReferenceOrListParam();
        cases.forEach(c -> any.addOr(new ReferenceParam(c)));
        query.add(Task.SP_PART_OF, any);
        return query;
    }

    /** Adds "focus is one of" to a Task search. */
    public static SearchParameterMap withFocus(SearchParameterMap query, Collection<String> focus) {
        ReferenceOrListParam any = new ReferenceOrListParam();
        focus.forEach(f -> any.addOr(new ReferenceParam(f)));
        query.add("focus", any);
        return query;
    }

    /** Adds "business status is" to a Task search. */
    public static SearchParameterMap withBusinessStatus(SearchParameterMap query, String code) {
        query.add(Task.SP_BUSINESS_STATUS, new TokenParam(QuorumProfiles.CS_CASE_STATUS, code));
        return query;
    }

    /**
     * The sources a List holds (its entry items, deleted entries left out), in order; a List inside
     * is expanded once. R4 Group cannot hold DocumentReference or ImagingStudy
     * (Group.member.entity), so sets of sources are Lists.
     */
    public List<String> listMembers(String listReference) {
        ListResource list =
                read(ListResource.class, listReference)
                        .orElseThrow(
                                () ->
                                        new WorkflowException(
                                                Problem.BAD_POLICY,
                                                listReference
                                                        + " named by the review policy does not"
                                                        + " exist"));
        Set<String> members = new LinkedHashSet<>();
        for (ListResource.ListEntryComponent entry : list.getEntry()) {
            String reference = LabelReadModel.relative(entry.getItem());
            if (reference == null || entry.getDeleted()) {
                continue;
            }
            if (reference.startsWith("List/")) {
                read(ListResource.class, reference)
                        .ifPresent(
                                inner ->
                                        inner.getEntry().stream()
                                                .filter(e -> !e.getDeleted())
                                                .map(e -> LabelReadModel.relative(e.getItem()))
                                                .filter(r -> r != null && !r.startsWith("List/"))
                                                .forEach(members::add));
            } else {
                members.add(reference);
            }
        }
        return List.copyOf(members);
    }

    /** The project's roster: every PractitionerRole with its project extension. */
    public List<Member> members(String project) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(QuorumProfiles.SP_PROJECT_CODE, new ReferenceParam(project));
        return search(PractitionerRole.class, query).stream().map(this::member).toList();
    }

    /** The roster member with this PractitionerRole, if it belongs to the project. */
    public Optional<Member> member(String project, String role) {
        return read(PractitionerRole.class, role)
                .filter(
                        r -> {
                            var extension = r.getExtensionByUrl(QuorumProfiles.EXT_PROJECT);
                            return extension != null
                                    && extension.getValue()
                                            instanceof org.hl7.fhir.r4.model.Reference ref
                                    && project.equals(LabelReadModel.relative(ref));
                        })
                .map(this::member);
    }

    private Member member(PractitionerRole role) {
        Optional<String> practitionerRef =
                Optional.ofNullable(LabelReadModel.relative(role.getPractitioner()));
        List<Qualification> qualifications = new ArrayList<>();
        practitionerRef
                .flatMap(ref -> read(Practitioner.class, ref))
                .ifPresent(
                        practitioner ->
                                practitioner
                                        .getQualification()
                                        .forEach(q -> qualifications.addAll(qualifications(q))));
        Set<String> projectRoles = new LinkedHashSet<>();
        role.getCode().stream()
                .flatMap(c -> c.getCoding().stream())
                .filter(c -> QuorumProfiles.CS_PROJECT_ROLE.equals(c.getSystem()) && c.hasCode())
                .forEach(c -> projectRoles.add(c.getCode()));
        Set<String> specialties = new LinkedHashSet<>();
        role.getSpecialty().stream()
                .flatMap(c -> c.getCoding().stream())
                .filter(c -> c.hasSystem() && c.hasCode())
                .forEach(c -> specialties.add(ReviewPolicyReader.key(c)));
        Period period = role.getPeriod();
        return new Member(
                "PractitionerRole/" + role.getIdElement().getIdPart(),
                practitionerRef,
                projectRoles,
                !role.hasActive() || role.getActive(),
                day(period.getStart()),
                day(period.getEnd()),
                qualifications,
                specialties);
    }

    private static List<Qualification> qualifications(
            Practitioner.PractitionerQualificationComponent component) {
        CodeableConcept code = component.getCode();
        Optional<LocalDate> start = day(component.getPeriod().getStart());
        if (start.isEmpty()) {
            // The QuorumAnnotator profile requires a start; without one the qualification is
            // not verifiable and counts as not held.
            return List.of();
        }
        List<Qualification> qualifications = new ArrayList<>();
        for (Coding coding : code.getCoding()) {
            if (coding.hasSystem() && coding.hasCode()) {
                qualifications.add(
                        new Qualification(
                                ReviewPolicyReader.key(coding),
                                coding.hasDisplay() ? coding.getDisplay() : null,
                                Optional.ofNullable(LabelReadModel.relative(component.getIssuer())),
                                start.get(),
                                day(component.getPeriod().getEnd())));
            }
        }
        return qualifications;
    }

    private static Optional<LocalDate> day(Date date) {
        return Optional.ofNullable(date)
                .map(d -> d.toInstant().atZone(ZoneOffset.UTC).toLocalDate());
    }

    /** DetectedIssues of a project with this type code. */
    public List<DetectedIssue> issues(String project, String code) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(QuorumProfiles.SP_PROJECT_CODE, new ReferenceParam(project));
        query.add(
                DetectedIssue.SP_CODE, new TokenParam(QuorumProfiles.CS_DETECTED_ISSUE_TYPE, code));
        return search(DetectedIssue.class, query);
    }
}
