package org.quorum.quality.consistency;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.quorum.fhir.AfterCommit;
import org.quorum.labels.LabelRecognition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.annotation.Propagation;

/**
 * Checks cross-modal consistency whenever labels are written: collects the labels a storage
 * transaction creates or updates, and once it has committed runs {@link
 * ConsistencyService#labelsChanged} on them, in a new transaction, before the response goes out.
 *
 * <p>After commit, so that a rolled-back write raises nothing and the check sees the labels as
 * stored (a transaction Bundle's labels all at once). In the request thread, so that a client that
 * wrote a contradicting label finds the DetectedIssue at once. A failing check does not fail the
 * write (it is committed): it is logged, and {@code $consistency} repairs it by re-checking the
 * project.
 */
@Interceptor
public final class ConsistencyInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyInterceptor.class);

    private final ConsistencyService consistency;
    private final IHapiTransactionService transactions;
    private final AfterCommit afterCommit = new AfterCommit(this::check);

    public ConsistencyInterceptor(
            ConsistencyService consistency, IHapiTransactionService transactions) {
        this.consistency = consistency;
        this.transactions = transactions;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void created(IBaseResource resource) {
        written(resource);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void updated(IBaseResource previous, IBaseResource resource) {
        written(resource);
    }

    private void written(IBaseResource resource) {
        if (!LabelRecognition.isLabel(resource)) {
            return;
        }
        afterCommit.add(resource.getIdElement().toUnqualifiedVersionless().getValue());
    }

    private void check(Iterable<String> ids) {
        List<String> labels = new java.util.ArrayList<>();
        ids.forEach(labels::add);
        try {
            // Spring: work after commit must run in a transaction of its own (REQUIRES_NEW).
            transactions
                    .withSystemRequest()
                    .withPropagation(Propagation.REQUIRES_NEW)
                    .execute(() -> consistency.labelsChanged(labels));
        } catch (RuntimeException e) {
            LOG.error(
                    "Cross-modal consistency check failed for {}; the labels are stored, and"
                            + " $consistency on their project will check them again",
                    labels,
                    e);
        }
    }
}
