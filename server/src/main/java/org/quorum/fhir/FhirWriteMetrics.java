package org.quorum.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import io.micrometer.core.instrument.MeterRegistry;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Counts committed FHIR writes per resource type: {@code quorum_fhir_writes_total{type,operation}}.
 */
@Interceptor
public final class FhirWriteMetrics {

    private final MeterRegistry registry;

    public FhirWriteMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void created(IBaseResource resource) {
        count(resource, "create");
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void updated(IBaseResource previous, IBaseResource resource) {
        count(resource, "update");
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
    public void deleted(IBaseResource resource) {
        count(resource, "delete");
    }

    private void count(IBaseResource resource, String operation) {
        registry.counter("quorum.fhir.writes", "type", resource.fhirType(), "operation", operation)
                .increment();
    }
}
