package org.quorum.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.packages.IPackageInstallerSvc;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.persistence.EntityManagerFactory;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.dbcp2.BasicDataSource;
import org.glassfish.jersey.servlet.ServletContainer;
import org.hl7.fhir.r4.model.AuditEvent;
import org.quorum.audit.AuditEventMapper;
import org.quorum.audit.AuditService;
import org.quorum.audit.FhirAuditInterceptor;
import org.quorum.config.QuorumSettings;
import org.quorum.deid.fhir.FhirDeidentificationService;
import org.quorum.deid.fhir.operation.DeidentifyOperation;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.lexicon.PhiLexicon;
import org.quorum.dicom.fhir.ImagingStudyMirror;
import org.quorum.dicom.sr.DicomSrService;
import org.quorum.dicom.sr.LabelSrMapper;
import org.quorum.dicom.sr.MeasurementReportBuilder;
import org.quorum.dicom.sr.fhir.DaoLabelReferences;
import org.quorum.dicom.sr.fhir.DicomSrOperation;
import org.quorum.dicom.sr.fhir.FinalLabelSrInterceptor;
import org.quorum.dicom.sr.fhir.LabelSrPublisher;
import org.quorum.dicom.store.DicomInstances;
import org.quorum.dicom.store.DicomStore;
import org.quorum.dicom.store.index.DicomIndex;
import org.quorum.dicom.web.DicomWebApplication;
import org.quorum.fhir.DecimalLimits;
import org.quorum.fhir.FhirJpaConfig;
import org.quorum.fhir.FhirRestConfig;
import org.quorum.fhir.FhirWriteMetrics;
import org.quorum.fhir.QuorumVersion;
import org.quorum.fhir.SafeErrorInterceptor;
import org.quorum.fhir.profiles.CapabilityStatementProfiles;
import org.quorum.fhir.profiles.ProfilePackageInstaller;
import org.quorum.fhir.profiles.ProfileValidationInterceptor;
import org.quorum.ops.HealthHandler;
import org.quorum.ops.HealthService;
import org.quorum.ops.Metrics;
import org.quorum.quality.QualityService;
import org.quorum.quality.consistency.ConsistencyInterceptor;
import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.fhir.ProjectQualityOperations;
import org.quorum.quality.fhir.SchemaImpactOperations;
import org.quorum.quality.report.QualityReportHandler;
import org.quorum.security.CaseAssignments;
import org.quorum.security.LocalSecrets;
import org.quorum.security.Role;
import org.quorum.security.SecurityService;
import org.quorum.security.fhir.FhirAccessInterceptor;
import org.quorum.security.fhir.FhirAuthenticationInterceptor;
import org.quorum.security.fhir.Principals;
import org.quorum.security.fhir.QuorumAuthorizationInterceptor;
import org.quorum.security.fhir.QuorumSearchNarrowingInterceptor;
import org.quorum.security.http.AuthEndpoints;
import org.quorum.security.http.BearerAuthHandler;
import org.quorum.security.http.CorsHandler;
import org.quorum.security.http.SecurityHeadersHandler;
import org.quorum.security.http.TlsContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.orm.jpa.JpaTransactionManager;

/**
 * The composition root: builds HAPI FHIR JPA (in its Spring context), Quorum's own services and the
 * HTTP listener, and wires them together. Every object Quorum owns is created here.
 *
 * <p>Routes: {@code /fhir/*} (HAPI FHIR R4, with the quality operations, {@code $deidentify} and
 * {@code $dicom-sr}), {@code /health}, {@code /health/ready}, {@code /health/live}, {@code
 * /metrics}, {@code /quality/report/{id}}, {@code /dicomweb/*} (DICOMweb, Jersey).
 */
public final class QuorumServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuorumServer.class);

    private final AnnotationConfigApplicationContext spring;
    private final DeploymentManager deployment;
    private final Undertow undertow;
    private final Metrics metrics;
    private final URI baseUrl;
    private final AuditService audit;
    private final SecurityService security;
    private final DicomStore dicom;

    private QuorumServer(
            AnnotationConfigApplicationContext spring,
            DeploymentManager deployment,
            Undertow undertow,
            Metrics metrics,
            URI baseUrl,
            AuditService audit,
            SecurityService security,
            DicomStore dicom) {
        this.dicom = dicom;
        this.audit = audit;
        this.security = security;
        this.spring = spring;
        this.deployment = deployment;
        this.undertow = undertow;
        this.metrics = metrics;
        this.baseUrl = baseUrl;
    }

    /** Starts everything; returns once the server answers requests. */
    public static QuorumServer start(QuorumSettings settings) {
        Metrics metrics = new Metrics();
        StartupGate gate = new StartupGate();
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
        AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext();
        try {
            SecurityService security =
                    SecurityService.create(
                            settings.security(), settings.storage().dataDir(), Clock.systemUTC());
            spring.registerBean(QuorumSettings.class, () -> settings);
            spring.register(FhirJpaConfig.class, FhirRestConfig.class);
            spring.refresh();

            FhirContext fhir = spring.getBean(FhirContext.class);
            IInterceptorService storageInterceptors =
                    spring.getBean("jpaInterceptorService", IInterceptorService.class);
            storageInterceptors.registerInterceptor(
                    new ProfileValidationInterceptor(
                            fhir, spring.getBean(IInstanceValidatorModule.class)));
            storageInterceptors.registerInterceptor(new FhirWriteMetrics(metrics.registry()));
            storageInterceptors.registerInterceptor(new DecimalLimits(fhir));
            new ProfilePackageInstaller(spring.getBean(IPackageInstallerSvc.class))
                    .install(packageVersion());
            // The package brings the "project" search parameter: use it from the first request,
            // not from the registry's next scheduled refresh.
            spring.getBean(ISearchParamRegistry.class).forceRefresh();

            QualityService quality =
                    new QualityService(
                            new FhirQualityStore(spring.getBean(DaoRegistry.class)),
                            Clock.systemUTC());
            storageInterceptors.registerInterceptor(
                    new ConsistencyInterceptor(
                            quality.consistencyService(),
                            spring.getBean(IHapiTransactionService.class)));

            @SuppressWarnings("unchecked")
            IFhirResourceDao<AuditEvent> auditDao =
                    spring.getBean(DaoRegistry.class).getResourceDao(AuditEvent.class);
            AuditService audit =
                    new AuditService(
                            auditDao,
                            new AuditEventMapper("Quorum", settings.http().host()),
                            metrics.registry());

            RestfulServer fhirServer = spring.getBean(RestfulServer.class);
            fhirServer.registerInterceptor(
                    new FhirAuditInterceptor(audit, Principals::identityOf, Clock.systemUTC()));
            CaseAssignments assignments = new CaseAssignments(spring.getBean(DaoRegistry.class));
            fhirServer.registerInterceptor(new FhirAuthenticationInterceptor(security.verifier()));
            fhirServer.registerInterceptor(new FhirAccessInterceptor(security.policy()));
            fhirServer.registerInterceptor(
                    new QuorumAuthorizationInterceptor(fhir, security.policy(), assignments));
            fhirServer.registerInterceptor(
                    new QuorumSearchNarrowingInterceptor(fhir, security.policy(), assignments));
            fhirServer.registerInterceptor(new CapabilityStatementProfiles(QuorumVersion.get()));
            fhirServer.registerInterceptor(new SafeErrorInterceptor());
            fhirServer.registerProvider(new ProjectQualityOperations(quality));
            fhirServer.registerProvider(new SchemaImpactOperations(quality));
            // De-identification: $deidentify (answers 501 when no secret is configured).
            fhirServer.registerProvider(
                    new DeidentifyOperation(
                            settings.deid()
                                    .keys()
                                    .map(
                                            keys ->
                                                    new FhirDeidentificationService(
                                                            fhir,
                                                            keys,
                                                            PhiLexicon::standard,
                                                            Clock.systemUTC()))));

            BasicDataSource dataSource = spring.getBean(BasicDataSource.class);
            metrics.bindConnectionPool(dataSource);
            HealthService health = new HealthService(dataSource, Duration.ofSeconds(5));

            // DICOM: store (files + index in HAPI's database), ImagingStudy mirror, DICOMweb.
            DicomIndex dicomIndex =
                    new DicomIndex(
                            spring.getBean(EntityManagerFactory.class),
                            spring.getBean(JpaTransactionManager.class));
            DicomStore dicom =
                    new DicomStore(
                            settings.storage().dataDir().resolve("dicom"),
                            dicomIndex,
                            new ImagingStudyMirror(spring.getBean(DaoRegistry.class), dicomIndex));
            // Image labels -> TID 1500 SRs in the store: $dicom-sr, and automatically for final
            // labels. Annotators appear in SRs under a keyed pseudonym: the de-identification
            // secret's when one is configured, else this installation's own random key.
            DeidKeyService observerKeys =
                    settings.deid().keys().orElseGet(() -> localKeys(settings, "sr-observer.key"));
            LabelSrPublisher srPublisher =
                    new LabelSrPublisher(
                            new DicomSrService(
                                    dicom,
                                    new LabelSrMapper(
                                            new DaoLabelReferences(
                                                    spring.getBean(DaoRegistry.class)),
                                            reference ->
                                                    observerKeys.pseudonym(
                                                            IdentifierKind.OTHER_ID, reference)),
                                    new MeasurementReportBuilder(Clock.systemUTC())),
                            spring.getBean(DaoRegistry.class));
            fhirServer.registerProvider(new DicomSrOperation(srPublisher));
            storageInterceptors.registerInterceptor(
                    new FinalLabelSrInterceptor(
                            srPublisher, spring.getBean(IHapiTransactionService.class)));

            DeploymentManager deployment =
                    deployServlets(
                            fhirServer,
                            DicomWebApplication.servlet(
                                    dicom,
                                    security.policy(),
                                    assignments,
                                    settings.http().maxRequestMegabytes()));
            HttpHandler servlets = deployment.start();
            AuthEndpoints auth = new AuthEndpoints(security, audit, Clock.systemUTC());
            gate.open(
                    Handlers.path(servlets)
                            .addExactPath("/health", HealthHandler.readiness(health))
                            .addExactPath("/health/ready", HealthHandler.readiness(health))
                            .addExactPath("/health/live", HealthHandler.liveness(health))
                            .addExactPath(
                                    "/fhir/.well-known/smart-configuration",
                                    auth.smartConfiguration())
                            .addExactPath(
                                    "/.well-known/smart-configuration", auth.smartConfiguration())
                            .addExactPath("/auth/token", auth.token())
                            .addExactPath("/auth/jwks", auth.jwks())
                            .addExactPath(
                                    "/metrics",
                                    new BearerAuthHandler(
                                            security.verifier(),
                                            Set.of(
                                                    Role.PROJECT_ADMIN,
                                                    Role.INTEGRATION,
                                                    Role.AUDITOR),
                                            "metrics",
                                            audit,
                                            Clock.systemUTC(),
                                            metrics.scrapeHandler()))
                            // The report shows a project's quality to its admins (and auditors).
                            .addPrefixPath(
                                    QualityReportHandler.PATH,
                                    new BearerAuthHandler(
                                            security.verifier(),
                                            Set.of(Role.PROJECT_ADMIN, Role.AUDITOR),
                                            "quality-report",
                                            audit,
                                            Clock.systemUTC(),
                                            new QualityReportHandler(quality)))
                            // DICOMweb: the roles that reach clinical data; AccessPolicy decides
                            // per request inside (STOW create, QIDO search, WADO read).
                            .addPrefixPath(
                                    DicomWebApplication.PATH,
                                    new BearerAuthHandler(
                                            security.verifier(),
                                            Set.of(
                                                    Role.PROJECT_ADMIN,
                                                    Role.INTEGRATION,
                                                    Role.ANNOTATOR,
                                                    Role.REVIEWER,
                                                    Role.ADJUDICATOR),
                                            "dicomweb",
                                            audit,
                                            Clock.systemUTC(),
                                            // The prefix match stripped /dicomweb from the
                                            // relative path the servlet mapping needs.
                                            exchange -> {
                                                exchange.setRelativePath(exchange.getRequestPath());
                                                servlets.handleRequest(exchange);
                                            })));
            InetSocketAddress bound =
                    (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
            String host =
                    bound.getAddress().isAnyLocalAddress() ? "localhost" : bound.getHostString();
            URI baseUrl = URI.create("http://" + host + ":" + bound.getPort());
            return new QuorumServer(
                    spring, deployment, undertow, metrics, baseUrl, audit, security, dicom);
        } catch (ServletException | RuntimeException e) {
            undertow.stop();
            spring.close();
            metrics.close();
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }

    private static DeploymentManager deployServlets(
            RestfulServer fhirServer, ServletContainer dicomWeb) {
        DeploymentInfo info =
                Servlets.deployment()
                        .setClassLoader(QuorumServer.class.getClassLoader())
                        .setContextPath("/")
                        // The servlet container is a JVM-wide singleton: names must not collide.
                        .setDeploymentName("quorum-" + UUID.randomUUID())
                        .addServlet(
                                Servlets.servlet(
                                                "fhir",
                                                RestfulServer.class,
                                                new ImmediateInstanceFactory<>(fhirServer))
                                        .addMapping("/fhir/*")
                                        .setLoadOnStartup(1))
                        .addServlet(
                                Servlets.servlet(
                                                "dicomweb",
                                                ServletContainer.class,
                                                new ImmediateInstanceFactory<>(dicomWeb))
                                        .addMapping(DicomWebApplication.PATH + "/*")
                                        .setLoadOnStartup(1));
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(info);
        manager.deploy();
        return manager;
    }

    private static DeidKeyService localKeys(QuorumSettings settings, String name) {
        try {
            return DeidKeyService.fromKeyFile(
                    LocalSecrets.loadOrCreate(settings.storage().dataDir(), name));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot create the local key " + name + " under the data directory", e);
        }
    }

    private static String packageVersion() {
        String version = QuorumVersion.get();
        return version.equals("dev") ? "0.1.0" : version.replace("-SNAPSHOT", "");
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
        return security;
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
        undertow.stop();
        try {
            deployment.stop();
        } catch (ServletException e) {
            LOG.warn("Servlet deployment did not stop cleanly", e);
        }
        deployment.undeploy();
        audit.close();
        spring.close();
        metrics.close();
    }
}
