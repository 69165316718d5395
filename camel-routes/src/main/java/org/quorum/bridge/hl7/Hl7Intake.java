package org.quorum.bridge.hl7;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.preparser.PreParser;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.util.idgenerator.UUIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import org.apache.camel.Exchange;
import org.apache.camel.component.mllp.MllpConstants;
import org.quorum.bridge.ops.BridgeMetrics;
import org.quorum.bridge.store.BridgeDatabase;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.store.DeliveryLedger;
import org.quorum.bridge.store.Inbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the HL7 v2 listener, each a processor of the {@code hl7-mllp} route: check that the
 * message converts (so bad input is refused while the sender still waits), store it durably in the
 * inbox together with its key in Camel's idempotent repository (one transaction), and only then
 * acknowledge AA. A message whose key (MSH-4 + MSH-10) was accepted before gets AA again and is not
 * stored twice. Bad input is parked in the dead-letter store and acknowledged AE or AR, never AA.
 *
 * @see <a href="https://www.hl7.org/implement/standards/product_brief.cfm?product_id=144">HL7
 *     v2.5.1 §2.9 acknowledgement rules</a>
 */
public final class Hl7Intake {

    private static final Logger LOG = LoggerFactory.getLogger(Hl7Intake.class);

    /** Exchange properties the route's steps share. */
    public static final String KEY = "quorum.hl7.key";

    public static final String RAW = "quorum.hl7.raw";
    public static final String DUPLICATE = "quorum.hl7.duplicate";

    private final String route;
    private final Hl7ToFhir converter;
    private final HapiContext hapi;
    private final BridgeDatabase database;
    private final Inbox inbox;
    private final DeliveryLedger ledger;
    private final DeadLetterStore deadLetters;
    private final BridgeMetrics metrics;
    private final Clock clock;

    public Hl7Intake(
            String route,
            Hl7ToFhir converter,
            BridgeDatabase database,
            Inbox inbox,
            DeliveryLedger ledger,
            DeadLetterStore deadLetters,
            BridgeMetrics metrics,
            Clock clock) {
        this.route = route;
        this.converter = converter;
        this.hapi = newHapiContext();
        this.database = database;
        this.inbox = inbox;
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Every message is read as v2.5.1 (its structures are a superset of earlier versions'), without
     * HAPI's strict validation: real feeds carry small format errors; what a label needs is checked
     * by {@link Hl7ToFhir}.
     */
    public static HapiContext newHapiContext() {
        HapiContext context = new DefaultHapiContext(new CanonicalModelClassFactory("2.5.1"));
        context.setValidationContext(ValidationContextFactory.noValidation());
        // ACK control ids (MSH-10) from UUIDs: HAPI's default keeps a counter file ("id_file")
        // in the working directory.
        context.getParserConfiguration().setIdGenerator(new UUIDGenerator());
        return context;
    }

    public HapiContext hapi() {
        return hapi;
    }

    /** Step 1: keep the message as received (for the inbox, or a dead letter). */
    public void keepRaw(Exchange exchange) {
        String raw = exchange.getIn().getBody(String.class);
        if (raw == null || raw.isBlank()) {
            throw new Hl7Rejection(AcknowledgmentCode.AE, "empty message");
        }
        exchange.setProperty(RAW, raw);
    }

    /**
     * Step 2 (after camel-hl7 parsed it): convert it, storing nothing; bad input throws {@link
     * Hl7Rejection}.
     */
    public void check(Exchange exchange) {
        Message message = exchange.getIn().getBody(Message.class);
        exchange.setProperty(KEY, Hl7ToFhir.keyOfUnchecked(message));
        converter.convert(message);
    }

    Message parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new Hl7Rejection(AcknowledgmentCode.AE, "empty message");
        }
        try {
            return hapi.getPipeParser().parse(raw);
        } catch (HL7Exception e) {
            throw new Hl7Rejection(
                    AcknowledgmentCode.AE, "unreadable message: " + brief(e.getMessage()));
        }
    }

    /** Step 3: the message and its key in one transaction; a known key is a duplicate. */
    public void store(Exchange exchange) {
        String key = exchange.getProperty(KEY, String.class);
        String raw = exchange.getProperty(RAW, String.class);
        boolean duplicate =
                database.inTransaction(
                        connection -> {
                            if (!ledger.repository(route + "-accepted")
                                    .add(DeliveryLedger.messageIdOf(key))) {
                                return true;
                            }
                            inbox.add(connection, route, key, raw);
                            return false;
                        });
        exchange.setProperty(DUPLICATE, duplicate);
        if (!duplicate) {
            metrics.received(route, 1);
        }
    }

    /** Step 4: AA, now that the message is durably stored. */
    public void accept(Exchange exchange) throws HL7Exception, IOException {
        Message message = exchange.getIn().getBody(Message.class);
        Message ack = message.generateACK(AcknowledgmentCode.AA, null);
        if (Boolean.TRUE.equals(exchange.getProperty(DUPLICATE, Boolean.class))) {
            new Terser(ack).set("MSA-3", "duplicate of a message already accepted");
        }
        exchange.setProperty(MllpConstants.MLLP_ACKNOWLEDGEMENT_STRING, ack.encode());
    }

    /** Bad input: parked as a dead letter, acknowledged AE or AR with the reason. */
    public void reject(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        AcknowledgmentCode code =
                error instanceof Hl7Rejection rejection ? rejection.code() : AcknowledgmentCode.AE;
        String reason =
                error instanceof Hl7Rejection
                        ? brief(error.getMessage())
                        : "the bridge could not convert the message ("
                                + (error == null
                                        ? "unknown error"
                                        : error.getClass().getSimpleName())
                                + ")";
        if (error != null && !(error instanceof Hl7Rejection) && !(error instanceof HL7Exception)) {
            LOG.error("{}: converting a message failed", route, error);
        }
        String raw = exchange.getProperty(RAW, String.class);
        if (raw == null) {
            raw = exchange.getIn().getBody(String.class);
        }
        String key = exchange.getProperty(KEY, String.class);
        if (key == null) {
            key = fallbackKey(raw);
        }
        deadLetters.park(
                route, key, DeadLetterStore.PayloadKind.HL7_V2, raw == null ? "" : raw, reason, 1);
        metrics.deadLettered(route, 1);
        LOG.warn("{}: message {} refused ({}): {}", route, key, code, reason);
        exchange.setProperty(MllpConstants.MLLP_ACKNOWLEDGEMENT_STRING, nack(raw, code, reason));
    }

    /** The bridge's database failed: AR (the sender keeps the message and resends it). */
    public void storageFailed(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error(
                "{}: cannot store an HL7 message; refused with AR so that the sender resends it",
                route,
                error);
        exchange.setProperty(
                MllpConstants.MLLP_ACKNOWLEDGEMENT_STRING,
                nack(
                        exchange.getProperty(RAW, String.class),
                        AcknowledgmentCode.AR,
                        "the bridge cannot store messages now; send it again later"));
    }

    /**
     * A negative acknowledgement; built from the parsed message when it parses, else from the
     * fields of MSH alone (HL7 v2.5.1 §2.9.2: the ACK still echoes MSH-10 in MSA-2).
     */
    String nack(String raw, AcknowledgmentCode code, String reason) {
        if (raw != null) {
            try {
                Message message = hapi.getPipeParser().parse(raw);
                Message ack = message.generateACK(code, new HL7Exception(reason));
                new Terser(ack).set("MSA-3", clip(reason, 80));
                return ack.encode();
            } catch (HL7Exception | IOException | RuntimeException e) {
                // fall through: answer from MSH fields
            }
        }
        String[] fields = {"", "", "", "", ""};
        if (raw != null) {
            try {
                String[] found =
                        PreParser.getFields(raw, "MSH-3", "MSH-4", "MSH-5", "MSH-6", "MSH-10");
                for (int i = 0; i < found.length && i < fields.length; i++) {
                    fields[i] = found[i] == null ? "" : found[i];
                }
            } catch (HL7Exception | RuntimeException e) {
                // MSH unreadable: an ACK without echoes
            }
        }
        String now =
                DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                        .format(clock.instant().atOffset(ZoneOffset.UTC));
        return "MSH|^~\\&|"
                + fields[2]
                + "|"
                + fields[3]
                + "|"
                + fields[0]
                + "|"
                + fields[1]
                + "|"
                + now
                + "||ACK|"
                + "ACK"
                + now
                + "|P|2.5.1\r"
                + "MSA|"
                + code.name()
                + "|"
                + fields[4]
                + "|"
                + clip(reason.replaceAll("[|^~\\\\&\r\n]", " "), 80)
                + "\r";
    }

    private static String fallbackKey(String raw) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest((raw == null ? "" : raw).getBytes(StandardCharsets.UTF_8));
            return "unreadable|" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String brief(String message) {
        if (message == null) {
            return "";
        }
        return clip(message.strip().replaceAll("\\s+", " "), 300);
    }

    private static String clip(String text, int max) {
        return text.length() > max ? text.substring(0, max - 3) + "..." : text;
    }
}
