package org.quorum.security;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.security.assignment.CaseAssignmentIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cases assigned to a clinician, derived only from resources the server's own workflow writes:
 * review Tasks whose {@code owner} is the clinician's FHIR identity (the token's {@code fhirUser}).
 * A Task grants the Task, its patient ({@code for}), its project (the ResearchStudy: the label
 * schema), what it focuses on, its input references and basedOn, and, for a focus or input that is
 * a label, note, report or study, that resource's subject and sources ({@code derivedFrom}). A
 * label the clinician performed grants that label alone: what a clinician writes never widens what
 * the clinician may see.
 *
 * <p>The grants are kept in a table ({@link CaseAssignmentIndex}) written in the same transaction
 * as the Task or label that makes them, so answering a request costs one indexed query, not a store
 * read per reference.
 */
public final class CaseAssignments {

    private static final Logger LOG = LoggerFactory.getLogger(CaseAssignments.class);
    private static final int REBUILD_PAGE = 500;

    private final DaoRegistry daos;
    private final CaseAssignmentIndex index;

    public CaseAssignments(DaoRegistry daos, CaseAssignmentIndex index) {
        this.daos = daos;
        this.index = index;
    }

    /** References ({@code Type/id}) the principal may see; empty without a fhirUser. */
    public Set<String> assignedTo(QuorumPrincipal principal) {
        return principal
                .fhirUser()
                .map(CaseAssignments::relative)
                .map(index::resourcesOf)
                .orElse(Set.of());
    }

    /**
     * The Tasks and labels ({@code Type/id}) that grant {@code owner} access to {@code resource}.
     */
    public Set<String> sourcesGranting(String owner, String resource) {
        return index.sourcesGranting(relative(owner), resource);
    }

    /** A Task was created or updated: its grants replace the ones it made before. */
    public void taskWritten(Task task) {
        String source = "Task/" + task.getIdElement().getIdPart();
        boolean active =
                task.getStatus() != Task.TaskStatus.CANCELLED
                        && task.getStatus() != Task.TaskStatus.ENTEREDINERROR;
        Optional<String> owner = referenceOf(task.getOwner());
        if (!active || owner.isEmpty()) {
            index.replace(source, List.of(), List.of());
            return;
        }
        Set<String> granted = new LinkedHashSet<>();
        granted.add(source);
        referenceOf(task.getFor()).ifPresent(granted::add);
        // The project: its review policy names the label schema the clinician labels with.
        for (Extension project : task.getExtensionsByUrl(QuorumProfiles.EXT_PROJECT)) {
            if (project.getValue() instanceof Reference reference) {
                referenceOf(reference).ifPresent(granted::add);
            }
        }
        task.getBasedOn().forEach(r -> referenceOf(r).ifPresent(granted::add));
        List<String> cases = new ArrayList<>();
        referenceOf(task.getFocus()).ifPresent(cases::add);
        for (Task.ParameterComponent input : task.getInput()) {
            if (input.getValue() instanceof Reference reference) {
                referenceOf(reference).ifPresent(cases::add);
            }
        }
        for (String reference : cases) {
            granted.add(reference);
            granted.addAll(sourcesBehind(reference));
        }
        index.replace(source, List.of(owner.get()), granted);
    }

    /** A label was created or updated: its performers may reach it (the label alone). */
    public void labelWritten(Observation label) {
        String source = "Observation/" + label.getIdElement().getIdPart();
        Set<String> performers = new LinkedHashSet<>();
        label.getPerformer().forEach(p -> referenceOf(p).ifPresent(performers::add));
        index.replace(source, performers, List.of(source));
    }

    /** A Task or label was deleted: its grants go with it. */
    public void removed(String source) {
        index.replace(source, List.of(), List.of());
    }

    /**
     * Builds the table from the store once (a store made before the table existed); later writes
     * keep it current.
     */
    public void rebuildIfNeeded() {
        if (index.isBuilt()) {
            return;
        }
        int tasks = forEach("Task", resource -> taskWritten((Task) resource));
        int labels = forEach("Observation", resource -> labelWritten((Observation) resource));
        index.markBuilt();
        LOG.info("Case assignments built from {} Tasks and {} labels", tasks, labels);
    }

    private int forEach(String type, java.util.function.Consumer<IBaseResource> action) {
        IFhirResourceDao<?> dao = daos.getResourceDao(type);
        IBundleProvider all = dao.search(new SearchParameterMap(), new SystemRequestDetails());
        int done = 0;
        while (true) {
            List<IBaseResource> page = all.getResources(done, done + REBUILD_PAGE);
            if (page.isEmpty()) {
                return done;
            }
            page.forEach(action);
            done += page.size();
        }
    }

    /** The subject and sources of a label, note, report or study ({@code Type/id}). */
    private Set<String> sourcesBehind(String reference) {
        Set<String> behind = new LinkedHashSet<>();
        IBaseResource resource = read(reference).orElse(null);
        if (resource instanceof Observation observation) {
            referenceOf(observation.getSubject()).ifPresent(behind::add);
            observation.getDerivedFrom().forEach(r -> referenceOf(r).ifPresent(behind::add));
            observation.getFocus().forEach(r -> referenceOf(r).ifPresent(behind::add));
        } else if (resource instanceof DocumentReference document) {
            referenceOf(document.getSubject()).ifPresent(behind::add);
        } else if (resource instanceof ImagingStudy study) {
            referenceOf(study.getSubject()).ifPresent(behind::add);
        } else if (resource instanceof DiagnosticReport report) {
            referenceOf(report.getSubject()).ifPresent(behind::add);
            report.getImagingStudy().forEach(r -> referenceOf(r).ifPresent(behind::add));
        }
        return behind;
    }

    private Optional<IBaseResource> read(String reference) {
        IdType id = new IdType(reference);
        if (!daos.isResourceTypeSupported(id.getResourceType())) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    daos.getResourceDao(id.getResourceType()).read(id, new SystemRequestDetails()));
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            return Optional.empty();
        }
    }

    /** {@code Type/id} of a literal reference to a stored resource; empty for others. */
    static Optional<String> referenceOf(Reference reference) {
        if (reference == null || !reference.hasReference()) {
            return Optional.empty();
        }
        String value = reference.getReference();
        if (value.startsWith("#") || value.contains("?")) {
            return Optional.empty();
        }
        String relative = relative(value);
        return relative.contains("/") ? Optional.of(relative) : Optional.empty();
    }

    /** {@code Type/id} of a relative or absolute reference, without version. */
    public static String relative(String reference) {
        IdType id = new IdType(reference);
        return id.hasResourceType() && id.hasIdPart()
                ? id.getResourceType() + "/" + id.getIdPart()
                : reference;
    }
}
