package org.quorum.bridge;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.quorum.bridge.auth.AccessTokens;
import org.quorum.bridge.auth.SmartTokenClient;
import org.quorum.bridge.config.BridgeSettings;
import org.quorum.bridge.config.ClientAuth;
import org.quorum.bridge.config.EhrSettings;
import org.quorum.bridge.config.MllpSettings;
import org.quorum.bridge.config.PacsSettings;
import org.quorum.bridge.config.WriteBackSettings;
import org.quorum.bridge.ehr.EhrPullService;
import org.quorum.bridge.fhir.FhirPeer;
import org.quorum.bridge.hl7.Hl7DeliveryService;
import org.quorum.bridge.hl7.Hl7Intake;
import org.quorum.bridge.hl7.Hl7ToFhir;
import org.quorum.bridge.ingest.DeadLetterRetryService;
import org.quorum.bridge.ingest.IngestService;
import org.quorum.bridge.ops.BridgeMetrics;
import org.quorum.bridge.ops.OpsServer;
import org.quorum.bridge.ops.RouteStatus;
import org.quorum.bridge.pacs.DicomInstanceDeidentifier;
import org.quorum.bridge.pacs.DicomWebPeer;
import org.quorum.bridge.pacs.DicomWebSource;
import org.quorum.bridge.pacs.DimseSource;
import org.quorum.bridge.pacs.PacsPullService;
import org.quorum.bridge.pacs.PacsSource;
import org.quorum.bridge.resilience.Failure;
import org.quorum.bridge.resilience.PermanentFailureException;
import org.quorum.bridge.resilience.ResilientEndpoint;
import org.quorum.bridge.routes.BridgeRoutes;
import org.quorum.bridge.store.BridgeDatabase;
import org.quorum.bridge.store.Crosswalk;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.store.DeliveryLedger;
import org.quorum.bridge.store.DicomLedger;
import org.quorum.bridge.store.Encryptor;
import org.quorum.bridge.store.Inbox;
import org.quorum.bridge.store.Quarantine;
import org.quorum.bridge.store.Watermarks;
import org.quorum.bridge.writeback.EhrWriteBackService;
import org.quorum.bridge.writeback.PacsSrWriteBackService;
import org.quorum.deid.dicom.DicomDeidentifier;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * The bridge's composition root: every service built here with its constructor, in the order they
 * depend on each other, then the Camel routes and the ops port. {@code quorum bridge} and the tests
 * both call {@link #start(BridgeSettings)}.
 */
public final class BridgeApp implements AutoCloseable {

    /** Where the admin token for {@code quorum bridge dead-letters} is kept (mode 0600). */
    public static final String ADMIN_TOKEN_FILE = "admin.token";

    /** Where the ops port's URL is recorded for {@code quorum bridge status}. */
    public static final String OPS_URL_FILE = "ops.url";

    private final BridgeDatabase database;
    private final DeliveryLedger ledger;
    private final CamelContext camel;
    private final OpsServer ops;
    private final Map<String, RouteStatus> statuses;
    private final DeadLetterStore deadLetters;
    private final Crosswalk crosswalk;
    private final BridgeMetrics metrics;
    private final AutoCloseable dimse;

    private BridgeApp(
            BridgeDatabase database,
            DeliveryLedger ledger,
            CamelContext camel,
            OpsServer ops,
            Map<String, RouteStatus> statuses,
            DeadLetterStore deadLetters,
            Crosswalk crosswalk,
            BridgeMetrics metrics,
            AutoCloseable dimse) {
        this.database = database;
        this.ledger = ledger;
        this.camel = camel;
        this.ops = ops;
        this.statuses = statuses;
        this.deadLetters = deadLetters;
        this.crosswalk = crosswalk;
        this.metrics = metrics;
        this.dimse = dimse;
    }

    /** Builds and starts everything; the routes run until {@link #close()}. */
    public static BridgeApp start(BridgeSettings settings) throws IOException {
        return start(settings, Clock.systemUTC(), new DefaultCamelContext());
    }

    /** As {@link #start(BridgeSettings)}, with the clock and Camel context given (tests). */
    public static BridgeApp start(BridgeSettings settings, Clock clock, CamelContext camel)
            throws IOException {
        Encryptor encryptor =
                Encryptor.fromKeyFile(
                        settings.store().encryptionKeyFile(),
                        !settings.store().keyFileConfigured());
        BridgeDatabase database = BridgeDatabase.open(settings.store());
        try {
            return wire(settings, clock, camel, encryptor, database);
        } catch (RuntimeException | IOException e) {
            database.close();
            throw e;
        }
    }

    private static BridgeApp wire(
            BridgeSettings settings,
            Clock clock,
            CamelContext camel,
            Encryptor encryptor,
            BridgeDatabase database)
            throws IOException {
        FhirContext fhir = FhirContext.forR4();
        // FHIR R4 §6.3: a Provenance names the version it is about; HAPI strips versions elsewhere
        fhir.getParserOptions().setDontStripVersionsFromReferencesAtPaths("Provenance.target");
        BridgeMetrics metrics = new BridgeMetrics();
        Crosswalk crosswalk = new Crosswalk(database, encryptor, clock);
        Watermarks watermarks = new Watermarks(database, clock);
        DeliveryLedger ledger = new DeliveryLedger(database, clock);
        DeadLetterStore deadLetters = new DeadLetterStore(database, encryptor, clock);
        Inbox inbox = new Inbox(database, encryptor, clock);
        ResilientEndpoint.Sleeper sleeper = duration -> Thread.sleep(duration.toMillis());

        ResilientEndpoint quorumEndpoint =
                new ResilientEndpoint(
                        "quorum", settings.reliability(), clock, sleeper, metrics::retrying);
        metrics.declareEndpoint("quorum", () -> quorumEndpoint.breaker().getState().name());
        SmartTokenClient quorumTokens =
                new SmartTokenClient(
                        settings.quorum().auth(),
                        settings.quorum().fhirBase(),
                        settings.quorum().connectTimeout(),
                        settings.quorum().readTimeout(),
                        clock);
        FhirPeer quorum =
                new FhirPeer(
                        fhir,
                        settings.quorum().fhirBase(),
                        settings.quorum().connectTimeout(),
                        settings.quorum().readTimeout(),
                        new AccessTokens(settings.quorum().auth(), quorumTokens),
                        quorumEndpoint);
        Supplier<PhiLexicon> lexicon = new Memo<>(PhiLexicon::standard);
        // The dictionaries take seconds to load: at start-up, not in the first delivery.
        lexicon.get();
        IngestService ingest =
                new IngestService(
                        fhir,
                        settings.deid().keys(),
                        settings.deid().policy(),
                        lexicon,
                        clock,
                        quorum,
                        settings.quorum().project(),
                        database,
                        crosswalk,
                        ledger,
                        deadLetters,
                        watermarks,
                        metrics);

        Map<String, RouteStatus> statuses = new LinkedHashMap<>();
        List<EhrPullService> pulls = new ArrayList<>();
        long pollMillis = 60_000;
        FhirPeer ehrPeer = null;
        if (settings.ehr().isPresent()) {
            EhrSettings ehrSettings = settings.ehr().get();
            pollMillis = ehrSettings.pollInterval().toMillis();
            ResilientEndpoint ehrEndpoint =
                    new ResilientEndpoint(
                            "ehr", settings.reliability(), clock, sleeper, metrics::retrying);
            metrics.declareEndpoint("ehr", () -> ehrEndpoint.breaker().getState().name());
            SmartTokenClient ehrTokens =
                    ehrSettings.auth() instanceof ClientAuth.Smart smart
                            ? new SmartTokenClient(
                                    smart,
                                    ehrSettings.fhirBase(),
                                    ehrSettings.connectTimeout(),
                                    ehrSettings.readTimeout(),
                                    clock)
                            : null;
            FhirPeer ehr =
                    new FhirPeer(
                            fhir,
                            ehrSettings.fhirBase(),
                            ehrSettings.connectTimeout(),
                            ehrSettings.readTimeout(),
                            new AccessTokens(ehrSettings.auth(), ehrTokens),
                            ehrEndpoint);
            ehrPeer = ehr;
            int n = 0;
            for (String query : ehrSettings.queries()) {
                String route = "ehr-" + (++n);
                RouteStatus status = new RouteStatus(route, "fhir-pull", query, clock);
                statuses.put(route, status);
                metrics.declareRoute(route, status::lag);
                pulls.add(
                        new EhrPullService(
                                route,
                                query,
                                ehrSettings,
                                ehr,
                                fhir.newTerser(),
                                ingest,
                                watermarks,
                                ledger,
                                status,
                                metrics,
                                clock));
            }
        }

        DicomLedger dicomLedger = new DicomLedger(database, encryptor, clock);
        Quarantine quarantine = new Quarantine(database, encryptor, clock);
        List<PacsPullService> pacsPulls = new ArrayList<>();
        DicomWebPeer pacsPeer = null;
        DicomWebPeer quorumDicomWebPeer = null;
        DimseSource dimse = null;
        if (settings.pacs().isPresent()) {
            PacsSettings pacsSettings = settings.pacs().get();
            ResilientEndpoint pacsEndpoint =
                    new ResilientEndpoint(
                            "pacs", settings.reliability(), clock, sleeper, metrics::retrying);
            metrics.declareEndpoint("pacs", () -> pacsEndpoint.breaker().getState().name());
            DicomWebPeer quorumDicomWeb =
                    new DicomWebPeer(
                            settings.quorum().dicomWebRoot(),
                            settings.quorum().connectTimeout(),
                            settings.quorum().readTimeout(),
                            new AccessTokens(settings.quorum().auth(), quorumTokens),
                            quorumEndpoint,
                            clock);
            quorumDicomWebPeer = quorumDicomWeb;
            DicomInstanceDeidentifier dicomDeid =
                    new DicomInstanceDeidentifier(
                            new DicomDeidentifier(
                                    settings.deid().keys(),
                                    lexicon,
                                    settings.deid().policy(),
                                    clock),
                            settings.deid().keys());
            Map<String, PacsSource> sources = new LinkedHashMap<>();
            if (pacsSettings.dicomWebRoot().isPresent()) {
                DicomWebPeer pacs =
                        new DicomWebPeer(
                                pacsSettings.dicomWebRoot().get(),
                                pacsSettings.connectTimeout(),
                                pacsSettings.readTimeout(),
                                new AccessTokens(pacsSettings.auth(), null),
                                pacsEndpoint,
                                clock);
                pacsPeer = pacs;
                sources.put(
                        BridgeRoutes.PACS_DICOMWEB_ROUTE,
                        new DicomWebSource(
                                pacs, pacsSettings.pageSize(), BridgeRoutes.PACS_DICOMWEB_ROUTE));
            }
            if (pacsSettings.dimse().isPresent()) {
                ResilientEndpoint dimseEndpoint =
                        new ResilientEndpoint(
                                "pacs-dimse",
                                settings.reliability(),
                                clock,
                                sleeper,
                                metrics::retrying);
                metrics.declareEndpoint(
                        "pacs-dimse", () -> dimseEndpoint.breaker().getState().name());
                dimse =
                        new DimseSource(
                                pacsSettings.dimse().get(),
                                dimseEndpoint,
                                BridgeRoutes.PACS_DIMSE_ROUTE,
                                settings.store().dataDir().resolve("dimse-incoming"));
                if (pacsSettings.dimse().get().pull()) {
                    sources.put(BridgeRoutes.PACS_DIMSE_ROUTE, dimse);
                }
            }
            for (Map.Entry<String, PacsSource> source : sources.entrySet()) {
                String route = source.getKey();
                RouteStatus status =
                        new RouteStatus(
                                route,
                                route.equals(BridgeRoutes.PACS_DIMSE_ROUTE)
                                        ? "dimse-pull"
                                        : "dicomweb-pull",
                                source.getValue().name(),
                                clock);
                statuses.put(route, status);
                metrics.declareRoute(route, status::lag);
                pacsPulls.add(
                        new PacsPullService(
                                route,
                                pacsSettings,
                                source.getValue(),
                                quorumDicomWeb,
                                dicomDeid,
                                database,
                                dicomLedger,
                                quarantine,
                                crosswalk,
                                deadLetters,
                                watermarks,
                                status,
                                metrics,
                                clock));
            }
        }

        MllpSettings mllp = settings.mllp().orElse(null);
        Hl7Intake intake = null;
        Hl7DeliveryService hl7Delivery = null;
        Map<String, Hl7DeliveryService> hl7Routes = new HashMap<>();
        if (mllp != null) {
            String route = BridgeRoutes.HL7_ROUTE;
            Hl7ToFhir converter = new Hl7ToFhir(mllp.identifierSystem(), ZoneId.systemDefault());
            intake =
                    new Hl7Intake(
                            route, converter, database, inbox, ledger, deadLetters, metrics, clock);
            hl7Delivery = new Hl7DeliveryService(route, intake, converter, ingest, database, inbox);
            hl7Routes.put(route, hl7Delivery);
            RouteStatus status =
                    new RouteStatus(route, "hl7-mllp", mllp.host() + ":" + mllp.port(), clock);
            statuses.put(route, status);
            metrics.declareRoute(
                    route,
                    () ->
                            inbox.oldest(route)
                                    .map(oldest -> Duration.between(oldest, clock.instant()))
                                    .orElse(Duration.ZERO));
        }
        EhrWriteBackService writeBack = null;
        if (settings.writeBack().map(WriteBackSettings::ehr).orElse(false) && ehrPeer != null) {
            RouteStatus status =
                    new RouteStatus(
                            EhrWriteBackService.ROUTE,
                            "label-write-back",
                            "final labels -> " + ehrPeer.base(),
                            clock);
            statuses.put(EhrWriteBackService.ROUTE, status);
            metrics.declareRoute(EhrWriteBackService.ROUTE, status::lag);
            writeBack =
                    new EhrWriteBackService(
                            settings.writeBack().get(),
                            settings.quorum().project(),
                            fhir,
                            database,
                            quorum,
                            ehrPeer,
                            crosswalk,
                            ledger,
                            watermarks,
                            deadLetters,
                            status,
                            metrics,
                            clock);
        }
        List<PacsSrWriteBackService> srWriteBacks = new ArrayList<>();
        if (settings.writeBack().map(WriteBackSettings::pacs).orElse(false) && pacsPeer != null) {
            RouteStatus status =
                    new RouteStatus(
                            PacsSrWriteBackService.ROUTE,
                            "sr-write-back",
                            "SRs of final labels -> " + pacsPeer.root(),
                            clock);
            statuses.put(PacsSrWriteBackService.ROUTE, status);
            metrics.declareRoute(PacsSrWriteBackService.ROUTE, status::lag);
            srWriteBacks.add(
                    PacsSrWriteBackService.byStow(
                            settings.writeBack().get(),
                            settings.quorum().project(),
                            quorum,
                            quorumDicomWebPeer,
                            pacsPeer,
                            crosswalk,
                            ledger,
                            watermarks,
                            deadLetters,
                            status,
                            metrics));
        }
        if (settings.writeBack().map(WriteBackSettings::pacsDimse).orElse(false) && dimse != null) {
            RouteStatus status =
                    new RouteStatus(
                            PacsSrWriteBackService.DIMSE_ROUTE,
                            "sr-write-back-dimse",
                            "SRs of final labels -> C-STORE " + dimse.name(),
                            clock);
            statuses.put(PacsSrWriteBackService.DIMSE_ROUTE, status);
            metrics.declareRoute(PacsSrWriteBackService.DIMSE_ROUTE, status::lag);
            srWriteBacks.add(
                    PacsSrWriteBackService.byCStore(
                            settings.writeBack().get(),
                            settings.quorum().project(),
                            quorum,
                            quorumDicomWebPeer,
                            dimse,
                            settings.store().dataDir().resolve("dimse-outgoing"),
                            crosswalk,
                            ledger,
                            watermarks,
                            deadLetters,
                            status,
                            metrics));
        }
        EhrWriteBackService writeBackRoute = writeBack;
        DeadLetterRetryService retries =
                new DeadLetterRetryService(
                        deadLetters,
                        ingest,
                        hl7Routes::get,
                        (route, sopDigest) ->
                                pacsPulls.stream()
                                        .anyMatch(
                                                p ->
                                                        p.route().equals(route)
                                                                && p.requeue(sopDigest)),
                        (route, key) -> {
                            for (PacsSrWriteBackService sr : srWriteBacks) {
                                if (sr.route().equals(route)) {
                                    return sr.retry(key);
                                }
                            }
                            return writeBackRoute != null && writeBackRoute.retry(key);
                        });

        String adminToken = adminToken(settings.store().dataDir());
        OpsServer ops =
                new OpsServer(
                        settings.ops().host(),
                        settings.ops().port(),
                        metrics,
                        () -> health(database, quorumEndpoint, statuses),
                        () ->
                                status(
                                        statuses,
                                        deadLetters,
                                        crosswalk,
                                        inbox,
                                        mllp,
                                        dicomLedger,
                                        quarantine),
                        deadLetters,
                        quarantine::list,
                        id -> {
                            java.util.Optional<Quarantine.Held> held = quarantine.held(id);
                            if (held.isEmpty()) {
                                return false;
                            }
                            PacsPullService pull =
                                    pacsPulls.stream()
                                            .filter(p -> p.route().equals(held.get().route()))
                                            .findFirst()
                                            .orElseThrow(
                                                    () ->
                                                            new PermanentFailureException(
                                                                    "route "
                                                                            + held.get().route()
                                                                            + " of the instance"
                                                                            + " is not configured",
                                                                    new Failure(
                                                                            Failure.Kind.PERMANENT,
                                                                            0,
                                                                            java.util.Optional
                                                                                    .empty(),
                                                                            "route not configured"),
                                                                    null));
                            pull.release(held.get());
                            return true;
                        },
                        adminToken);
        try {
            Files.writeString(
                    settings.store().dataDir().resolve(OPS_URL_FILE),
                    ops.baseUrl() + "\n",
                    StandardCharsets.UTF_8);
            camel.addRoutes(
                    new BridgeRoutes(
                            pulls,
                            pollMillis,
                            mllp,
                            intake,
                            hl7Delivery,
                            retries,
                            pacsPulls,
                            settings.pacs().map(p -> p.pollInterval().toMillis()).orElse(0L),
                            writeBack,
                            srWriteBacks,
                            settings.writeBack().map(w -> w.pollInterval().toMillis()).orElse(0L)));
            camel.getShutdownStrategy().setTimeout(30);
            camel.start();
        } catch (Exception e) {
            ops.close();
            if (dimse != null) {
                dimse.close();
            }
            throw new IllegalStateException(
                    "The bridge's routes did not start: " + e.getMessage(), e);
        }
        return new BridgeApp(
                database, ledger, camel, ops, statuses, deadLetters, crosswalk, metrics, dimse);
    }

    private static OpsServer.Health health(
            BridgeDatabase database, ResilientEndpoint quorum, Map<String, RouteStatus> statuses) {
        Map<String, String> checks = new LinkedHashMap<>();
        boolean up = true;
        if (database.isReachable()) {
            checks.put("database", "UP");
        } else {
            checks.put("database", "DOWN: the bridge's database does not answer");
            up = false;
        }
        String breaker = quorum.breaker().getState().name();
        checks.put("quorum", breaker.equals("OPEN") ? "DOWN: circuit breaker open" : "UP");
        up &= !breaker.equals("OPEN");
        for (RouteStatus status : statuses.values()) {
            RouteStatus.Snapshot snapshot = status.snapshot();
            checks.put(
                    snapshot.route(),
                    snapshot.lastError() == null
                            ? snapshot.state()
                            : "failing: " + snapshot.lastError());
        }
        return new OpsServer.Health(up, checks);
    }

    private static Object status(
            Map<String, RouteStatus> statuses,
            DeadLetterStore deadLetters,
            Crosswalk crosswalk,
            Inbox inbox,
            MllpSettings mllp,
            DicomLedger dicomLedger,
            Quarantine quarantine) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("routes", statuses.values().stream().map(RouteStatus::snapshot).toList());
        status.put("deadLetters", deadLetters.count());
        if (mllp != null) {
            status.put("hl7Inbox", inbox.size(BridgeRoutes.HL7_ROUTE));
        }
        status.put("crosswalkEntries", crosswalk.size());
        status.put("dicomInstances", dicomLedger.counts());
        status.put("quarantined", quarantine.list().size());
        return status;
    }

    /** A new random admin token at each start, readable by the bridge's owner only. */
    private static String adminToken(Path dataDir) throws IOException {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Path file = dataDir.resolve(ADMIN_TOKEN_FILE);
        Files.deleteIfExists(file);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(
                file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        return token;
    }

    public CamelContext camel() {
        return camel;
    }

    public java.net.URI opsUrl() {
        return ops.baseUrl();
    }

    public DeadLetterStore deadLetters() {
        return deadLetters;
    }

    public Crosswalk crosswalk() {
        return crosswalk;
    }

    public BridgeMetrics metrics() {
        return metrics;
    }

    public RouteStatus status(String route) {
        return statuses.get(route);
    }

    @Override
    public void close() {
        try {
            camel.close();
        } catch (Exception e) {
            throw new IllegalStateException("Camel did not stop cleanly: " + e.getMessage(), e);
        } finally {
            ops.close();
            try {
                if (dimse != null) {
                    dimse.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException("the DIMSE source did not stop", e);
            } finally {
                // The stores close whatever the DIMSE source did.
                ledger.close();
                database.close();
            }
        }
    }

    /** Computes a value once, on first use (the lexicon takes seconds to load). */
    private static final class Memo<T> implements Supplier<T> {
        private final Supplier<T> source;
        private volatile T value;

        Memo(Supplier<T> source) {
            this.source = source;
        }

        @Override
        public synchronized T get() {
            if (value == null) {
                value = source.get();
            }
            return value;
        }
    }
}
