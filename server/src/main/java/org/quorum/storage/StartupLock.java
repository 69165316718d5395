package org.quorum.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.quorum.config.StorageSettings;

/**
 * Serialises the "install once" steps of start-up across the nodes of one PostgreSQL database:
 * installing the FHIR package and its conformance resources, rebuilding derived tables. Two nodes
 * started at the same moment would otherwise both install the package and one would fail on the
 * unique key (seen in {@code ClusterIT}). A PostgreSQL session advisory lock, held on its own
 * connection until {@link #close()}; with the embedded H2 database (one node) there is nothing to
 * serialise.
 */
public final class StartupLock implements AutoCloseable {

    /** pg_advisory_lock key: "QRMSTART" as a 64-bit number. */
    private static final long LOCK_KEY = 0x51524d5354415254L;

    private final Connection connection;

    private StartupLock(Connection connection) {
        this.connection = connection;
    }

    /** Waits until no other node is starting, then holds the lock. */
    public static StartupLock acquire(DataSource dataSource, StorageSettings storage) {
        if (storage.database() != StorageSettings.Database.POSTGRESQL) {
            return new StartupLock(null);
        }
        return acquire(dataSource::getConnection);
    }

    /**
     * The same lock on a connection of its own, before the connection pool exists: start-up holds
     * it from before the FHIR server's initialisation (HAPI fills its resource-type table when its
     * context starts; two nodes doing that at once collided on its unique key) to the end of the
     * install-once steps.
     */
    public static StartupLock acquire(StorageSettings storage) {
        if (storage.database() != StorageSettings.Database.POSTGRESQL) {
            return new StartupLock(null);
        }
        return acquire(
                () ->
                        java.sql.DriverManager.getConnection(
                                storage.jdbcUrl(), storage.user(), storage.password()));
    }

    private interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private static StartupLock acquire(ConnectionSource source) {
        try {
            Connection connection = source.open();
            try (PreparedStatement lock =
                    connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, LOCK_KEY);
                lock.execute();
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
            return new StartupLock(connection);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot take the start-up lock in the database (SQL state "
                            + e.getSQLState()
                            + ")",
                    e);
        }
    }

    @Override
    public void close() {
        if (connection == null) {
            return;
        }
        try (connection;
                PreparedStatement unlock =
                        connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            unlock.setLong(1, LOCK_KEY);
            unlock.execute();
        } catch (SQLException e) {
            // Closing the session releases the lock anyway.
        }
    }
}
