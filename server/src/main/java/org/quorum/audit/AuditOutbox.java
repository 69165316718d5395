package org.quorum.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The durable audit outbox: a table in Quorum's database ({@link AuditOutboxEntity}) that holds
 * each AuditEvent from before its request is answered until it is stored as a FHIR resource. An
 * append is one autocommitted insert; a crash after it loses nothing, the next start drains it.
 */
public final class AuditOutbox {

    /** The entity classes, for the persistence unit. */
    public static final List<Class<?>> ENTITIES = List.of(AuditOutboxEntity.class);

    private static final String TABLE = "QRM_AUDIT_OUTBOX";

    /** One pending AuditEvent. */
    public record Pending(long id, String payload, int attempts, Instant recordedAt) {}

    /** What is waiting: how many, how old the oldest, how many failed {@code max} times. */
    public record Backlog(long pending, Optional<Instant> oldest, long failing) {}

    private final DataSource dataSource;

    public AuditOutbox(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Appends one AuditEvent (FHIR JSON), committed when this returns; its outbox id. */
    public long append(Instant recorded, String payload) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return append(connection, recorded, payload);
        }
    }

    /**
     * Appends one AuditEvent on {@code connection}, in its current transaction (committed with it);
     * its outbox id.
     */
    static long append(Connection connection, Instant recorded, String payload)
            throws SQLException {
        try (PreparedStatement insert =
                connection.prepareStatement(
                        "INSERT INTO "
                                + TABLE
                                + " (RECORDED_AT, ATTEMPTS, PAYLOAD) VALUES (?, 0, ?)",
                        Statement.RETURN_GENERATED_KEYS)) {
            insert.setTimestamp(1, Timestamp.from(recorded));
            insert.setString(2, payload);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                return keys.next() ? keys.getLong(1) : -1;
            }
        }
    }

    /** An AuditEvent to append: when it was recorded and its FHIR JSON. */
    public record Entry(Instant recorded, String payload) {}

    /**
     * Appends several AuditEvents in one transaction (one commit for all: the group commit of
     * requests answered at the same time), committed when this returns; the largest outbox id.
     * Either all are appended or none.
     */
    public long appendAll(List<Entry> entries) throws SQLException {
        if (entries.size() == 1) {
            return append(entries.get(0).recorded(), entries.get(0).payload());
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            long last = -1;
            try {
                for (Entry entry : entries) {
                    last = Math.max(last, append(connection, entry.recorded(), entry.payload()));
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            return last;
        }
    }

    /** The oldest pending AuditEvents that have failed fewer than {@code maxAttempts} times. */
    public List<Pending> oldest(int limit, int maxAttempts) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select =
                        connection.prepareStatement(
                                "SELECT ID, PAYLOAD, ATTEMPTS, RECORDED_AT FROM "
                                        + TABLE
                                        + " WHERE ATTEMPTS < ? ORDER BY ID")) {
            select.setInt(1, maxAttempts);
            select.setMaxRows(limit);
            List<Pending> rows = new ArrayList<>();
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows.add(
                            new Pending(
                                    result.getLong(1),
                                    result.getString(2),
                                    result.getInt(3),
                                    result.getTimestamp(4).toInstant()));
                }
            }
            return rows;
        }
    }

    /** Records a failed attempt (the reason names the error class, never the content). */
    public void failed(long id, String reason) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update =
                        connection.prepareStatement(
                                "UPDATE "
                                        + TABLE
                                        + " SET ATTEMPTS = ATTEMPTS + 1, LAST_ERROR = ? WHERE ID = ?")) {
            update.setString(1, reason.length() > 300 ? reason.substring(0, 300) : reason);
            update.setLong(2, id);
            update.executeUpdate();
        }
    }

    /** How many AuditEvents with an id up to {@code id} are still waiting. */
    public long pendingUpTo(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement count =
                        connection.prepareStatement(
                                "SELECT COUNT(*) FROM " + TABLE + " WHERE ID <= ?")) {
            count.setLong(1, id);
            try (ResultSet result = count.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    /** The backlog, for the readiness check and metrics. */
    public Backlog backlog(int maxAttempts) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query =
                        connection.prepareStatement(
                                "SELECT COUNT(*), MIN(RECORDED_AT),"
                                        + " SUM(CASE WHEN ATTEMPTS >= ? THEN 1 ELSE 0 END) FROM "
                                        + TABLE)) {
            query.setInt(1, maxAttempts);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                Timestamp oldest = result.getTimestamp(2);
                return new Backlog(
                        result.getLong(1),
                        Optional.ofNullable(oldest).map(Timestamp::toInstant),
                        result.getLong(3));
            }
        }
    }
}
