package org.quorum.testing;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.quorum.security.Role;

/**
 * Several Quorum nodes as an operator runs them (docs/operations.md): the packaged jar as separate
 * processes, each with its own data directory, all on one PostgreSQL database (a private {@link
 * PostgresCluster}), one shared DICOM directory and one secrets key, behind {@link HaProxy}. The
 * public base URL (and so the token issuer) of every node is the load balancer's.
 */
public final class QuorumCluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(8);

    private final Path directory;
    private final PostgresCluster postgres;
    private final Map<String, String> sharedSettings = new HashMap<>();
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final List<URI> nodeUrls = new ArrayList<>();
    private final List<Map<String, String>> nodeSettings = new ArrayList<>();
    private final HaProxy proxy;
    private String adminToken;

    private QuorumCluster(int size) throws IOException, InterruptedException {
        directory = Files.createTempDirectory("quorum-cluster-");
        postgres = PostgresCluster.start();
        try {
            proxy = startNodes(size);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            // Nothing may outlive a failed start: the nodes that did start, PostgreSQL.
            nodes.forEach(ServerProcess::close);
            postgres.close();
            throw e;
        }
    }

    private HaProxy startNodes(int size) throws IOException, InterruptedException {
        int proxyPort = ServerProcess.freePort();
        sharedSettings.putAll(postgres.quorumSettings(postgres.createDatabase("quorum")));
        sharedSettings.put(
                "QUORUM_SECRETS_KEY_FILE", RunningServer.secretsKeyFile(directory).toString());
        Path dicom = Files.createDirectories(directory.resolve("dicom-shared"));
        sharedSettings.put("QUORUM_DICOM_DIR", dicom.toString());
        sharedSettings.put("QUORUM_PUBLIC_BASE_URL", "http://127.0.0.1:" + proxyPort);
        sharedSettings.put("QUORUM_HTTP_HOST", "127.0.0.1");
        for (int i = 0; i < size; i++) {
            int port = ServerProcess.freePort();
            Map<String, String> settings = new HashMap<>(sharedSettings);
            settings.put("QUORUM_HTTP_PORT", Integer.toString(port));
            settings.put(
                    "QUORUM_DATA_DIR",
                    Files.createDirectories(directory.resolve("node-" + i)).toString());
            nodeSettings.add(settings);
            nodeUrls.add(URI.create("http://127.0.0.1:" + port));
            // All nodes start at once on the empty database: the migrations must serialise.
            nodes.add(ServerProcess.start(settings));
        }
        for (ServerProcess node : nodes) {
            node.awaitLine("Quorum is ready", START_TIMEOUT);
        }
        HaProxy started = HaProxy.start(proxyPort, nodeUrls);
        try {
            awaitReady(started.url(), Duration.ofSeconds(60));
        } catch (AssertionError e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** Starts {@code size} nodes, PostgreSQL and HAProxy; returns once HAProxy routes requests. */
    public static QuorumCluster start(int size) {
        try {
            return new QuorumCluster(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while starting the cluster", e);
        }
    }

    /** Polls {@code base/health/ready} until it answers 200. */
    public static void awaitReady(URI base, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> health = new Http(base).get("/health/ready");
                if (health.statusCode() == 200) {
                    return;
                }
                last = health.statusCode() + " " + health.body();
            } catch (UncheckedIOException notYet) {
                last = notYet.getMessage();
            }
            pollPause(Duration.ofMillis(200));
        }
        throw new AssertionError(base + " was not ready within " + timeout + ": " + last);
    }

    /** The pause between two polls of a condition that has a deadline. */
    public static void pollPause(Duration duration) {
        java.util.concurrent.locks.LockSupport.parkNanos(duration.toNanos());
        if (Thread.interrupted()) {
            throw new AssertionError("interrupted while polling");
        }
    }

    public URI proxy() {
        return proxy.url();
    }

    public URI node(int index) {
        return nodeUrls.get(index);
    }

    public ServerProcess process(int index) {
        return nodes.get(index);
    }

    public PostgresCluster postgres() {
        return postgres;
    }

    public Path sharedDicomDirectory() {
        return Path.of(sharedSettings.get("QUORUM_DICOM_DIR"));
    }

    public String proxyLog() {
        return proxy.log();
    }

    /**
     * Runs a {@code quorum} CLI command of the packaged jar with node {@code index}'s settings (its
     * data directory, the shared database and secrets key), as an operator on that host.
     */
    public String cli(int index, String... args) throws InterruptedException {
        return ServerProcess.cli(nodeSettings.get(index), args);
    }

    /** A project admin's token, made once by {@code quorum user add/token} against the database. */
    public synchronized String adminToken() throws InterruptedException {
        if (adminToken == null) {
            cli(0, "user", "add", "cluster-admin", "--role", "project-admin");
            adminToken = ServerProcess.lastLine(cli(1, "user", "token", "cluster-admin"));
        }
        return adminToken;
    }

    /**
     * The cluster as one Quorum behind its load balancer (requests go round robin to the nodes);
     * users are made with {@code quorum user add} on node 0 and their tokens with {@code quorum
     * user token} on node 1, both against the shared database.
     */
    public QuorumEndpoint endpoint() {
        return new Endpoint();
    }

    private final class Endpoint implements QuorumEndpoint {

        private final FhirContext fhir = FhirContext.forR4Cached();

        @Override
        public URI baseUrl() {
            return proxy();
        }

        @Override
        public FhirContext fhirContext() {
            return fhir;
        }

        @Override
        public IGenericClient fhirClient() {
            fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
            fhir.getRestfulClientFactory().setSocketTimeout(120_000);
            IGenericClient client = fhir.newRestfulGenericClient(proxy() + "/fhir");
            client.registerInterceptor(new BearerTokenAuthInterceptor(adminToken()));
            return client;
        }

        @Override
        public String adminToken() {
            try {
                return QuorumCluster.this.adminToken();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while making the admin token", e);
            }
        }

        @Override
        public Http http(String token) {
            return new Http(proxy(), token);
        }

        @Override
        public String token(
                String subject,
                Set<Role> roles,
                String scopes,
                Optional<String> fhirUser,
                Set<String> projects) {
            List<String> add = new ArrayList<>(List.of("user", "add", subject, "--role"));
            add.add(roles.stream().map(Role::wireName).collect(Collectors.joining(",")));
            fhirUser.ifPresent(
                    user -> {
                        add.add("--fhir-user");
                        add.add(user);
                    });
            for (String project : projects) {
                add.add("--project");
                add.add(project);
            }
            try {
                cli(0, add.toArray(String[]::new));
                return ServerProcess.lastLine(
                        cli(1, "user", "token", subject, "--scope", scopes + " fhirUser"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while making a token", e);
            }
        }
    }

    @Override
    public void close() {
        if (proxy != null) {
            proxy.close();
        }
        nodes.forEach(ServerProcess::close);
        postgres.close();
        TempDirs.delete(directory);
    }
}
