package org.quorum.ops.backup;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.quorum.config.StorageSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/backup}: streams a consistent backup of the running embedded installation as a
 * zip ({@link BackupWriter}), taken with the server's own database connection (H2 lets only the
 * server open its file). {@code quorum backup} calls it; the archive's manifest and checksums let
 * the CLI prove the download whole. On PostgreSQL the answer is 409: such databases are backed up
 * with {@code pg_dump} or continuous archiving (docs/operations.md).
 */
public final class BackupHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BackupHandler.class);

    private final DataSource dataSource;
    private final StorageSettings storage;
    private final BackupWriter writer;

    public BackupHandler(DataSource dataSource, StorageSettings storage, BackupWriter writer) {
        this.dataSource = dataSource;
        this.storage = storage;
        this.writer = writer;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            exchange.setStatusCode(405);
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
            exchange.endExchange();
            return;
        }
        if (storage.database() != StorageSettings.Database.H2) {
            plain(
                    exchange,
                    409,
                    "This installation uses PostgreSQL: back it up with pg_dump or continuous"
                            + " archiving and copy the DICOM directory (docs/operations.md).");
            return;
        }
        exchange.startBlocking();
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/zip");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        Path dataDir = storage.dataDir();
        try (Connection connection = dataSource.getConnection();
                OutputStream out = exchange.getOutputStream()) {
            BackupManifest manifest = writer.write(connection, dataDir, storage.dicomDir(), out);
            LOG.info(
                    "Backup streamed: {} FHIR resources, {} DICOM instances, {} entries",
                    manifest.fhirTotal(),
                    manifest.dicomInstances(),
                    manifest.entries().size());
        } catch (IOException | SQLException e) {
            // The status is sent; the archive lacks its manifest, and the CLI refuses it.
            LOG.error("Backup failed: {}", e.getMessage());
            try {
                exchange.getConnection().close();
            } catch (IOException closing) {
                // The connection is going away anyway.
            }
        }
    }

    private static void plain(HttpServerExchange exchange, int status, String message) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=UTF-8");
        exchange.getResponseSender().send(message + "\n", StandardCharsets.UTF_8);
    }
}
