package org.quorum.server;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import jakarta.servlet.ServletException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import org.quorum.audit.AuditInstaller;
import org.quorum.audit.AuditService;
import org.quorum.config.QuorumSettings;
import org.quorum.deid.fhir.operation.DeidOperationInstaller;
import org.quorum.dicom.DicomInstaller;
import org.quorum.dicom.store.DicomInstances;
import org.quorum.dicom.store.DicomStore;
import org.quorum.fhir.FhirInstaller;
import org.quorum.fhir.FhirJpaConfig;
import org.quorum.fhir.FhirRestConfig;
import org.quorum.labels.LabelReadModel;
import org.quorum.ops.Metrics;
import org.quorum.ops.OpsInstaller;
import org.quorum.platform.Platform;
import org.quorum.quality.QualityInstaller;
import org.quorum.quality.QualityService;
import org.quorum.security.SecurityCapability;
import org.quorum.security.SecurityInstaller;
import org.quorum.security.SecurityService;
import org.quorum.security.SecurityStore;
import org.quorum.security.fhir.Principals;
import org.quorum.security.http.CorsHandler;
import org.quorum.security.http.SecurityHeadersHandler;
import org.quorum.security.http.TlsContexts;
import org.quorum.storage.StartupLock;
import org.quorum.ui.UiInstaller;
import org.quorum.workflow.WorkflowInstaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * The composition root: starts the HTTP listener behind a start-up gate, HAPI FHIR JPA (in its
 * Spring context), then installs each capability in order and opens the gate to the routes they
 * registered. Every object Quorum owns is created by a capability's installer, called from here.
 *
 * <p>Routes: {@code /fhir/*} (HAPI FHIR R4, with the quality operations, {@code $deidentify} and
 * {@code $dicom-sr}), {@code /health}, {@code /health/ready}, {@code /health/live}, {@code
 * /metrics}, {@code /quality/report/{id}}, {@code /dicomweb/*} (DICOMweb, Jersey), {@code /auth/*},
 * the SMART discovery document and {@code /ui/} (the reviewer web UI).
 */
public final class QuorumServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuorumServer.class);

    private final AnnotationConfigApplicationContext spring;
    private final Platform platform;
    private final Platform.Deployment deployment;
    private final Undertow undertow;
    private final Metrics metrics;
    private final URI baseUrl;
    private final AuditService audit;
    private final SecurityCapability security;
    private final DicomStore dicom;
    private final QualityService quality;

    private QuorumServer(
            AnnotationConfigApplicationContext spring,
            Platform platform,
            Platform.Deployment deployment,
            Undertow undertow,
            URI baseUrl,
            AuditService audit,
            SecurityCapability security,
            DicomStore dicom,
            QualityService quality) {
        this.spring = spring;
        this.platform = platform;
        this.deployment = deployment;
        this.undertow = undertow;
        this.metrics = platform.metrics();
        this.baseUrl = baseUrl;
        this.audit = audit;
        this.security = security;
        this.dicom = dicom;
        this.quality = quality;
    }

    /** Starts everything; returns once the server answers requests. */
    public static QuorumServer start(QuorumSettings settings) {
        Metrics metrics = new Metrics();
        StartupGate gate = new StartupGate();
        Undertow undertow = listen(settings, metrics, gate);
        AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext();
        Platform platform = null;
        try {
            spring.registerBean(QuorumSettings.class, () -> settings);
            spring.register(FhirJpaConfig.class, FhirRestConfig.class);

            AuditService audit;
            SecurityCapability security;
            DicomStore dicom;
            QualityService quality;
            // One node at a time through HAPI's initialisation and the install-once steps (FHIR
            // package, derived tables).
            try (StartupLock lock = StartupLock.acquire(settings.storage())) {
                spring.refresh();
                platform = new Platform(settings, spring, metrics, Clock.systemUTC());
                LabelReadModel labels = FhirInstaller.install(platform);
                audit = AuditInstaller.install(platform, Principals::identityOf);
                security = SecurityInstaller.install(platform, audit);
                quality = QualityInstaller.install(platform, security, labels);
                DeidOperationInstaller.install(platform);
                dicom = DicomInstaller.install(platform, security);
                WorkflowInstaller.install(platform, quality, labels);
                OpsInstaller.install(platform, security, java.util.List.of(audit::health));
            }
            UiInstaller.install(platform);

            Platform.Deployment deployment = platform.deploy();
            gate.open(deployment.handler());
            try {
                ServerRecord.write(settings.storage().dataDir(), baseUrl(undertow));
            } catch (java.io.IOException e) {
                LOG.warn(
                        "Cannot record the server's address in the data directory: {}",
                        e.toString());
            }
            return new QuorumServer(
                    spring,
                    platform,
                    deployment,
                    undertow,
                    baseUrl(undertow),
                    audit,
                    security,
                    dicom,
                    quality);
        } catch (ServletException | RuntimeException e) {
            undertow.stop();
            if (platform != null) {
                platform.close();
            }
            spring.close();
            metrics.close();
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }

    /**
     * Binds the port first, behind a gate that answers 503 until the server is ready, so that a
     * port conflict fails in a second, not after the JPA start-up.
     */
    private static Undertow listen(QuorumSettings settings, Metrics metrics, StartupGate gate) {
        Undertow.Builder listeners =
                Undertow.builder()
                        // Undertow's default limit is 2 MiB per request body; a study or a
                        // transaction Bundle is often larger. One MiB over the configured limit,
                        // so that STOW-RS answers its own 413 with a reason.
                        .setServerOption(
                                UndertowOptions.MAX_ENTITY_SIZE,
                                ((long) settings.http().maxRequestMegabytes() + 1) << 20)
                        .setServerOption(
                                UndertowOptions.MULTIPART_MAX_ENTITY_SIZE,
                                ((long) settings.http().maxRequestMegabytes() + 1) << 20)
                        .addHttpListener(settings.http().port(), settings.http().host())
                        .setHandler(
                                metrics.timing(
                                        new SecurityHeadersHandler(
                                                new CorsHandler(
                                                        settings.transport().corsOrigins(),
                                                        gate))));
        settings.transport()
                .httpsPort()
                .ifPresent(
                        port ->
                                listeners.addHttpsListener(
                                        port,
                                        settings.http().host(),
                                        TlsContexts.fromKeystore(
                                                settings.transport().keystore().orElseThrow(),
                                                settings.transport().keystorePassword())));
        Undertow undertow = listeners.build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        return undertow;
    }

    private static URI baseUrl(Undertow undertow) {
        InetSocketAddress bound =
                (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
        String host = bound.getAddress().isAnyLocalAddress() ? "localhost" : bound.getHostString();
        return URI.create("http://" + host + ":" + bound.getPort());
    }

    /** A bean of HAPI's Spring context (tests compare Quorum's parts with HAPI's own). */
    public <T> T hapiBean(Class<T> type) {
        return spring.getBean(type);
    }

    /** The quality capability (its label index: the quality benchmark loads through it). */
    public QualityService quality() {
        return quality;
    }

    /** Where the server listens, e.g. {@code http://127.0.0.1:8080}. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** The HTTPS address, when HTTPS is on. */
    public java.util.Optional<URI> httpsUrl() {
        return undertow.getListenerInfo().stream()
                .filter(l -> l.getProtcol().equals("https"))
                .findFirst()
                .map(l -> (InetSocketAddress) l.getAddress())
                .map(a -> URI.create("https://localhost:" + a.getPort()));
    }

    /** The security capability (tests issue tokens with it). */
    public SecurityService security() {
        return security.service();
    }

    /** Where users, clients and keys live (files, or the shared database). */
    public SecurityStore securityStore() {
        return security.store();
    }

    /** The server's database connection pool (tests read Quorum's tables with it). */
    public javax.sql.DataSource dataSource() {
        return platform.dataSource();
    }

    /** The DICOM store (Part 10 files and their index). */
    public DicomInstances dicomInstances() {
        return dicom;
    }

    /** The audit trail writer (tests flush it before searching AuditEvents). */
    public AuditService audit() {
        return audit;
    }

    public URI fhirBaseUrl() {
        return baseUrl.resolve("/fhir");
    }

    @Override
    public void close() {
        LOG.info("Stopping Quorum");
        ServerRecord.remove(platform.settings().storage().dataDir());
        undertow.stop();
        deployment.stop();
        platform.close();
        spring.close();
        metrics.close();
    }
}
