package org.quorum.workflow;

import org.quorum.labels.LabelReadModel;
import org.quorum.platform.Platform;
import org.quorum.quality.QualityService;
import org.quorum.workflow.fhir.AiLabelInterceptor;
import org.quorum.workflow.fhir.WorkflowOperations;
import org.quorum.workflow.store.WorkflowStore;

/**
 * The review workflow capability: the {@link WorkflowService}, its FHIR operations, the routing of
 * AI labels written through the plain API, and its metrics on {@code /metrics}. Who may call which
 * operation is in the security capability's operation table; the service checks the rest.
 */
public final class WorkflowInstaller {

    private WorkflowInstaller() {}

    public static WorkflowService install(
            Platform platform, QualityService quality, LabelReadModel labels) {
        WorkflowService workflow =
                new WorkflowService(
                        new WorkflowStore(platform.daos(), platform.transactions(), labels),
                        quality,
                        platform.clock(),
                        new WorkflowMetrics(platform.metrics().registry()));
        platform.fhirServer().registerProvider(new WorkflowOperations(workflow));
        platform.storageInterceptors()
                .registerInterceptor(new AiLabelInterceptor(workflow, platform.transactions()));
        return workflow;
    }
}
