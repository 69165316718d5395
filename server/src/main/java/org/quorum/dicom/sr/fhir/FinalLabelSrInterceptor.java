package org.quorum.dicom.sr.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.quorum.dicom.sr.SrException;
import org.quorum.fhir.AfterCommit;
import org.quorum.labels.LabelRecognition;
import org.quorum.profiles.QuorumProfiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.annotation.Propagation;

/**
 * Final image labels get their SR automatically: collects the QuorumLabel Observations a storage
 * transaction creates or updates with status final (or amended/corrected) and an image region, and
 * once it has committed publishes each one's SR ({@link LabelSrPublisher}) in a transaction of its
 * own.
 *
 * <p>After commit, so that a rolled-back write makes no SR and the SR is made from the label as
 * stored. A failure does not fail the write (it is committed): it is logged with its stable code
 * and no label content, and {@code $dicom-sr} makes the SR later. Publishing saves the label once
 * more (the SR identifier); that save comes back here, finds the SR already stored and the label
 * already linked, and stops.
 */
@Interceptor
public final class FinalLabelSrInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(FinalLabelSrInterceptor.class);

    private final LabelSrPublisher publisher;
    private final IHapiTransactionService transactions;
    private final AfterCommit<String> afterCommit = new AfterCommit<>(this::publish);

    public FinalLabelSrInterceptor(
            LabelSrPublisher publisher, IHapiTransactionService transactions) {
        this.publisher = publisher;
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

    /** A label with an image region whose status is final, amended or corrected. */
    static boolean needsSr(IBaseResource resource) {
        if (!LabelRecognition.isLabel(resource)
                || !(resource instanceof Observation label)
                || label.getExtensionsByUrl(QuorumProfiles.EXT_IMAGE_REGION).isEmpty()
                || label.getStatus() == null) {
            return false;
        }
        return switch (label.getStatus()) {
            case FINAL, AMENDED, CORRECTED -> true;
            default -> false;
        };
    }

    private void written(IBaseResource resource) {
        if (!needsSr(resource)) {
            return;
        }
        afterCommit.add(resource.getIdElement().toUnqualifiedVersionless().getValue());
    }

    private void publish(Set<String> ids) {
        for (String id : ids) {
            try {
                // Spring: work after commit must run in a transaction of its own (REQUIRES_NEW).
                transactions
                        .withSystemRequest()
                        .withPropagation(Propagation.REQUIRES_NEW)
                        .execute(
                                () ->
                                        publisher.publish(
                                                new IdType(id), new SystemRequestDetails()));
            } catch (SrException e) {
                LOG.warn("No SR for final label {}: {}", id, e.problem().code());
            } catch (RuntimeException e) {
                LOG.error(
                        "No SR for final label {}; the label is stored and $dicom-sr can make"
                                + " its SR later ({})",
                        id,
                        e.getClass().getSimpleName());
            }
        }
    }
}
