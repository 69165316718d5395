package org.quorum.security;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What each role may do, by resource category and interaction; a request is allowed when one of the
 * token's roles allows it AND the token's SMART scopes allow it (scopes limit what a token may do
 * at all, roles what its holder may do). Every transport asks this one policy: the FHIR
 * interceptors, and the DICOMweb and report endpoints.
 *
 * <p>Case-bound roles (annotator, reviewer, adjudicator) see clinical data only of the cases
 * assigned to them: {@link Decision#assignedOnly()} tells the transport to narrow to those.
 */
public final class AccessPolicy {

    /** Resource categories, each with one access rule per role. */
    public enum Category {
        CLINICAL,
        LABEL,
        WORKFLOW,
        PROVENANCE,
        DIRECTORY,
        CONFORMANCE,
        AUDIT
    }

    /** How much of a category an allowed role reaches. */
    public enum Reach {
        ALL,
        ASSIGNED
    }

    /** The answer for one request. */
    public record Decision(boolean allowed, boolean assignedOnly, String reason) {
        static Decision deny(String reason) {
            return new Decision(false, false, reason);
        }
    }

    private static final Set<String> LABEL_TYPES = Set.of("Observation");
    private static final Set<String> WORKFLOW_TYPES =
            Set.of(
                    "Task",
                    "ResearchStudy",
                    "ResearchSubject",
                    "Group",
                    "List",
                    "MeasureReport",
                    "DetectedIssue",
                    "Bundle",
                    "Questionnaire",
                    "QuestionnaireResponse");
    private static final Set<String> PROVENANCE_TYPES = Set.of("Provenance");
    private static final Set<String> DIRECTORY_TYPES =
            Set.of(
                    "Practitioner",
                    "PractitionerRole",
                    "Organization",
                    "Location",
                    "Device",
                    "DeviceDefinition",
                    "CareTeam",
                    "HealthcareService",
                    "Endpoint");
    private static final Set<String> CONFORMANCE_TYPES =
            Set.of(
                    "StructureDefinition",
                    "CodeSystem",
                    "ValueSet",
                    "ConceptMap",
                    "SearchParameter",
                    "ImplementationGuide",
                    "NamingSystem",
                    "OperationDefinition",
                    "CapabilityStatement",
                    "CompartmentDefinition",
                    "StructureMap",
                    "Measure",
                    "Library");
    private static final Set<String> AUDIT_TYPES = Set.of("AuditEvent");

    private static final Set<Operation> READS = EnumSet.of(Operation.READ, Operation.SEARCH);
    private static final Set<Operation> ALL = EnumSet.allOf(Operation.class);
    private static final Set<Operation> NO_DELETE =
            EnumSet.of(Operation.CREATE, Operation.READ, Operation.UPDATE, Operation.SEARCH);

    private record Grant(Set<Operation> operations, Reach reach) {}

    private static final Map<Role, Map<Category, Grant>> TABLE = new EnumMap<>(Role.class);

    static {
        Grant readAll = new Grant(READS, Reach.ALL);
        Map<Category, Grant> admin = new EnumMap<>(Category.class);
        for (Category c :
                new Category[] {
                    Category.CLINICAL,
                    Category.LABEL,
                    Category.WORKFLOW,
                    Category.DIRECTORY,
                    Category.CONFORMANCE
                }) {
            admin.put(c, new Grant(ALL, Reach.ALL));
        }
        admin.put(Category.PROVENANCE, new Grant(NO_DELETE, Reach.ALL));
        TABLE.put(Role.PROJECT_ADMIN, admin);

        Map<Category, Grant> integration = new EnumMap<>(Category.class);
        for (Category c :
                new Category[] {
                    Category.CLINICAL, Category.LABEL, Category.DIRECTORY, Category.PROVENANCE
                }) {
            integration.put(c, new Grant(NO_DELETE, Reach.ALL));
        }
        integration.put(Category.WORKFLOW, readAll);
        integration.put(Category.CONFORMANCE, readAll);
        TABLE.put(Role.INTEGRATION, integration);

        for (Role caseRole : new Role[] {Role.ANNOTATOR, Role.REVIEWER, Role.ADJUDICATOR}) {
            Map<Category, Grant> clinician = new EnumMap<>(Category.class);
            clinician.put(Category.CLINICAL, new Grant(READS, Reach.ASSIGNED));
            clinician.put(Category.LABEL, new Grant(NO_DELETE, Reach.ASSIGNED));
            clinician.put(
                    Category.WORKFLOW,
                    new Grant(
                            EnumSet.of(Operation.READ, Operation.SEARCH, Operation.UPDATE),
                            Reach.ASSIGNED));
            clinician.put(Category.PROVENANCE, new Grant(EnumSet.of(Operation.CREATE), Reach.ALL));
            clinician.put(Category.DIRECTORY, readAll);
            clinician.put(Category.CONFORMANCE, readAll);
            TABLE.put(caseRole, clinician);
        }

        Map<Category, Grant> auditor = new EnumMap<>(Category.class);
        auditor.put(Category.AUDIT, readAll);
        auditor.put(Category.PROVENANCE, readAll);
        auditor.put(Category.CONFORMANCE, readAll);
        TABLE.put(Role.AUDITOR, auditor);

        Map<Category, Grant> deid = new EnumMap<>(Category.class);
        deid.put(Category.CONFORMANCE, readAll);
        TABLE.put(Role.DEID_ADMIN, deid);
    }

    /** The category of a FHIR resource type; unknown types count as clinical (the strictest). */
    public static Category categoryOf(String resourceType) {
        if (LABEL_TYPES.contains(resourceType)) {
            return Category.LABEL;
        }
        if (WORKFLOW_TYPES.contains(resourceType)) {
            return Category.WORKFLOW;
        }
        if (PROVENANCE_TYPES.contains(resourceType)) {
            return Category.PROVENANCE;
        }
        if (DIRECTORY_TYPES.contains(resourceType)) {
            return Category.DIRECTORY;
        }
        if (CONFORMANCE_TYPES.contains(resourceType)) {
            return Category.CONFORMANCE;
        }
        if (AUDIT_TYPES.contains(resourceType)) {
            return Category.AUDIT;
        }
        return Category.CLINICAL;
    }

    /**
     * Decides whether {@code principal} may do {@code operation} on resources of {@code
     * resourceType}.
     */
    public Decision decide(QuorumPrincipal principal, String resourceType, Operation operation) {
        Category category = categoryOf(resourceType);
        Optional<Reach> reach =
                principal.roles().stream()
                        .map(role -> TABLE.getOrDefault(role, Map.of()).get(category))
                        .filter(grant -> grant != null && grant.operations().contains(operation))
                        .map(Grant::reach)
                        .reduce(
                                (a, b) ->
                                        a == Reach.ALL || b == Reach.ALL
                                                ? Reach.ALL
                                                : Reach.ASSIGNED);
        if (reach.isEmpty()) {
            return Decision.deny(
                    "the roles "
                            + wireNames(principal.roles())
                            + " do not allow "
                            + name(operation)
                            + " on "
                            + resourceType);
        }
        if (!principal.allows(resourceType, operation)) {
            return Decision.deny(
                    "the token's scopes do not allow "
                            + name(operation)
                            + " on "
                            + resourceType
                            + " (needs a scope such as user/"
                            + resourceType
                            + "."
                            + operation.letter()
                            + " or system/"
                            + resourceType
                            + "."
                            + operation.letter()
                            + ")");
        }
        return new Decision(true, reach.get() == Reach.ASSIGNED, "");
    }

    /** Operations on conformance resources anyone who may read the type may call. */
    private static final Set<String> TERMINOLOGY_OPERATIONS =
            Set.of("$expand", "$validate-code", "$lookup", "$subsumes");

    /** Project-level quality operations (and the report page): {@link #decideProjectQuality}. */
    private static final Set<String> PROJECT_QUALITY_OPERATIONS =
            Set.of("$agreement", "$bias-report", "$class-balance", "$consistency");

    private static final Set<Role> PROJECT_QUALITY_ROLES =
            EnumSet.of(Role.PROJECT_ADMIN, Role.AUDITOR);

    /**
     * Which roles may call an operation, by name, beyond the default (project-admin). The
     * server-level {@code $deidentify} reads and stores nothing, but it is a keyed pseudonym oracle
     * (an MRN in, its pseudonym out), which would let anyone who reads stored de-identified data
     * link it back to a known patient: so the roles whose job it is (deid-admin; integration, the
     * ingest clients), not the readers of stored data.
     */
    private static final Map<String, Set<Role>> OPERATION_ROLES =
            Map.ofEntries(
                    Map.entry("$deidentify", EnumSet.of(Role.DEID_ADMIN, Role.INTEGRATION)),
                    // The review workflow (docs/workflow.md). The workflow service then checks the
                    // task (the caller's own), the roster, qualifications and calibration itself.
                    Map.entry(
                            "$next-case",
                            EnumSet.of(Role.ANNOTATOR, Role.REVIEWER, Role.ADJUDICATOR)),
                    // On a Task: its owner (clinicians); on a project: AI labels (integration,
                    // project-admin, checked by the operation).
                    Map.entry(
                            "$submit",
                            EnumSet.of(
                                    Role.ANNOTATOR,
                                    Role.REVIEWER,
                                    Role.ADJUDICATOR,
                                    Role.INTEGRATION,
                                    Role.PROJECT_ADMIN)),
                    Map.entry("$review", EnumSet.of(Role.REVIEWER)),
                    Map.entry("$adjudicate", EnumSet.of(Role.ADJUDICATOR)),
                    Map.entry("$skills-matrix", EnumSet.of(Role.PROJECT_ADMIN, Role.AUDITOR)),
                    Map.entry("$automation-bias", EnumSet.of(Role.PROJECT_ADMIN, Role.AUDITOR)),
                    Map.entry("$work-report", EnumSet.of(Role.PROJECT_ADMIN, Role.AUDITOR)));

    /**
     * Server-level maintenance over every project's data (project-admin, by the default rule): not
     * for a token limited to some projects.
     */
    private static final Set<String> STORE_WIDE_OPERATIONS = Set.of("$rebuild-label-index");

    /**
     * Decides whether {@code principal} may call the operation {@code name} ({@code $agreement}) on
     * {@code resourceType} (null at server level) and, for instance operations on a project, the
     * project {@code instanceId} (else null).
     */
    public Decision decideOperation(
            QuorumPrincipal principal, String name, String resourceType, String instanceId) {
        if (resourceType != null
                && categoryOf(resourceType) == Category.CONFORMANCE
                && TERMINOLOGY_OPERATIONS.contains(name)) {
            return decide(principal, resourceType, Operation.READ);
        }
        if (resourceType != null && name.equals("$validate")) {
            return decide(principal, resourceType, Operation.READ);
        }
        if ("ResearchStudy".equals(resourceType) && PROJECT_QUALITY_OPERATIONS.contains(name)) {
            return decideProjectQuality(principal, instanceId);
        }
        Set<Role> roles = OPERATION_ROLES.getOrDefault(name, EnumSet.of(Role.PROJECT_ADMIN));
        if (principal.roles().stream().noneMatch(roles::contains)) {
            return Decision.deny(
                    "the operation "
                            + name
                            + " needs the role "
                            + wireNames(roles)
                                    .replace("[", "")
                                    .replace("]", "")
                                    .replace(", ", " or "));
        }
        if (STORE_WIDE_OPERATIONS.contains(name) && !principal.projectIds().isEmpty()) {
            return Decision.deny(
                    "the operation "
                            + name
                            + " works on every project's data; a token limited to projects may not"
                            + " call it");
        }
        if (resourceType != null && !OPERATION_ROLES.containsKey(name)) {
            Decision read = decide(principal, resourceType, Operation.READ);
            if (!read.allowed()) {
                return read;
            }
        }
        if ("ResearchStudy".equals(resourceType) && instanceId != null) {
            return decideProject(principal, instanceId);
        }
        return new Decision(true, false, "");
    }

    /**
     * Project quality (the quality operations and {@code /quality/report/{id}}): project admins and
     * auditors, of that project when the token lists projects. Every transport asks this.
     */
    public Decision decideProjectQuality(QuorumPrincipal principal, String projectId) {
        if (principal.roles().stream().noneMatch(PROJECT_QUALITY_ROLES::contains)) {
            return Decision.deny(
                    "a project's quality reports need the project-admin or auditor role");
        }
        return projectId == null
                ? new Decision(true, false, "")
                : decideProject(principal, projectId);
    }

    /** A token that lists projects ({@code quorum_projects}) reaches only those projects. */
    public Decision decideProject(QuorumPrincipal principal, String projectId) {
        if (!principal.projectIds().isEmpty() && !principal.isMemberOf(projectId)) {
            return Decision.deny("the token is not a member of this project");
        }
        return new Decision(true, false, "");
    }

    /**
     * True when every grant of the principal's roles is case-bound (annotator, reviewer,
     * adjudicator only).
     */
    public boolean isCaseBound(QuorumPrincipal principal) {
        return !principal.roles().isEmpty()
                && principal.roles().stream()
                        .allMatch(
                                r ->
                                        r == Role.ANNOTATOR
                                                || r == Role.REVIEWER
                                                || r == Role.ADJUDICATOR);
    }

    private static String name(Operation operation) {
        return operation.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String wireNames(Set<Role> roles) {
        return roles.isEmpty()
                ? "[]"
                : roles.stream()
                        .map(Role::wireName)
                        .sorted()
                        .collect(Collectors.joining(", ", "[", "]"));
    }
}
