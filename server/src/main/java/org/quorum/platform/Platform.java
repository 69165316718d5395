package org.quorum.platform;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.rest.server.RestfulServer;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.persistence.EntityManagerFactory;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.commons.dbcp2.BasicDataSource;
import org.quorum.config.QuorumSettings;
import org.quorum.ops.Metrics;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.orm.jpa.JpaTransactionManager;

/**
 * What every capability is installed on: the settings, HAPI FHIR JPA (its Spring beans, the storage
 * and REST interceptor chains), the metrics registry and the clock, plus where a capability
 * registers its servlets and HTTP routes. Each capability's installer takes a platform, creates its
 * service with constructors, and registers its adapters here; the composition root calls the
 * installers in order and then {@link #deploy() deploys} what they registered.
 */
public final class Platform {

    private record ServletMount(String name, String mapping, Servlet servlet) {}

    private record Route(String path, boolean prefix, UnaryOperator<HttpHandler> handler) {}

    private final QuorumSettings settings;
    private final GenericApplicationContext spring;
    private final Metrics metrics;
    private final Clock clock;
    private final List<ServletMount> servlets = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

    public Platform(
            QuorumSettings settings,
            GenericApplicationContext spring,
            Metrics metrics,
            Clock clock) {
        this.settings = settings;
        this.spring = spring;
        this.metrics = metrics;
        this.clock = clock;
    }

    public QuorumSettings settings() {
        return settings;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Clock clock() {
        return clock;
    }

    public FhirContext fhir() {
        return spring.getBean(FhirContext.class);
    }

    public DaoRegistry daos() {
        return spring.getBean(DaoRegistry.class);
    }

    /** HAPI's storage (JPA) interceptor chain: hooks on writes, inside their transaction. */
    public IInterceptorService storageInterceptors() {
        return spring.getBean("jpaInterceptorService", IInterceptorService.class);
    }

    /** HAPI's REST server: REST interceptors and operation providers. */
    public RestfulServer fhirServer() {
        return spring.getBean(RestfulServer.class);
    }

    public IHapiTransactionService transactions() {
        return spring.getBean(IHapiTransactionService.class);
    }

    public EntityManagerFactory entityManagerFactory() {
        return spring.getBean(EntityManagerFactory.class);
    }

    public JpaTransactionManager transactionManager() {
        return spring.getBean(JpaTransactionManager.class);
    }

    public BasicDataSource dataSource() {
        return spring.getBean(BasicDataSource.class);
    }

    /** Any other HAPI bean. */
    public <T> T bean(Class<T> type) {
        return spring.getBean(type);
    }

    /** Mounts a servlet (e.g. {@code /dicomweb/*}); deployed by {@link #deploy()}. */
    public void servlet(String name, String mapping, Servlet servlet) {
        servlets.add(new ServletMount(name, mapping, servlet));
    }

    /** An HTTP route for exactly this path. */
    public void exactRoute(String path, HttpHandler handler) {
        routes.add(new Route(path, false, servlets -> handler));
    }

    /**
     * An HTTP route for a path prefix; {@code handler} receives the handler of the deployed
     * servlets, for routes that guard a servlet.
     */
    public void prefixRoute(String path, UnaryOperator<HttpHandler> handler) {
        routes.add(new Route(path, true, handler));
    }

    /** Closed when the server stops, in reverse order of registration. */
    public void onClose(AutoCloseable closeable) {
        closeables.push(closeable);
    }

    /** Deploys the registered servlets and returns the routes over them. */
    public Deployment deploy() throws ServletException {
        DeploymentInfo info =
                Servlets.deployment()
                        .setClassLoader(Platform.class.getClassLoader())
                        .setContextPath("/")
                        // The servlet container is a JVM-wide singleton: names must not collide.
                        .setDeploymentName("quorum-" + UUID.randomUUID());
        for (ServletMount mount : servlets) {
            info.addServlet(
                    Servlets.servlet(
                                    mount.name(),
                                    mount.servlet().getClass(),
                                    new ImmediateInstanceFactory<>(mount.servlet()))
                            .addMapping(mount.mapping())
                            .setLoadOnStartup(1));
        }
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(info);
        manager.deploy();
        HttpHandler servletHandler = manager.start();
        PathHandler paths = new PathHandler(servletHandler);
        for (Route route : routes) {
            HttpHandler handler = route.handler().apply(servletHandler);
            if (route.prefix()) {
                paths.addPrefixPath(route.path(), handler);
            } else {
                paths.addExactPath(route.path(), handler);
            }
        }
        return new Deployment(manager, paths);
    }

    /** Closes what the capabilities registered, last first; failures are logged, not thrown. */
    public void close() {
        while (!closeables.isEmpty()) {
            AutoCloseable closeable = closeables.pop();
            try {
                closeable.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Platform.class)
                        .warn("{} did not close cleanly", closeable.getClass().getSimpleName(), e);
            }
        }
    }

    /** The deployed servlets and the routes over them. */
    public record Deployment(DeploymentManager manager, HttpHandler handler) {
        public void stop() {
            try {
                manager.stop();
            } catch (ServletException e) {
                org.slf4j.LoggerFactory.getLogger(Platform.class)
                        .warn("Servlet deployment did not stop cleanly", e);
            }
            manager.undeploy();
        }
    }
}
