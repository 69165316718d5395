package org.quorum.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.packages.IPackageInstallerSvc;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.ServletException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.apache.commons.dbcp2.BasicDataSource;
import org.quorum.config.QuorumSettings;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * The composition root: builds HAPI FHIR JPA (in its Spring context), Quorum's own services and the
 * HTTP listener, and wires them together. Every object Quorum owns is created here.
 *
 * <p>Routes: {@code /fhir/*} (HAPI FHIR R4, with the quality operations), {@code /health}, {@code
 * /health/ready}, {@code /health/live}, {@code /metrics}, {@code /quality/report/{id}}.
 */
public final class QuorumServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QuorumServer.class);

    private final AnnotationConfigApplicationContext spring;
    private final DeploymentManager deployment;
    private final Undertow undertow;
    private final Metrics metrics;
    private final URI baseUrl;

    private QuorumServer(
            AnnotationConfigApplicationContext spring,
            DeploymentManager deployment,
            Undertow undertow,
            Metrics metrics,
            URI baseUrl) {
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
        Undertow undertow =
                Undertow.builder()
                        .addHttpListener(settings.http().port(), settings.http().host())
                        .setHandler(metrics.timing(gate))
                        .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext();
        try {
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

            RestfulServer fhirServer = spring.getBean(RestfulServer.class);
            fhirServer.registerInterceptor(new CapabilityStatementProfiles(QuorumVersion.get()));
            fhirServer.registerInterceptor(new SafeErrorInterceptor());
            fhirServer.registerProvider(new ProjectQualityOperations(quality));
            fhirServer.registerProvider(new SchemaImpactOperations(quality));

            BasicDataSource dataSource = spring.getBean(BasicDataSource.class);
            metrics.bindConnectionPool(dataSource);
            HealthService health = new HealthService(dataSource, Duration.ofSeconds(5));

            DeploymentManager deployment = deployServlets(fhirServer);
            HttpHandler servlets = deployment.start();
            gate.open(
                    Handlers.path(servlets)
                            .addExactPath("/health", HealthHandler.readiness(health))
                            .addExactPath("/health/ready", HealthHandler.readiness(health))
                            .addExactPath("/health/live", HealthHandler.liveness(health))
                            .addExactPath("/metrics", metrics.scrapeHandler())
                            .addPrefixPath(
                                    QualityReportHandler.PATH, new QualityReportHandler(quality)));
            InetSocketAddress bound =
                    (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
            String host =
                    bound.getAddress().isAnyLocalAddress() ? "localhost" : bound.getHostString();
            URI baseUrl = URI.create("http://" + host + ":" + bound.getPort());
            return new QuorumServer(spring, deployment, undertow, metrics, baseUrl);
        } catch (ServletException | RuntimeException e) {
            undertow.stop();
            spring.close();
            metrics.close();
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
        }
    }

    private static DeploymentManager deployServlets(RestfulServer fhirServer) {
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
                                        .setLoadOnStartup(1));
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(info);
        manager.deploy();
        return manager;
    }

    private static String packageVersion() {
        String version = QuorumVersion.get();
        return version.equals("dev") ? "0.1.0" : version.replace("-SNAPSHOT", "");
    }

    /** Where the server listens, e.g. {@code http://127.0.0.1:8080}. */
    public URI baseUrl() {
        return baseUrl;
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
        spring.close();
        metrics.close();
    }
}
