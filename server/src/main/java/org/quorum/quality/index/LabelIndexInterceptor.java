package org.quorum.quality.index;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;

/**
 * Keeps the label index in step with the store: every Observation and Patient write (create,
 * update, patch, delete; alone or in a transaction Bundle) updates its row in the write's own
 * transaction, so a rolled-back write changes nothing in the index either.
 */
@Interceptor
public final class LabelIndexInterceptor {

    private final LabelIndex index;

    public LabelIndexInterceptor(LabelIndex index) {
        this.index = index;
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
        if (resource instanceof Observation observation) {
            index.labelDeleted(observation);
        } else if (resource instanceof Patient patient) {
            index.patientDeleted(patient);
        }
    }

    private void written(IBaseResource resource) {
        if (resource instanceof Observation observation) {
            index.labelWritten(observation);
        } else if (resource instanceof Patient patient) {
            index.patientWritten(patient);
        }
    }
}
