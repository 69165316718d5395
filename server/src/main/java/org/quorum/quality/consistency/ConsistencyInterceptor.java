package org.quorum.quality.consistency;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Observation;
import org.quorum.fhir.AfterCommit;
import org.quorum.labels.Label;
import org.quorum.labels.LabelReadModel;
import org.quorum.labels.LabelRecognition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.annotation.Propagation;

/**
 * Checks cross-modal consistency whenever labels are written: collects the labels a storage
 * transaction creates or updates, as written, and once it has committed runs {@link
 * ConsistencyService#labelsWritten} on them, in a new transaction, before the response goes out.
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
    private final AfterCommit<Written> afterCommit = new AfterCommit<>(this::check);

    /** One label as a transaction wrote it, and whether that write created it. */
    private record Written(Label label, boolean created) {}

    public ConsistencyInterceptor(
            ConsistencyService consistency, IHapiTransactionService transactions) {
        this.consistency = consistency;
        this.transactions = transactions;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void created(IBaseResource resource) {
        written(resource, true);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void updated(IBaseResource previous, IBaseResource resource) {
        written(resource, false);
    }

    private void written(IBaseResource resource, boolean created) {
        if (LabelRecognition.isLabel(resource)) {
            afterCommit.add(new Written(LabelReadModel.toLabel((Observation) resource), created));
        }
    }

    private void check(Iterable<Written> writes) {
        // A label written twice in one transaction: its last write stands, and it existed before
        // the transaction only if neither write created it.
        Map<String, Label> labels = new LinkedHashMap<>();
        Set<String> created = new HashSet<>();
        for (Written write : writes) {
            labels.put(write.label().id(), write.label());
            if (write.created()) {
                created.add(write.label().id());
            }
        }
        List<String> existedBefore =
                labels.keySet().stream().filter(id -> !created.contains(id)).toList();
        try {
            // Spring: work after commit must run in a transaction of its own (REQUIRES_NEW).
            transactions
                    .withSystemRequest()
                    .withPropagation(Propagation.REQUIRES_NEW)
                    .execute(() -> consistency.labelsWritten(labels.values(), existedBefore));
        } catch (RuntimeException e) {
            LOG.error(
                    "Cross-modal consistency check failed for {}; the labels are stored, and"
                            + " $consistency on their project will check them again",
                    labels.keySet(),
                    e);
        }
    }
}
