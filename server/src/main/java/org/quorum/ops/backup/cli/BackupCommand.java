package org.quorum.ops.backup.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.quorum.config.StorageSettings;
import org.quorum.ops.backup.BackupManifest;
import org.quorum.ops.backup.BackupRestorer;
import org.quorum.ops.backup.BackupWriter;
import org.quorum.security.IssuerRecord;
import org.quorum.security.Role;
import org.quorum.security.ScopeSet;
import org.quorum.security.SecurityStore;
import org.quorum.security.SigningKeys;
import org.quorum.security.TokenIssuer;
import org.quorum.security.cli.DataDirOption;
import org.quorum.server.ServerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quorum backup --out FILE}: a consistent backup of an embedded installation (H2 database,
 * DICOM files, security files) as one zip archive. While the server runs, the server takes it with
 * its own database connection ({@code POST /admin/backup}, with a short-lived project-admin token
 * the CLI signs with the installation's key); when none runs, the CLI opens the database itself.
 * Either way the archive is checked against its manifest before it is moved to {@code FILE}.
 */
@Command(
        name = "backup",
        mixinStandardHelpOptions = true,
        description = "Back up an embedded installation (database, DICOM files, security files).",
        footer = {
            "",
            "PostgreSQL installations are backed up with pg_dump or continuous archiving;"
                    + " see docs/operations.md.",
            "Exit codes: 0 written and verified, 2 invalid use, 1 failure."
        })
public final class BackupCommand implements Callable<Integer> {

    /** H2's error code when another process holds the database open. */
    private static final int DATABASE_ALREADY_OPEN = 90020;

    @Spec CommandSpec spec;

    @Mixin DataDirOption dataDir;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<file>",
            description = "The archive to write (refused if it exists).")
    Path out;

    @Option(
            names = "--url",
            paramLabel = "<url>",
            description =
                    "The running server's address (default: what it recorded in"
                            + " <data-dir>/server.json).")
    URI url;

    @Override
    public Integer call() {
        StorageSettings storage;
        try {
            storage = dataDir.storage();
        } catch (RuntimeException e) {
            return fail(2, e.getMessage());
        }
        if (storage.database() != StorageSettings.Database.H2) {
            return fail(
                    2,
                    "this installation uses PostgreSQL: back it up with pg_dump or continuous"
                            + " archiving, and the DICOM directory after it (docs/operations.md)");
        }
        if (Files.exists(out)) {
            return fail(2, out + " exists; give a new file");
        }
        Path partial = out.resolveSibling(out.getFileName() + ".part");
        try {
            String how;
            Optional<Connection> own = openUnlessInUse(storage);
            if (own.isPresent()) {
                how = "offline (no server was running)";
                try (Connection connection = own.get();
                        OutputStream file = Files.newOutputStream(partial)) {
                    new BackupWriter(Clock.systemUTC())
                            .write(connection, storage.dataDir(), storage.dicomDir(), file);
                }
            } else {
                URI server = url != null ? url : ServerRecord.read(storage.dataDir()).orElse(null);
                if (server == null) {
                    return fail(
                            1,
                            "the database is in use but no running server is recorded in "
                                    + storage.dataDir()
                                    + "; give its address with --url");
                }
                how = "online, by the server at " + server;
                download(server, storage, partial);
            }
            BackupManifest manifest = BackupRestorer.verify(partial);
            Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "backup written to %s (%s): %d FHIR resources, %d DICOM instances,"
                                    + " %d files, checksums verified%n",
                            out,
                            how,
                            manifest.fhirTotal(),
                            manifest.dicomInstances(),
                            manifest.entries().size());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (IOException | SQLException e) {
            return fail(1, "backup failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(1, "interrupted");
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                // Reported by the failure above, if any.
            }
        }
    }

    /** The database, opened by this process; empty when the server holds it open. */
    private static Optional<Connection> openUnlessInUse(StorageSettings storage)
            throws SQLException {
        try {
            return Optional.of(
                    DriverManager.getConnection(
                            storage.jdbcUrl() + ";IFEXISTS=TRUE",
                            storage.user(),
                            storage.password()));
        } catch (SQLException e) {
            if (e.getErrorCode() == DATABASE_ALREADY_OPEN) {
                return Optional.empty();
            }
            throw new SQLException(
                    "cannot open the database under " + storage.dataDir() + ": " + e.getMessage(),
                    e.getSQLState(),
                    e.getErrorCode(),
                    e);
        }
    }

    private void download(URI server, StorageSettings storage, Path target)
            throws IOException, InterruptedException {
        String token;
        try (SecurityStore store = dataDir.openStore()) {
            IssuerRecord issuer =
                    IssuerRecord.read(store)
                            .orElseThrow(() -> new IOException("the server recorded no issuer"));
            token =
                    new TokenIssuer(
                                    SigningKeys.loadOrCreate(store),
                                    issuer.issuer(),
                                    issuer.audience(),
                                    Clock.systemUTC())
                            .issue(
                                    new TokenIssuer.Grant(
                                            "quorum-backup",
                                            "quorum-cli",
                                            Set.of(Role.PROJECT_ADMIN),
                                            Set.of(),
                                            ScopeSet.parse("user/*.cruds"),
                                            Optional.empty()),
                                    Duration.ofMinutes(10))
                            .accessToken();
        }
        HttpResponse<InputStream> response =
                HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(10))
                        .build()
                        .send(
                                HttpRequest.newBuilder(server.resolve("/admin/backup"))
                                        .header("Authorization", "Bearer " + token)
                                        .POST(HttpRequest.BodyPublishers.noBody())
                                        .build(),
                                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException(
                        "the server answered "
                                + response.statusCode()
                                + ": "
                                + new String(body.readNBytes(500), StandardCharsets.UTF_8).strip());
            }
            Files.copy(body, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private int fail(int code, String message) {
        spec.commandLine().getErr().println("error: " + message);
        spec.commandLine().getErr().flush();
        return code;
    }
}
