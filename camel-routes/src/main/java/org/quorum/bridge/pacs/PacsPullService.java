package org.quorum.bridge.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quorum.bridge.config.PacsSettings;
import org.quorum.bridge.ops.BridgeMetrics;
import org.quorum.bridge.ops.RouteStatus;
import org.quorum.bridge.pacs.PacsSource.Locator;
import org.quorum.bridge.resilience.PermanentFailureException;
import org.quorum.bridge.store.BridgeDatabase;
import org.quorum.bridge.store.Crosswalk;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.store.DicomLedger;
import org.quorum.bridge.store.Quarantine;
import org.quorum.bridge.store.Watermarks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls a PACS's images into Quorum, de-identified in the bridge, from a {@link PacsSource} (the
 * steps below as DICOMweb does them).
 *
 * <ol>
 *   <li>QIDO-RS {@code /studies?StudyDate=<from>-<today>} (per configured modality, {@code
 *       ModalitiesInStudy}), paged with {@code limit}/{@code offset}. The first poll starts at the
 *       configured start date (backfill); later polls ask again for the last {@code lookback} days,
 *       so instances that reach the PACS after their study was first pulled are found.
 *   <li>A study whose {@code NumberOfStudyRelatedInstances} equals what the ledger knows of it is
 *       skipped without further calls; otherwise its instances are listed (QIDO-RS) and those the
 *       ledger does not know are fetched one by one (WADO-RS).
 *   <li>Each is de-identified ({@link DicomInstanceDeidentifier}); an instance whose pixels may
 *       show text is quarantined (kept encrypted, never sent); the others go to Quorum by STOW-RS
 *       in batches. Only after Quorum answered are the ledger and the crosswalk (original ↔
 *       pseudonymous UIDs, Patient ID) written, in one local transaction; an instance Quorum
 *       refuses is a dead letter.
 * </ol>
 *
 * <p>With {@code QUORUM_BRIDGE_PACS_ACCESSION_FROM_EHR}, step 1 asks instead for the accession
 * numbers of the EHR cohort ({@code AccessionNumber=}, one query each: DICOM has no list matching
 * for SH), within the whole backfill range.
 *
 * <p>A crash between Quorum's commit and the bridge's leaves the instance unrecorded: the next poll
 * sends the same bytes again, which Quorum's store treats as already stored. Nothing is lost,
 * nothing is stored twice.
 */
public final class PacsPullService {

    private static final Logger LOG = LoggerFactory.getLogger(PacsPullService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    private static final int BATCH_INSTANCES = 16;
    private static final long BATCH_BYTES = 64L << 20;

    private static final String FAILED_SOP_SEQUENCE = "00081198";
    private static final String REFERENCED_SOP_UID = "00081155";
    private static final String FAILURE_REASON = "00081197";

    private record Pending(Locator locator, DicomInstanceDeidentifier.Prepared prepared) {}

    private final String route;
    private final PacsSettings settings;
    private final PacsSource pacs;
    private final DicomWebPeer quorum;
    private final DicomInstanceDeidentifier deidentifier;
    private final BridgeDatabase database;
    private final DicomLedger ledger;
    private final Quarantine quarantine;
    private final Crosswalk crosswalk;
    private final DeadLetterStore deadLetters;
    private final Watermarks watermarks;
    private final RouteStatus status;
    private final BridgeMetrics metrics;
    private final Clock clock;

    public PacsPullService(
            String route,
            PacsSettings settings,
            PacsSource pacs,
            DicomWebPeer quorum,
            DicomInstanceDeidentifier deidentifier,
            BridgeDatabase database,
            DicomLedger ledger,
            Quarantine quarantine,
            Crosswalk crosswalk,
            DeadLetterStore deadLetters,
            Watermarks watermarks,
            RouteStatus status,
            BridgeMetrics metrics,
            Clock clock) {
        this.route = route;
        this.settings = settings;
        this.pacs = pacs;
        this.quorum = quorum;
        this.deidentifier = deidentifier;
        this.database = database;
        this.ledger = ledger;
        this.quarantine = quarantine;
        this.crosswalk = crosswalk;
        this.deadLetters = deadLetters;
        this.watermarks = watermarks;
        this.status = status;
        this.metrics = metrics;
        this.clock = clock;
    }

    public String route() {
        return route;
    }

    /**
     * One poll: every study in the window, every instance the ledger does not know.
     *
     * @throws org.quorum.bridge.resilience.PeerUnavailableException when the PACS or Quorum stops
     *     answering; what was committed stays, the next poll goes on from there
     */
    public void pollOnce() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate from =
                watermarks
                        .get(route)
                        .map(
                                w ->
                                        LocalDate.ofInstant(w, ZoneOffset.UTC)
                                                .minusDays(settings.lookback().toDays()))
                        .filter(d -> d.isAfter(settings.start()))
                        .orElse(settings.start());
        String window = DA.format(from) + "-" + DA.format(today);
        try {
            status.beginCycle(null);
            Map<String, PacsSource.Study> studies = new LinkedHashMap<>();
            List<String> modalities =
                    settings.modalities().isEmpty()
                            ? List.of("")
                            : settings.modalities().stream().sorted().toList();
            if (settings.accessionFromEhr()) {
                // the whole backfill range: an order's images may be older than the lookback
                String range = DA.format(settings.start()) + "-" + DA.format(today);
                for (String accession : cohortAccessions()) {
                    for (String modality : modalities) {
                        for (PacsSource.Study study :
                                pacs.findStudies(range, modality, accession)) {
                            studies.putIfAbsent(study.studyUid(), study);
                        }
                    }
                }
            } else {
                for (String modality : modalities) {
                    for (PacsSource.Study study : pacs.findStudies(window, modality, "")) {
                        studies.putIfAbsent(study.studyUid(), study);
                    }
                }
            }
            for (PacsSource.Study study : studies.values()) {
                int[] counts = pullStudy(study);
                status.advance(counts[0], counts[1]);
            }
            watermarks.advance(route, pacs.name(), startOf(today));
            status.caughtUp();
        } catch (RuntimeException e) {
            status.failed(e.getMessage());
            throw e;
        }
    }

    /**
     * The accession numbers the EHR pull recorded (encrypted, in the crosswalk) since the last poll
     * minus the lookback: a new order is asked for at once, and again on every poll for {@code
     * lookback} days, so images that reach the PACS after the order are found. A value the PACS
     * would read as a wildcard or that is no Accession Number (SH, 16 characters) is left out.
     */
    private List<String> cohortAccessions() {
        Instant since =
                watermarks.get(route).map(w -> w.minus(settings.lookback())).orElse(Instant.EPOCH);
        List<String> usable = new ArrayList<>();
        int unusable = 0;
        for (String accession : crosswalk.originalsSince(Crosswalk.Kind.ACCESSION_NUMBER, since)) {
            if (ACCESSION.matcher(accession).matches()) {
                usable.add(accession);
            } else {
                unusable++;
            }
        }
        if (unusable > 0) {
            LOG.warn(
                    "{}: {} accession number(s) of the EHR cohort are not DICOM SH values or hold"
                            + " wildcards; not asked for",
                    route,
                    unusable);
        }
        return usable;
    }

    // PS3.5 §6.2 SH: at most 16 characters, no backslash or control character; no * or ? (PS3.4
    // C.2.2.2.4 wildcard matching), no leading or trailing space
    private static final java.util.regex.Pattern ACCESSION =
            java.util.regex.Pattern.compile(
                    "[^\\\\*?\\s\\p{Cntrl}]([^\\\\*?\\p{Cntrl}]{0,14}[^\\\\*?\\s\\p{Cntrl}])?");

    private static Instant startOf(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * @return instances seen in the study, instances delivered now
     */
    private int[] pullStudy(PacsSource.Study found) {
        String study = found.studyUid();
        int announced = found.announcedInstances();
        if (announced >= 0 && announced <= ledger.countOfStudy(route, study)) {
            return new int[] {announced, 0};
        }
        List<Locator> instances = pacs.instancesOf(study);
        Set<String> known = ledger.knownOfStudy(route, study);
        List<Locator> fresh =
                instances.stream().filter(i -> !known.contains(ledger.digest(i.sop()))).toList();
        if (fresh.isEmpty()) {
            return new int[] {instances.size(), 0};
        }
        metrics.received(route, fresh.size());
        int delivered = 0;
        List<Pending> batch = new ArrayList<>();
        long batchBytes = 0;
        for (Locator locator : fresh) {
            byte[] original;
            try {
                original = pacs.retrieve(locator);
            } catch (PermanentFailureException e) {
                // the PACS refused the retrieve (a C-MOVE destination it does not know, a wrong AE
                // title): not the instance's fault, so not a dead letter; the poll ends, nothing
                // is recorded, and every poll asks again until the PACS is set right
                metrics.failed(route, 1);
                throw e;
            }
            DicomInstanceDeidentifier.Prepared prepared;
            try {
                prepared = deidentifier.deidentify(original);
            } catch (DicomInstanceDeidentifier.UnreadableInstanceException e) {
                park(List.of(locator), e.getMessage());
                continue;
            }
            if (prepared.quarantineReason().isPresent()) {
                keepInQuarantine(locator, prepared);
                continue;
            }
            batch.add(new Pending(locator, prepared));
            batchBytes += prepared.part10().length;
            if (batch.size() >= BATCH_INSTANCES || batchBytes >= BATCH_BYTES) {
                delivered += deliver(batch);
                batch = new ArrayList<>();
                batchBytes = 0;
            }
        }
        if (!batch.isEmpty()) {
            delivered += deliver(batch);
        }
        return new int[] {instances.size(), delivered};
    }

    /** STOW-RS of a batch; a batch Quorum refuses whole is sent again instance by instance. */
    private int deliver(List<Pending> batch) {
        DicomWebPeer.StowAnswer answer;
        long started = System.nanoTime();
        try {
            answer =
                    quorum.store(
                            "STOW-RS of " + batch.size() + " instances from " + route,
                            batch.stream().map(p -> p.prepared().part10()).toList());
        } catch (PermanentFailureException e) {
            if (batch.size() == 1) {
                park(
                        List.of(batch.get(0).locator()),
                        "Quorum refused the instance: " + e.getMessage());
                return 0;
            }
            int delivered = 0;
            for (Pending pending : batch) {
                delivered += deliver(List.of(pending));
            }
            return delivered;
        } finally {
            metrics.stage("quorum", System.nanoTime() - started);
        }
        Map<String, String> failed = new LinkedHashMap<>();
        for (JsonNode item : answer.body().path(FAILED_SOP_SEQUENCE).path("Value")) {
            failed.put(
                    DicomWebPeer.text(item, REFERENCED_SOP_UID),
                    Integer.toHexString(DicomWebPeer.integer(item, FAILURE_REASON))
                            .toUpperCase(java.util.Locale.ROOT));
        }
        List<Pending> stored = new ArrayList<>();
        List<Pending> refused = new ArrayList<>();
        for (Pending pending : batch) {
            (failed.containsKey(pending.prepared().sopPseudonym()) ? refused : stored).add(pending);
        }
        if (answer.status() == 409 && failed.isEmpty()) {
            refused.addAll(stored);
            stored.clear();
        }
        database.inTransaction(
                connection -> {
                    List<Crosswalk.Entry> entries = new ArrayList<>();
                    for (Pending pending : stored) {
                        ledger.record(
                                connection,
                                route,
                                pending.locator().study(),
                                pending.locator().sop(),
                                DicomLedger.State.DELIVERED);
                        entries.addAll(crosswalkEntries(pending.prepared()));
                    }
                    crosswalk.record(connection, entries);
                    for (Pending pending : refused) {
                        String code = failed.getOrDefault(pending.prepared().sopPseudonym(), "");
                        parkIn(
                                connection,
                                pending.locator(),
                                "Quorum's STOW-RS answered "
                                        + answer.status()
                                        + (code.isEmpty() ? "" : ", failure reason " + code + "H"));
                    }
                    return null;
                });
        metrics.delivered(route, stored.size(), stored.size());
        if (!refused.isEmpty()) {
            metrics.deadLettered(route, refused.size());
            LOG.warn(
                    "{}: Quorum refused {} instance(s); parked as dead letters",
                    route,
                    refused.size());
        }
        return stored.size();
    }

    private List<Crosswalk.Entry> crosswalkEntries(DicomInstanceDeidentifier.Prepared prepared) {
        String source = pacs.name();
        List<Crosswalk.Entry> entries = new ArrayList<>();
        prepared.uids()
                .forEach(
                        (original, pseudonym) ->
                                entries.add(
                                        new Crosswalk.Entry(
                                                Crosswalk.Kind.DICOM_UID,
                                                original,
                                                pseudonym,
                                                source)));
        prepared.patientId()
                .ifPresent(
                        id ->
                                entries.add(
                                        new Crosswalk.Entry(
                                                Crosswalk.Kind.IDENTIFIER,
                                                PATIENT_ID_SYSTEM + "|" + id.getKey(),
                                                id.getValue(),
                                                source)));
        return entries;
    }

    /** Crosswalk system of DICOM Patient IDs (0010,0020). */
    public static final String PATIENT_ID_SYSTEM = "dicom:PatientID";

    private void keepInQuarantine(Locator locator, DicomInstanceDeidentifier.Prepared prepared) {
        database.inTransaction(
                connection -> {
                    quarantine.keep(
                            connection,
                            route,
                            ledger.digest(locator.sop()),
                            prepared.studyPseudonym(),
                            prepared.sopPseudonym(),
                            prepared.sopClass(),
                            prepared.modality(),
                            prepared.quarantineReason().orElseThrow(),
                            prepared.part10());
                    ledger.record(
                            connection,
                            route,
                            locator.study(),
                            locator.sop(),
                            DicomLedger.State.QUARANTINED);
                    crosswalk.record(connection, crosswalkEntries(prepared));
                    return null;
                });
        metrics.quarantined(route);
        LOG.info(
                "{}: instance {} quarantined: {}",
                route,
                prepared.sopPseudonym(),
                prepared.quarantineReason().orElseThrow());
    }

    private void park(List<Locator> locators, String reason) {
        database.inTransaction(
                connection -> {
                    for (Locator locator : locators) {
                        parkIn(connection, locator, reason);
                    }
                    return null;
                });
        metrics.deadLettered(route, locators.size());
    }

    private void parkIn(java.sql.Connection connection, Locator locator, String reason)
            throws java.sql.SQLException {
        String payload =
                JSON.createObjectNode()
                        .put("study", locator.study())
                        .put("series", locator.series())
                        .put("sop", locator.sop())
                        .toString();
        deadLetters.park(
                connection,
                route,
                ledger.digest(locator.sop()),
                DeadLetterStore.PayloadKind.DICOM_INSTANCE,
                payload,
                reason,
                1);
        ledger.record(
                connection, route, locator.study(), locator.sop(), DicomLedger.State.DEAD_LETTER);
    }

    /** A parked instance is forgotten by the ledger: the next poll fetches it again. */
    /**
     * Sends a quarantined instance to Quorum after a person looked at it and released it ({@code
     * quorum bridge quarantine release}): STOW-RS of the de-identified copy kept in quarantine;
     * only when Quorum stored it is it recorded as delivered and taken out of the quarantine.
     *
     * @throws PermanentFailureException when Quorum refuses it (it stays in quarantine)
     */
    public void release(Quarantine.Held held) {
        DicomWebPeer.StowAnswer answer =
                quorum.store(
                        "STOW-RS of a released instance from " + route,
                        List.of(held.deidentified()));
        if (answer.status() != 200
                || !answer.body().path(FAILED_SOP_SEQUENCE).path("Value").isEmpty()) {
            throw new PermanentFailureException(
                    "Quorum did not store the released instance: STOW-RS answered "
                            + answer.status(),
                    new org.quorum.bridge.resilience.Failure(
                            org.quorum.bridge.resilience.Failure.Kind.PERMANENT,
                            answer.status(),
                            java.util.Optional.empty(),
                            "STOW-RS answered " + answer.status()),
                    null);
        }
        database.inTransaction(
                connection -> {
                    ledger.markDelivered(connection, route, held.sopDigest());
                    quarantine.remove(connection, held.id());
                    return null;
                });
        metrics.delivered(route, 1, 1);
        LOG.info("{}: quarantined instance {} released and delivered", route, held.id());
    }

    public boolean requeue(String sopDigest) {
        return database.inTransaction(connection -> ledger.forget(connection, route, sopDigest));
    }
}
