package org.quorum.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.quorum.config.ConfigException;
import org.quorum.config.QuorumSettings;
import org.quorum.server.QuorumServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quorum serve}: runs the server until interrupted. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the Quorum server (FHIR at /fhir, /health, /metrics).",
            "Configuration: QUORUM_* environment variables, optionally a properties file with the same keys."
        })
public final class ServeCommand implements Callable<Integer> {

    /** Exit status for a configuration the server cannot start with. */
    public static final int EXIT_BAD_CONFIGURATION = 78; // EX_CONFIG, sysexits.h

    /**
     * Exit status when the configuration was valid but start-up failed (port taken, database down).
     */
    public static final int EXIT_START_FAILED = 69; // EX_UNAVAILABLE, sysexits.h

    @Option(
            names = {"-c", "--config"},
            description =
                    "Properties file with QUORUM_* keys (default: $QUORUM_CONFIG); environment variables override it.")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        QuorumSettings settings;
        try {
            settings = QuorumSettings.load(System.getenv(), Optional.ofNullable(config));
        } catch (ConfigException e) {
            System.err.println("Quorum cannot start: invalid configuration " + e.getMessage());
            return EXIT_BAD_CONFIGURATION;
        }
        long start = System.nanoTime();
        System.out.println("Starting Quorum (data in " + settings.storage().dataDir() + ") ...");
        QuorumServer server;
        try {
            server = QuorumServer.start(settings);
        } catch (RuntimeException e) {
            System.err.println("Quorum failed to start: " + rootCause(e));
            return EXIT_START_FAILED;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.close();
                                    stopped.countDown();
                                },
                                "quorum-shutdown"));
        System.out.printf(
                "Quorum is ready in %.1f s: FHIR %s  health %s  metrics %s%n",
                took.toMillis() / 1000.0,
                server.fhirBaseUrl(),
                server.baseUrl().resolve("/health"),
                server.baseUrl().resolve("/metrics"));
        if (settings.security().passwordGrant()) {
            System.out.println(
                    "Password grant is ON (QUORUM_AUTH_PASSWORD_GRANT=true): users created with"
                            + " --password-stdin can get tokens with their password at /auth/token."
                            + " Turn it off unless a client needs it.");
        }
        if (server.security().hasNoAccounts()) {
            System.out.println(
                    "No users or clients yet. Create the first project admin and get a token:");
            System.out.println("  ./quorum user add admin --role project-admin");
            System.out.println("  ./quorum user token admin");
            System.out.println(
                    "Only /health, /fhir/metadata and /fhir/.well-known/smart-configuration answer without a token.");
        }
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** The innermost cause says what to fix ("Address already in use"); the wrappers do not. */
    static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
