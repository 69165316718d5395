package org.quorum.security;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;

/**
 * The cases assigned to a clinician: review Tasks whose owner is the clinician's FHIR identity (the
 * token's {@code fhirUser}, a PractitionerRole or Practitioner), the resources those tasks focus
 * on, the sources and patients behind them, and the clinician's own labels. Case-bound roles see
 * nothing else of clinical data.
 */
public final class CaseAssignments {

    private final DaoRegistry daos;

    public CaseAssignments(DaoRegistry daos) {
        this.daos = daos;
    }

    /** References ({@code Type/id}) the principal may see; empty without a fhirUser. */
    public Set<String> assignedTo(QuorumPrincipal principal) {
        Set<String> assigned = new LinkedHashSet<>();
        if (principal.fhirUser().isEmpty()) {
            return assigned;
        }
        String owner = principal.fhirUser().get();
        for (IBaseResource resource : search("Task", "owner", owner)) {
            Task task = (Task) resource;
            if (task.getStatus() == Task.TaskStatus.CANCELLED) {
                continue;
            }
            assigned.add("Task/" + task.getIdElement().getIdPart());
            addReference(assigned, task.getFor());
            addReference(assigned, task.getFocus());
            task.getBasedOn().forEach(r -> addReference(assigned, r));
        }
        for (IBaseResource label : search("Observation", "performer", owner)) {
            assigned.add("Observation/" + label.getIdElement().getIdPart());
        }
        // Sources and patients behind assigned labels and documents.
        for (String reference : List.copyOf(assigned)) {
            expand(assigned, reference);
        }
        return assigned;
    }

    private void expand(Set<String> assigned, String reference) {
        String[] parts = reference.split("/");
        if (parts.length != 2) {
            return;
        }
        IBaseResource resource;
        try {
            resource =
                    daos.getResourceDao(parts[0])
                            .read(
                                    new org.hl7.fhir.r4.model.IdType(reference),
                                    new SystemRequestDetails());
        } catch (ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException
                | ca.uhn.fhir.rest.server.exceptions.ResourceGoneException e) {
            return;
        }
        if (resource instanceof Observation observation) {
            addReference(assigned, observation.getSubject());
            observation.getDerivedFrom().forEach(r -> addReference(assigned, r));
        } else if (resource instanceof DocumentReference document) {
            addReference(assigned, document.getSubject());
        } else if (resource instanceof ImagingStudy study) {
            addReference(assigned, study.getSubject());
        }
    }

    private List<IBaseResource> search(String type, String parameter, String reference) {
        SearchParameterMap map =
                SearchParameterMap.newSynchronous(parameter, new ReferenceParam(reference));
        return daos.getResourceDao(type).search(map, new SystemRequestDetails()).getAllResources();
    }

    private static void addReference(Set<String> assigned, Reference reference) {
        if (reference != null
                && reference.hasReference()
                && !reference.getReference().startsWith("#")) {
            String value = reference.getReferenceElement().toUnqualifiedVersionless().getValue();
            if (value.contains("/")) {
                assigned.add(value);
            }
        }
    }
}
