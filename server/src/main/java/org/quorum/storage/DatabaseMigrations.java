package org.quorum.storage;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.SchemaMigrator;
import ca.uhn.fhir.jpa.migrate.tasks.HapiFhirJpaMigrationTasks;
import ca.uhn.fhir.util.VersionEnum;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a PostgreSQL database to the schema of this Quorum version, before Hibernate opens it (in
 * {@code validate} mode: the schema is owned by these migrations, not by Hibernate):
 *
 * <ol>
 *   <li>Quorum's own tables ({@code QRM_*}) with Flyway, from {@code db/quorum/postgresql} (history
 *       in {@value #QUORUM_HISTORY_TABLE}). A database made by Quorum 0.1.0 (tables created by
 *       Hibernate, no history) is baselined at version 1, whose script holds exactly those tables;
 *       later versions run on it as on a new database.
 *   <li>HAPI FHIR's tables with HAPI's own migration tasks ({@link HapiFhirJpaMigrationTasks}, as
 *       the HAPI CLI's {@code migrate-database} applies them; history in {@value
 *       SchemaMigrator#HAPI_FHIR_MIGRATION_TABLENAME}). On an empty database HAPI initialises the
 *       current schema at once and skips the older steps; on one made by Hibernate every step runs
 *       and skips what exists.
 * </ol>
 *
 * <p>Several nodes may start at once: the whole migration holds a PostgreSQL advisory lock, so the
 * first node migrates and the others find nothing left to do.
 */
public final class DatabaseMigrations {

    /** Flyway's history of Quorum's own migrations. */
    public static final String QUORUM_HISTORY_TABLE = "qrm_schema_history";

    static final String LOCATION = "classpath:db/quorum/postgresql";

    /** A table that Quorum 0.1.0 created with Hibernate: its presence marks such a database. */
    private static final String LEGACY_MARKER_TABLE = "qrm_audit_outbox";

    /** pg_advisory_lock key: "QRMMIGRT" as a 64-bit number. */
    private static final long LOCK_KEY = 0x51524d4d49475254L;

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseMigrations.class);

    /** What one run changed. */
    public record Outcome(int quorumMigrations, int hapiTasks, boolean baselined) {}

    private DatabaseMigrations() {}

    /**
     * Migrates a PostgreSQL database to this version's schema.
     *
     * @throws MigrationException naming the step that failed
     */
    public static Outcome migrate(DataSource dataSource) {
        try (Connection lock = dataSource.getConnection()) {
            advisoryLock(lock, "SELECT pg_advisory_lock(?)");
            try {
                boolean baselined = baselineIfMadeByHibernate(dataSource);
                MigrateResult quorum = quorumFlyway(dataSource).migrate();
                HapiMigrator hapi =
                        new HapiMigrator(
                                SchemaMigrator.HAPI_FHIR_MIGRATION_TABLENAME,
                                dataSource,
                                DriverTypeEnum.POSTGRES_9_4);
                hapi.createMigrationTableIfRequired();
                hapi.addTasks(
                        new HapiFhirJpaMigrationTasks(Set.of()).getAllTasks(VersionEnum.values()));
                MigrationResult result = hapi.migrate();
                if (!result.failedTasks.isEmpty()) {
                    throw new MigrationException(
                            "HAPI FHIR schema migration failed at "
                                    + result.failedTasks.get(0).getMigrationVersion());
                }
                Outcome outcome =
                        new Outcome(
                                quorum.migrationsExecuted, result.succeededTasks.size(), baselined);
                if (outcome.quorumMigrations() > 0 || outcome.hapiTasks() > 0) {
                    LOG.info(
                            "Database schema migrated: {} Quorum migration(s), {} HAPI FHIR"
                                    + " task(s){}",
                            outcome.quorumMigrations(),
                            outcome.hapiTasks(),
                            baselined ? " (a Quorum 0.1.0 database, baselined at version 1)" : "");
                }
                return outcome;
            } finally {
                advisoryLock(lock, "SELECT pg_advisory_unlock(?)");
            }
        } catch (SQLException e) {
            throw new MigrationException(
                    "cannot migrate the database schema (SQL state " + e.getSQLState() + ")", e);
        } catch (org.flywaydb.core.api.FlywayException e) {
            throw new MigrationException("Quorum schema migration failed: " + e.getMessage(), e);
        }
    }

    /** Quorum's migrations that this database has not applied yet (for {@code quorum db}). */
    public static int pendingQuorumMigrations(DataSource dataSource) {
        return quorumFlyway(dataSource).info().pending().length;
    }

    private static Flyway quorumFlyway(DataSource dataSource) {
        return Flyway.configure(DatabaseMigrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                .table(QUORUM_HISTORY_TABLE)
                .baselineVersion("1")
                .baselineDescription("Quorum 0.1.0 tables made by Hibernate")
                // HAPI's tables share the schema; Flyway must not take them for its own.
                .baselineOnMigrate(false)
                .cleanDisabled(true)
                .load();
    }

    private static boolean baselineIfMadeByHibernate(DataSource dataSource) throws SQLException {
        boolean legacy;
        boolean history;
        try (Connection connection = dataSource.getConnection()) {
            legacy = tableExists(connection, LEGACY_MARKER_TABLE);
            history = tableExists(connection, QUORUM_HISTORY_TABLE);
        }
        if (legacy && !history) {
            quorumFlyway(dataSource).baseline();
            return true;
        }
        return false;
    }

    static boolean tableExists(Connection connection, String table) throws SQLException {
        DatabaseMetaData metadata = connection.getMetaData();
        try (ResultSet tables =
                metadata.getTables(null, connection.getSchema(), table, new String[] {"TABLE"})) {
            return tables.next();
        }
    }

    private static void advisoryLock(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, LOCK_KEY);
            statement.execute();
        }
    }

    /** The schema could not be brought to this version; the server must not start on it. */
    public static final class MigrationException extends RuntimeException {
        public MigrationException(String message) {
            super(message);
        }

        public MigrationException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
