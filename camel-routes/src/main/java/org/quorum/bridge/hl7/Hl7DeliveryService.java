package org.quorum.bridge.hl7;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Resource;
import org.quorum.bridge.ingest.IngestService;
import org.quorum.bridge.resilience.PeerUnavailableException;
import org.quorum.bridge.store.BridgeDatabase;
import org.quorum.bridge.store.Inbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the inbox: each accepted HL7 message is converted again (the conversion is
 * deterministic), de-identified and delivered through {@link IngestService}; it leaves the inbox
 * when Quorum has committed it or its records are parked. When Quorum does not answer, the message
 * stays and is tried again after a growing pause.
 */
public final class Hl7DeliveryService {

    private static final Logger LOG = LoggerFactory.getLogger(Hl7DeliveryService.class);

    private final String route;
    private final Hl7Intake intake;
    private final Hl7ToFhir converter;
    private final IngestService ingest;
    private final BridgeDatabase database;
    private final Inbox inbox;

    public Hl7DeliveryService(
            String route,
            Hl7Intake intake,
            Hl7ToFhir converter,
            IngestService ingest,
            BridgeDatabase database,
            Inbox inbox) {
        this.route = route;
        this.intake = intake;
        this.converter = converter;
        this.ingest = ingest;
        this.database = database;
        this.inbox = inbox;
    }

    /** Delivers what is due; returns how many messages left the inbox. */
    public int deliverDue() {
        int done = 0;
        for (Inbox.Message message : inbox.due(route, 20)) {
            try {
                ingest.deliver(batchOf(message.sourceKey(), message.payload()));
            } catch (PeerUnavailableException e) {
                Duration delay = backoff(message.attempts());
                inbox.postpone(message.id(), delay, e.getMessage());
                LOG.warn(
                        "{}: message {} not delivered ({}); next try in {} s",
                        route,
                        message.sourceKey(),
                        e.getMessage(),
                        delay.toSeconds());
                return done;
            } catch (RuntimeException e) {
                // a fault of the bridge itself (its database, a bug): the message stays, with a
                // growing pause, and the cause is logged whole
                Duration delay = backoff(message.attempts());
                inbox.postpone(
                        message.id(), delay, e.getClass().getSimpleName() + ": " + e.getMessage());
                LOG.error(
                        "{}: delivering message {} failed; next try in {} s",
                        route,
                        message.sourceKey(),
                        delay.toSeconds(),
                        e);
                continue;
            }
            database.inTransaction(
                    connection -> {
                        inbox.remove(connection, message.id());
                        return null;
                    });
            done++;
        }
        return done;
    }

    /** The batch an accepted message becomes: one hit per note or report. */
    public IngestService.Batch batchOf(String key, String raw) {
        Message message = intake.parse(raw);
        Hl7ToFhir.Converted converted = converter.convert(message);
        List<IngestService.Hit> hits = new ArrayList<>();
        int index = 0;
        for (Resource record : converted.records()) {
            index++;
            hits.add(
                    new IngestService.Hit(
                            converted.records().size() == 1 ? key : key + "#" + index, record));
        }
        return new IngestService.Batch(
                route,
                "hl7:" + converted.facility(),
                hits,
                converted.related(),
                Map.of(),
                Optional.empty());
    }

    static Duration backoff(int attempts) {
        long seconds = Math.min(300, 1L << Math.min(attempts, 8));
        return Duration.ofSeconds(seconds);
    }

    /** Whether a parked raw message converts now (the dead-letter retry of bad input). */
    public boolean converts(String raw) {
        try {
            converter.convert(intake.parse(raw));
            return true;
        } catch (Hl7Rejection e) {
            return false;
        }
    }

    static String keyOf(Message message) throws HL7Exception {
        return Hl7ToFhir.keyOf(message);
    }
}
