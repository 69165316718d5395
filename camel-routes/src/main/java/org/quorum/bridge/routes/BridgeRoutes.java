package org.quorum.bridge.routes;

import java.util.List;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.hl7.HL7DataFormat;
import org.quorum.bridge.config.MllpSettings;
import org.quorum.bridge.ehr.EhrPullService;
import org.quorum.bridge.hl7.Hl7DeliveryService;
import org.quorum.bridge.hl7.Hl7Intake;
import org.quorum.bridge.hl7.Hl7Rejection;
import org.quorum.bridge.ingest.DeadLetterRetryService;
import org.quorum.bridge.pacs.PacsPullService;
import org.quorum.bridge.resilience.PeerUnavailableException;
import org.quorum.bridge.resilience.PermanentFailureException;
import org.quorum.bridge.store.StoreException;
import org.quorum.bridge.writeback.EhrWriteBackService;
import org.quorum.bridge.writeback.PacsSrWriteBackService;

/**
 * The bridge's Camel routes; thin adapters over the services, which hold the rules.
 *
 * <ul>
 *   <li>{@code ehr-<n>}: a timer per cohort query; each firing polls the EHR from the watermark to
 *       its newest change ({@link EhrPullService#pollOnce}). The timer waits for the poll to end
 *       (fixed delay), so polls of one query never overlap.
 *   <li>{@code hl7-mllp}: the MLLP listener; check → store → AA, or AE/AR for bad input ({@link
 *       Hl7Intake}).
 *   <li>{@code hl7-mllp-deliver}: drains the HL7 inbox to Quorum ({@link Hl7DeliveryService}).
 *   <li>{@code pacs-dicomweb}, {@code pacs-dimse}: a timer; each firing polls the PACS ({@link
 *       PacsPullService#pollOnce}).
 *   <li>{@code writeback-ehr}: a timer; each firing writes the labels that became final back to the
 *       EHR ({@link EhrWriteBackService#pollOnce}).
 *   <li>{@code writeback-pacs}, {@code writeback-pacs-dimse}: a timer each; each firing writes the
 *       SRs of final image labels back to the PACS by STOW-RS or by C-STORE ({@link
 *       PacsSrWriteBackService#pollOnce}).
 *   <li>{@code dead-letter-retry}: carries out retries an operator asked for.
 * </ul>
 */
public final class BridgeRoutes extends RouteBuilder {

    /** Route id of the HL7 listener. */
    public static final String HL7_ROUTE = "hl7-mllp";

    /** Route id of the PACS pull over DICOMweb. */
    public static final String PACS_DICOMWEB_ROUTE = "pacs-dicomweb";

    /** Route id of the PACS pull over DIMSE. */
    public static final String PACS_DIMSE_ROUTE = "pacs-dimse";

    private final List<EhrPullService> pulls;
    private final long pollMillis;
    private final MllpSettings mllp;
    private final Hl7Intake intake;
    private final Hl7DeliveryService hl7Delivery;
    private final DeadLetterRetryService retries;
    private final List<PacsPullService> pacsPulls;
    private final long pacsPollMillis;
    private final EhrWriteBackService writeBack;
    private final List<PacsSrWriteBackService> srWriteBacks;
    private final long writeBackPollMillis;

    public BridgeRoutes(
            List<EhrPullService> pulls,
            long pollMillis,
            MllpSettings mllp,
            Hl7Intake intake,
            Hl7DeliveryService hl7Delivery,
            DeadLetterRetryService retries,
            List<PacsPullService> pacsPulls,
            long pacsPollMillis,
            EhrWriteBackService writeBack,
            List<PacsSrWriteBackService> srWriteBacks,
            long writeBackPollMillis) {
        this.pulls = pulls;
        this.pollMillis = pollMillis;
        this.mllp = mllp;
        this.intake = intake;
        this.hl7Delivery = hl7Delivery;
        this.retries = retries;
        this.pacsPulls = pacsPulls;
        this.pacsPollMillis = pacsPollMillis;
        this.writeBack = writeBack;
        this.srWriteBacks = List.copyOf(srWriteBacks);
        this.writeBackPollMillis = writeBackPollMillis;
    }

    /** A timer route (fixed delay) whose every firing runs one poll of a write-back. */
    private void poll(String route, long periodMillis, Runnable pollOnce) {
        from("timer:" + route + "?delay=0&fixedRate=false&period=" + periodMillis)
                .routeId(route)
                .onException(PeerUnavailableException.class)
                .handled(true)
                .log("${routeId}: stopped early (${exception.message}); the next poll resumes")
                .end()
                .onException(PermanentFailureException.class)
                .handled(true)
                .log(LoggingLevel.ERROR, "${routeId}: the poll was refused: ${exception.message}")
                .end()
                .process(exchange -> pollOnce.run())
                .id(route + "-poll");
    }

    @Override
    public void configure() {
        for (EhrPullService pull : pulls) {
            from("timer:" + pull.route() + "?delay=0&fixedRate=false&period=" + pollMillis)
                    .routeId(pull.route())
                    // The poll reports its own failure (status, metrics, log); the next firing
                    // starts again from the watermark.
                    .onException(PeerUnavailableException.class)
                    .handled(true)
                    .log("${routeId}: stopped early (${exception.message}); the next poll resumes")
                    .end()
                    // the EHR refuses the search itself (bad query, credentials): reported in
                    // /status and /health, tried again at the next poll
                    .onException(PermanentFailureException.class)
                    .handled(true)
                    .log(
                            LoggingLevel.ERROR,
                            "${routeId}: the EHR refused the poll: ${exception.message}")
                    .end()
                    .process(exchange -> pull.pollOnce())
                    .id(pull.route() + "-poll");
        }
        for (PacsPullService pacsPull : pacsPulls) {
            from("timer:" + pacsPull.route() + "?delay=0&fixedRate=false&period=" + pacsPollMillis)
                    .routeId(pacsPull.route())
                    .onException(PeerUnavailableException.class)
                    .handled(true)
                    .log("${routeId}: stopped early (${exception.message}); the next poll resumes")
                    .end()
                    .onException(PermanentFailureException.class)
                    .handled(true)
                    .log(
                            LoggingLevel.ERROR,
                            "${routeId}: the PACS refused the poll: ${exception.message}")
                    .end()
                    .process(exchange -> pacsPull.pollOnce())
                    .id(pacsPull.route() + "-poll");
        }
        if (writeBack != null) {
            poll(writeBack.route(), writeBackPollMillis, writeBack::pollOnce);
        }
        for (PacsSrWriteBackService srWriteBack : srWriteBacks) {
            poll(srWriteBack.route(), writeBackPollMillis, srWriteBack::pollOnce);
        }
        if (mllp != null) {
            HL7DataFormat hl7 = new HL7DataFormat();
            hl7.setHapiContext(intake.hapi());
            from("mllp:"
                            + mllp.host()
                            + ":"
                            + mllp.port()
                            + "?autoAck=false&stringPayload=true&charsetName=UTF-8&validatePayload=false")
                    .routeId(HL7_ROUTE)
                    .onException(Hl7Rejection.class, ca.uhn.hl7v2.HL7Exception.class)
                    .handled(true)
                    .process(intake::reject)
                    .id("hl7-reject")
                    .end()
                    .onException(StoreException.class)
                    .handled(true)
                    .process(intake::storageFailed)
                    .id("hl7-storage-failed")
                    .end()
                    // a message the converter trips over: parked with the error (logged with its
                    // stack trace), AE, never AA
                    .onException(RuntimeException.class)
                    .handled(true)
                    .process(intake::reject)
                    .id("hl7-reject-unexpected")
                    .end()
                    .process(intake::keepRaw)
                    .id("hl7-keep-raw")
                    .unmarshal(hl7)
                    .id("hl7-parse")
                    .process(intake::check)
                    .id("hl7-check")
                    .process(intake::store)
                    .id("hl7-store")
                    .process(intake::accept)
                    .id("hl7-accept");
            from("timer:" + HL7_ROUTE + "-deliver?delay=0&fixedRate=false&period=500")
                    .routeId(HL7_ROUTE + "-deliver")
                    .process(exchange -> exchange.getIn().setBody(hl7Delivery.deliverDue()))
                    .id("hl7-deliver");
        }
        from("timer:dead-letter-retry?delay=0&fixedRate=false&period=2000")
                .routeId("dead-letter-retry")
                .process(exchange -> exchange.getIn().setBody(retries.retryRequested()))
                .id("dead-letter-retry-run");
    }
}
