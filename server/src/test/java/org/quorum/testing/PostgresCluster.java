package org.quorum.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster for tests (Debian's {@code postgresql}): its own data directory in a
 * temporary folder, listening on 127.0.0.1 and a free high port only, password authentication,
 * never the system's cluster. {@code initdb} refuses to run as root, so under root (CI) the cluster
 * belongs to the unprivileged {@code postgres} user that the Debian package creates ({@code
 * runuser}). Fails clearly when PostgreSQL is not installed.
 *
 * <p>{@link #shared()} is one cluster per test JVM (stopped when the JVM exits); fault tests that
 * stop and restart the database start their own with {@link #start()}.
 */
public final class PostgresCluster implements AutoCloseable {

    public static final String USER = "quorum";
    public static final String PASSWORD = "quorum-test-password";

    private static PostgresCluster shared;

    private final Path directory;
    private final Path binaries;
    private final int port;
    private final boolean asPostgresUser;
    private int databases;

    private PostgresCluster(Path directory, Path binaries, int port, boolean asPostgresUser) {
        this.directory = directory;
        this.binaries = binaries;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The cluster shared by every test of this JVM, started on first use. */
    public static synchronized PostgresCluster shared() {
        if (shared == null) {
            PostgresCluster cluster = start();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "postgres-stop"));
            shared = cluster;
        }
        return shared;
    }

    /** Initialises and starts a new cluster. */
    public static PostgresCluster start() {
        Path binaries = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path directory = Files.createTempDirectory("quorum-pg-");
            PostgresCluster cluster =
                    new PostgresCluster(directory, binaries, ServerProcess.freePort(), root);
            Files.createDirectories(cluster.data());
            Files.createDirectories(cluster.sockets());
            Path passwordFile = directory.resolve("password");
            Files.writeString(passwordFile, PASSWORD + "\n");
            if (root) {
                cluster.run(List.of("chown", "-R", "postgres:postgres", directory.toString()));
            }
            cluster.runAsOwner(
                    List.of(
                            binaries.resolve("initdb").toString(),
                            "-D",
                            cluster.data().toString(),
                            "-U",
                            USER,
                            "--pwfile=" + passwordFile,
                            "--auth=scram-sha-256",
                            "-E",
                            "UTF8",
                            "--locale=C"));
            cluster.startServer();
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
            Optional<Path> newest =
                    versions.map(v -> v.resolve("bin"))
                            .filter(b -> Files.isExecutable(b.resolve("initdb")))
                            .max(
                                    Comparator.comparingInt(
                                            b ->
                                                    Integer.parseInt(
                                                            b.getParent()
                                                                    .getFileName()
                                                                    .toString()
                                                                    .replaceAll("\\D", "0"))));
            return newest.orElseThrow(
                    () ->
                            new AssertionError(
                                    "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb):"
                                            + " install the Debian package postgresql, or run ./quorum test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path data() {
        return directory.resolve("data");
    }

    private Path sockets() {
        return directory.resolve("run");
    }

    /** Starts the server process (again, after {@link #stop()}) and waits until it accepts. */
    public void startServer() {
        runAsOwner(
                List.of(
                        binaries.resolve("pg_ctl").toString(),
                        "-D",
                        data().toString(),
                        "-l",
                        directory.resolve("postgres.log").toString(),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        "-p "
                                + port
                                + " -c listen_addresses=127.0.0.1 -k "
                                + sockets()
                                + " -c max_connections=200 -c fsync=on -c shared_buffers=64MB",
                        "start"));
    }

    /** Stops the server process (fast shutdown: open connections are cut, as in a crash). */
    public void stop() {
        runAsOwner(
                List.of(
                        binaries.resolve("pg_ctl").toString(),
                        "-D",
                        data().toString(),
                        "-m",
                        "fast",
                        "-w",
                        "stop"));
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of a database of this cluster. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates a new, empty database and returns its name. */
    public synchronized String createDatabase(String prefix) {
        String name = prefix + "_" + (++databases);
        execute("postgres", "CREATE DATABASE " + name);
        return name;
    }

    /** Runs SQL statements in a database as the cluster's superuser. */
    public void execute(String database, String... statements) {
        try (Connection connection = connect(database);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL refused: " + e.getMessage(), e);
        }
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** The QUORUM_DB_* settings of a Quorum server on a database of this cluster. */
    public Map<String, String> quorumSettings(String database) {
        return Map.of(
                "QUORUM_DB_URL", jdbcUrl(database),
                "QUORUM_DB_USER", USER,
                "QUORUM_DB_PASSWORD", PASSWORD);
    }

    /** Runs a PostgreSQL client program ({@code pg_dump}, {@code psql}) against the cluster. */
    public String client(String program, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve(program).toString());
        command.addAll(List.of("-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER));
        command.addAll(List.of(arguments));
        return run(command, Map.of("PGPASSWORD", PASSWORD));
    }

    private void runAsOwner(List<String> command) {
        if (!asPostgresUser) {
            run(command);
            return;
        }
        List<String> asOwner = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        asOwner.addAll(command);
        run(asOwner);
    }

    private String run(List<String> command) {
        return run(command, Map.of());
    }

    private String run(List<String> command, Map<String, String> env) {
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .directory(directory.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            String output =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command.get(0) + " did not finish:\n" + output);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(
                        String.join(" ", command)
                                + " exited "
                                + process.exitValue()
                                + ":\n"
                                + output
                                + log());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private String log() {
        Path log = directory.resolve("postgres.log");
        try {
            return Files.exists(log) ? "\npostgres.log:\n" + Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                stop();
            }
        } catch (AssertionError e) {
            // Already stopped.
        }
        TempDirs.delete(directory);
    }
}
