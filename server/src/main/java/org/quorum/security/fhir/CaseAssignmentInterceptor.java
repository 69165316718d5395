package org.quorum.security.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Task;
import org.quorum.security.CaseAssignments;

/**
 * Keeps the case-assignment table in step with the store: every Task and label write replaces the
 * grants it makes, in the write's own transaction (a rolled-back write grants nothing).
 */
@Interceptor
public final class CaseAssignmentInterceptor {

    private final CaseAssignments assignments;

    public CaseAssignmentInterceptor(CaseAssignments assignments) {
        this.assignments = assignments;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void created(IBaseResource resource) {
        written(resource);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void updated(IBaseResource previous, IBaseResource resource) {
        written(resource);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
    public void deleted(IBaseResource resource) {
        if (resource instanceof Task || resource instanceof Observation) {
            assignments.removed(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
        }
    }

    private void written(IBaseResource resource) {
        if (resource instanceof Task task) {
            assignments.taskWritten(task);
        } else if (resource instanceof Observation label) {
            assignments.labelWritten(label);
        }
    }
}
