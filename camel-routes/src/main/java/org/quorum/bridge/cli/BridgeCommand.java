package org.quorum.bridge.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.config.BridgeSettings;
import org.quorum.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quorum bridge}: runs the bridge until interrupted; its subcommands inspect and administer
 * a bridge (running or not) configured by the same file.
 */
@Command(
        name = "bridge",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the Quorum Bridge: pulls FHIR R4 records from the EHR and receives HL7 v2 over"
                    + " MLLP, de-identifies them here, and delivers them to Quorum exactly once.",
            "Configuration: a properties file (--config, or $QUORUM_BRIDGE_CONFIG) and"
                    + " QUORUM_BRIDGE_* environment variables, which win. See docs/bridge.md."
        },
        subcommands = {
            StatusCommand.class,
            DeadLettersCommand.class,
            QuarantineCommand.class,
            KeysCommand.class,
            CommandLine.HelpCommand.class
        })
public final class BridgeCommand implements Callable<Integer> {

    /** A configuration the bridge cannot start with (sysexits.h EX_CONFIG). */
    public static final int EXIT_BAD_CONFIGURATION = 78;

    /** The configuration was valid but start-up failed (port taken, database down). */
    public static final int EXIT_START_FAILED = 69;

    @Option(
            names = {"-c", "--config"},
            description =
                    "Properties file with QUORUM_BRIDGE_* keys (default: $QUORUM_BRIDGE_CONFIG);"
                            + " environment variables override it.",
            scope = CommandLine.ScopeType.INHERIT)
    Path config;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new BridgeCommand());
    }

    Optional<Path> configFile() {
        return Optional.ofNullable(config);
    }

    @Override
    public Integer call() throws InterruptedException {
        BridgeSettings settings;
        try {
            settings = BridgeSettings.load(System.getenv(), configFile());
        } catch (ConfigException e) {
            System.err.println("The bridge cannot start: invalid configuration " + e.getMessage());
            return EXIT_BAD_CONFIGURATION;
        }
        long start = System.nanoTime();
        System.out.println(
                "Starting the Quorum Bridge (data in " + settings.store().dataDir() + ") ...");
        BridgeApp bridge;
        try {
            bridge = BridgeApp.start(settings);
        } catch (org.quorum.bridge.store.Encryptor.KeyFileException e) {
            System.err.println(
                    "The bridge cannot start: invalid configuration "
                            + org.quorum.bridge.config.StoreSettings.ENCRYPTION_KEY_FILE
                            + ": "
                            + e.getMessage());
            return EXIT_BAD_CONFIGURATION;
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("The bridge failed to start: " + rootCause(e));
            return EXIT_START_FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    bridge.close();
                                    stopped.countDown();
                                },
                                "bridge-shutdown"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        StringBuilder routes = new StringBuilder();
        settings.ehr()
                .ifPresent(
                        ehr ->
                                routes.append(ehr.queries().size())
                                        .append(" EHR quer")
                                        .append(ehr.queries().size() == 1 ? "y" : "ies")
                                        .append(" every ")
                                        .append(ehr.pollInterval().toSeconds())
                                        .append(" s"));
        settings.mllp()
                .ifPresent(
                        mllp ->
                                routes.append(routes.isEmpty() ? "" : ", ")
                                        .append("HL7 v2 on mllp://")
                                        .append(mllp.host())
                                        .append(':')
                                        .append(mllp.port()));
        settings.pacs()
                .ifPresent(
                        pacs ->
                                routes.append(routes.isEmpty() ? "" : ", ")
                                        .append("PACS ")
                                        .append(
                                                pacs.dicomWebRoot()
                                                        .map(Object::toString)
                                                        .orElse(""))
                                        .append(
                                                pacs.dimse()
                                                        .map(
                                                                d ->
                                                                        " dicom://"
                                                                                + d.calledAeTitle()
                                                                                + "@"
                                                                                + d.host()
                                                                                + ":"
                                                                                + d.port()
                                                                                + " ("
                                                                                + (d.pull()
                                                                                        ? d
                                                                                                .retrieve()
                                                                                        : "SR write-back only")
                                                                                + ")")
                                                        .orElse(""))
                                        .append(" every ")
                                        .append(pacs.pollInterval().toSeconds())
                                        .append(" s"));
        System.out.printf(
                "The Quorum Bridge is ready in %.1f s: %s -> %s (project %s)  health %s/health  metrics %s/metrics%n",
                took.toMillis() / 1000.0,
                routes,
                settings.quorum().fhirBase(),
                settings.quorum().project(),
                bridge.opsUrl(),
                bridge.opsUrl());
        System.out.flush();
        stopped.await();
        return 0;
    }

    static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
