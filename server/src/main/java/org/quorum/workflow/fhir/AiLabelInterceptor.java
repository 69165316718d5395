package org.quorum.workflow.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.quorum.fhir.AfterCommit;
import org.quorum.labels.LabelRecognition;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.workflow.WorkflowService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.annotation.Propagation;

/**
 * AI pre-labels written through the plain FHIR API (a create, or a transaction Bundle) route their
 * cases as {@code $submit} on the project does: once the write has committed, the cases of the AI
 * labels (method ai) that nobody has started are routed again by confidence. A failure does not
 * fail the write (it is committed); {@code $open-cases} routes cases it opens anyway.
 */
@Interceptor
public final class AiLabelInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(AiLabelInterceptor.class);

    private final WorkflowService workflow;
    private final IHapiTransactionService transactions;
    private final AfterCommit<String> afterCommit = new AfterCommit<>(this::route);

    public AiLabelInterceptor(WorkflowService workflow, IHapiTransactionService transactions) {
        this.workflow = workflow;
        this.transactions = transactions;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void created(IBaseResource resource, RequestDetails request) {
        // The server's own writes ($submit on a project) route their labels themselves.
        if (request instanceof SystemRequestDetails) {
            return;
        }
        if (LabelRecognition.isLabel(resource) && isAi((Observation) resource)) {
            afterCommit.add(resource.getIdElement().toUnqualifiedVersionless().getValue());
        }
    }

    private static boolean isAi(Observation label) {
        return label.getMethod().getCoding().stream()
                .filter(c -> QuorumProfiles.CS_LABEL_METHOD.equals(c.getSystem()))
                .map(Coding::getCode)
                .anyMatch("ai"::equals);
    }

    private void route(Set<String> ids) {
        try {
            transactions
                    .withSystemRequest()
                    .withPropagation(Propagation.REQUIRES_NEW)
                    .execute(() -> workflow.aiLabelsStored(List.copyOf(ids)));
        } catch (RuntimeException e) {
            LOG.error(
                    "Routing the cases of {} AI label(s) failed; the labels are stored ({})",
                    ids.size(),
                    e.getClass().getSimpleName(),
                    e);
        }
    }
}
