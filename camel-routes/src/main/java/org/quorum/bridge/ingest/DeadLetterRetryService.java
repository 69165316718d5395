package org.quorum.bridge.ingest;

import java.util.function.Function;
import org.quorum.bridge.hl7.Hl7DeliveryService;
import org.quorum.bridge.resilience.PeerUnavailableException;
import org.quorum.bridge.store.DeadLetterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the retries an operator asked for ({@code quorum bridge dead-letters retry}): a
 * parked FHIR record is de-identified and delivered again; a parked HL7 message that now converts
 * goes back to its route's inbox. Delivered letters are removed; refused ones are parked again with
 * the new reason and one more attempt.
 */
public final class DeadLetterRetryService {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRetryService.class);

    private final DeadLetterStore deadLetters;
    private final IngestService ingest;
    private final Function<String, Hl7DeliveryService> hl7Routes;
    private final java.util.function.BiPredicate<String, String> dicomRequeue;
    private final java.util.function.BiPredicate<String, String> labelWriteBack;

    /**
     * @param dicomRequeue (route, SOP digest) → whether the PACS route took the instance back: its
     *     ledger forgets it and the next poll fetches it again
     * @param labelWriteBack (route, key) of a label version or SR → whether it was written back now
     */
    public DeadLetterRetryService(
            DeadLetterStore deadLetters,
            IngestService ingest,
            Function<String, Hl7DeliveryService> hl7Routes,
            java.util.function.BiPredicate<String, String> dicomRequeue,
            java.util.function.BiPredicate<String, String> labelWriteBack) {
        this.deadLetters = deadLetters;
        this.ingest = ingest;
        this.hl7Routes = hl7Routes;
        this.dicomRequeue = dicomRequeue;
        this.labelWriteBack = labelWriteBack;
    }

    /** Retries what was requested; returns how many letters were delivered. */
    public int retryRequested() {
        int delivered = 0;
        for (DeadLetterStore.Retry retry : deadLetters.retriesRequested(20)) {
            DeadLetterStore.DeadLetter letter = retry.letter();
            try {
                boolean ok =
                        switch (letter.payloadKind()) {
                            case FHIR_RECORD ->
                                    ingest.redeliver(
                                            ingest.fromEnvelope(letter.route(), retry.payload()));
                            case HL7_V2 -> redeliverHl7(letter, retry.payload());
                            case DICOM_INSTANCE ->
                                    dicomRequeue.test(letter.route(), letter.sourceKey());
                            case LABEL_WRITE_BACK ->
                                    labelWriteBack.test(letter.route(), retry.payload());
                        };
                if (ok) {
                    deadLetters.resolve(letter.id());
                    delivered++;
                    LOG.info(
                            "dead letter {} ({}) delivered on retry",
                            letter.id(),
                            letter.sourceKey());
                }
            } catch (PeerUnavailableException e) {
                LOG.warn("dead letter retries wait: {}", e.getMessage());
                return delivered;
            }
        }
        return delivered;
    }

    private boolean redeliverHl7(DeadLetterStore.DeadLetter letter, String raw) {
        Hl7DeliveryService route = hl7Routes.apply(letter.route());
        if (route == null || !route.converts(raw)) {
            deadLetters.park(
                    letter.route(),
                    letter.sourceKey(),
                    DeadLetterStore.PayloadKind.HL7_V2,
                    raw,
                    route == null
                            ? "the route " + letter.route() + " is not configured"
                            : "the message still does not convert",
                    1);
            return false;
        }
        IngestService.Batch batch = route.batchOf(letter.sourceKey(), raw);
        return ingest.redeliver(batch);
    }
}
