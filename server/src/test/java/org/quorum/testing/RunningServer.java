package org.quorum.testing;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.quorum.config.QuorumSettings;
import org.quorum.security.Role;
import org.quorum.security.ScopeSet;
import org.quorum.security.TokenIssuer;
import org.quorum.server.QuorumServer;

/**
 * JUnit extension that gives tests a real Quorum server (HAPI JPA on an H2 file database in a
 * temporary data directory, on a free loopback port). One server per test JVM, shared by every test
 * class: a HAPI JPA context takes 20-35 s to start on two cores. Tests therefore create their own
 * data with unique identifiers and never assume an empty store.
 *
 * <p>With the system property {@value #DATABASE_PROPERTY}{@code =postgresql} (the build's second
 * Failsafe pass) the server runs on a database of the private {@link PostgresCluster} instead, with
 * its schema made by the versioned migrations and its security state in the database.
 *
 * <p>Use: {@code @ExtendWith(RunningServer.class)} and a {@link RunningServer} parameter.
 */
public final class RunningServer implements ParameterResolver, QuorumEndpoint {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RunningServer.class);

    /**
     * The test server's de-identification secret ({@code $deidentify}); tests compare the
     * operation's output with {@code quorum deid} run with the same secret.
     */
    /** The test server's request size limit outside DICOMweb (MiB). */
    public static final int MAX_REQUEST_MB = 16;

    /** The test server's STOW-RS size limit (MiB), above the general one. */
    public static final int MAX_STOW_MB = 24;

    public static final String DEID_SECRET = "running-server-deid-secret-0123456789";

    /** The browser origin the test server allows (CORS). */
    public static final String CORS_ORIGIN = "http://labeling-ui.test:3000";

    /**
     * The reviewer UI's client id at the external OpenID Connect provider the test server trusts
     * ({@link #externalIssuer()}; ExternalSignInIT runs a real provider there).
     */
    public static final String EXTERNAL_UI_CLIENT_ID = "quorum-ui-test";

    /** What the UI's sign-in choice calls the external provider. */
    public static final String EXTERNAL_NAME = "Test hospital";

    /** The external provider's port, reserved when the server starts (nothing listens yet). */
    private static int externalIssuerPort;

    /**
     * Which database the shared test server runs on: {@code h2} (default) or {@code postgresql}.
     */
    public static final String DATABASE_PROPERTY = "quorum.it.database";

    private final QuorumServer server;
    private final Path dataDir;
    private final Optional<Path> configFile;
    private final FhirContext fhir = FhirContext.forR4Cached();

    /** For JUnit. */
    public RunningServer() {
        this.server = null;
        this.dataDir = null;
        this.configFile = Optional.empty();
    }

    private RunningServer(QuorumServer server, Path dataDir, Optional<Path> configFile) {
        this.server = server;
        this.dataDir = dataDir;
        this.configFile = configFile;
    }

    /** Whether this test JVM runs its servers on PostgreSQL (the build's second pass). */
    public static boolean onPostgres() {
        return "postgresql".equals(System.getProperty(DATABASE_PROPERTY, "h2"));
    }

    /**
     * The storage settings of a server on a new PostgreSQL database of the shared cluster: the
     * database, its user, and a secrets key file (written into {@code dataDir}).
     */
    public static Map<String, String> postgresSettings(Path dataDir) throws IOException {
        PostgresCluster cluster = PostgresCluster.shared();
        Map<String, String> settings =
                new java.util.HashMap<>(
                        cluster.quorumSettings(cluster.createDatabase("quorum_it")));
        settings.put("QUORUM_SECRETS_KEY_FILE", secretsKeyFile(dataDir).toString());
        return settings;
    }

    /** A new owner-only secrets key file (32 random bytes, base64) in {@code directory}. */
    public static Path secretsKeyFile(Path directory) throws IOException {
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        Path file = directory.resolve("secrets.key");
        Files.writeString(file, java.util.Base64.getEncoder().encodeToString(random) + "\n");
        Files.setPosixFilePermissions(
                file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RunningServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent("server", key -> new Holder(start()), Holder.class)
                .server;
    }

    private static RunningServer start() {
        try {
            Path dataDir = Files.createTempDirectory("quorum-it-");
            Map<String, String> env = new java.util.HashMap<>();
            Optional<Path> configFile = Optional.empty();
            if (onPostgres()) {
                Map<String, String> storage = postgresSettings(dataDir);
                env.putAll(storage);
                // The CLI commands the tests run in-process read the same settings from a file.
                java.util.Properties properties = new java.util.Properties();
                properties.putAll(storage);
                Path file = dataDir.resolve("quorum.properties");
                try (var out = Files.newBufferedWriter(file)) {
                    properties.store(out, "Quorum test server on PostgreSQL");
                }
                configFile = Optional.of(file);
            }
            env.putAll(
                    Map.of(
                            "QUORUM_HTTP_PORT",
                            Integer.toString(ServerProcess.freePort()),
                            "QUORUM_HTTP_HOST",
                            "127.0.0.1",
                            "QUORUM_CORS_ALLOWED_ORIGINS",
                            CORS_ORIGIN,
                            "QUORUM_DATA_DIR",
                            dataDir.toString(),
                            "QUORUM_DEID_SECRET",
                            DEID_SECRET,
                            // Off by default; TokenEndpointIT exercises it.
                            "QUORUM_AUTH_PASSWORD_GRANT",
                            "true",
                            // Small, so that DicomWebIT can cross it.
                            "QUORUM_HTTP_MAX_REQUEST_MB",
                            Integer.toString(MAX_REQUEST_MB),
                            "QUORUM_HTTP_MAX_STOW_MB",
                            Integer.toString(MAX_STOW_MB)));
            // An external OpenID Connect provider on a loopback port: trusted for tokens and
            // offered
            // by the UI's sign-in; nothing listens there until a test starts a provider on it.
            externalIssuerPort = ServerProcess.freePort();
            String external = "http://127.0.0.1:" + externalIssuerPort;
            env.put("QUORUM_AUTH_EXTERNAL_ISSUER", external);
            env.put("QUORUM_AUTH_EXTERNAL_JWKS_URL", external + "/jwks");
            env.put("QUORUM_AUTH_EXTERNAL_CLIENT_ID", EXTERNAL_UI_CLIENT_ID);
            env.put("QUORUM_AUTH_EXTERNAL_NAME", EXTERNAL_NAME);
            env.put("QUORUM_AUTH_EXTERNAL_ROLES_CLAIM", "roles");
            QuorumSettings settings = QuorumSettings.load(env, Optional.empty());
            return new RunningServer(QuorumServer.start(settings), dataDir, configFile);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot create a data directory for the test server", e);
        }
    }

    /** Closes the server when the whole test plan ends. */
    private record Holder(RunningServer server)
            implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            server.server.close();
            // Its store holds everything the test plan wrote (hundreds of MB to GB per run).
            TempDirs.delete(server.dataDir);
        }
    }

    public URI baseUrl() {
        return server.baseUrl();
    }

    /**
     * The issuer URL of the external OpenID Connect provider this server trusts (http on a loopback
     * port reserved at start; tests run a provider there).
     */
    public String externalIssuer() {
        return "http://127.0.0.1:" + externalIssuerPort;
    }

    public String fhirBase() {
        return server.fhirBaseUrl().toString();
    }

    /** The server's DICOM store, as the SR service sees it. */
    public org.quorum.dicom.store.DicomInstances dicomInstances() {
        return server.dicomInstances();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Where the server keeps users, clients and keys (files, or the database). */
    public org.quorum.security.SecurityStore securityStore() {
        return server.securityStore();
    }

    /** The server's database (for tests that look into Quorum's tables). */
    public javax.sql.DataSource dataSource() {
        return server.dataSource();
    }

    /**
     * The arguments of an in-process {@code quorum} CLI command on this server's installation:
     * {@code args} followed by {@code --data-dir} (and {@code --config} on PostgreSQL).
     */
    public String[] cli(String... args) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.addAll(java.util.List.of("--data-dir", dataDir.toString()));
        configFile.ifPresent(f -> all.addAll(java.util.List.of("--config", f.toString())));
        return all.toArray(String[]::new);
    }

    /** A bean of HAPI's Spring context in the server (HAPI's own validator, for comparisons). */
    public <T> T hapiBean(Class<T> type) {
        return server.hapiBean(type);
    }

    public FhirContext fhirContext() {
        return fhir;
    }

    /** A FHIR client authenticated as a project admin (all FHIR interactions but audit). */
    public IGenericClient fhirClient() {
        return fhirClient(adminToken());
    }

    public IGenericClient fhirClient(String token) {
        fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        fhir.getRestfulClientFactory().setSocketTimeout(120_000);
        IGenericClient client = fhir.newRestfulGenericClient(fhirBase());
        client.registerInterceptor(new BearerTokenAuthInterceptor(token));
        return client;
    }

    /** Waits until every audited request so far is stored as an AuditEvent. */
    public void flushAudit() {
        try {
            if (!server.audit().flush(java.time.Duration.ofSeconds(60))) {
                throw new AssertionError("AuditEvents were not stored within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for AuditEvents", e);
        }
    }

    /** Plain HTTP authenticated as a project admin. */
    public Http http() {
        return new Http(baseUrl(), adminToken());
    }

    public Http http(String token) {
        return new Http(baseUrl(), token);
    }

    /** Plain HTTP without a token. */
    public Http anonymousHttp() {
        return new Http(baseUrl());
    }

    /** A token signed by the server's own key, as {@code quorum user token} issues them. */
    public String token(
            String subject,
            Set<Role> roles,
            String scopes,
            Optional<String> fhirUser,
            Set<String> projects) {
        return server.security()
                .issuer()
                .issue(
                        new TokenIssuer.Grant(
                                subject,
                                "quorum-tests",
                                roles,
                                projects,
                                ScopeSet.parse(scopes),
                                fhirUser),
                        Duration.ofMinutes(60))
                .accessToken();
    }

    public String adminToken() {
        return token(
                "test-admin",
                Set.of(Role.PROJECT_ADMIN),
                "user/*.cruds",
                Optional.empty(),
                Set.of());
    }

    public String auditorToken() {
        return token("test-auditor", Set.of(Role.AUDITOR), "user/*.rs", Optional.empty(), Set.of());
    }
}
