package org.quorum.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Messages the bridge has accepted (acknowledged AA to the sender) and not yet delivered to Quorum:
 * the durable store that makes the acknowledgement safe. Payloads are encrypted. A row leaves the
 * inbox when Quorum has committed it, or into the dead-letter store when Quorum refuses it.
 */
public final class Inbox {

    /** A message due for delivery. */
    public record Message(
            long id,
            String route,
            String sourceKey,
            String payload,
            int attempts,
            Instant received) {}

    private final BridgeDatabase database;
    private final Encryptor encryptor;
    private final Clock clock;

    public Inbox(BridgeDatabase database, Encryptor encryptor, Clock clock) {
        this.database = database;
        this.encryptor = encryptor;
        this.clock = clock;
    }

    /** Stores a message (in the caller's transaction); due at once. */
    public void add(Connection connection, String route, String sourceKey, String payload)
            throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        try (PreparedStatement insert =
                connection.prepareStatement(
                        "INSERT INTO qb_inbox (route, source_key, received_at, payload, attempts,"
                                + " next_attempt_at) VALUES (?, ?, ?, ?, 0, ?)")) {
            insert.setString(1, route);
            insert.setString(2, sourceKey);
            insert.setTimestamp(3, now);
            insert.setBytes(4, encryptor.encrypt(payload, context(route, sourceKey)));
            insert.setTimestamp(5, now);
            insert.executeUpdate();
        }
    }

    /** Messages of a route due now, oldest first. */
    public List<Message> due(String route, int limit) {
        return database.inTransaction(
                connection -> {
                    List<Message> messages = new ArrayList<>();
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT id, source_key, payload, attempts, received_at FROM"
                                            + " qb_inbox WHERE route = ? AND next_attempt_at <= ?"
                                            + " ORDER BY id")) {
                        select.setString(1, route);
                        select.setTimestamp(2, Timestamp.from(clock.instant()));
                        select.setMaxRows(limit);
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                String key = rows.getString("source_key");
                                messages.add(
                                        new Message(
                                                rows.getLong("id"),
                                                route,
                                                key,
                                                encryptor.decryptString(
                                                        rows.getBytes("payload"),
                                                        context(route, key)),
                                                rows.getInt("attempts"),
                                                rows.getTimestamp("received_at").toInstant()));
                            }
                        }
                    }
                    return messages;
                });
    }

    /** Removes a delivered (or dead-lettered) message, in the caller's transaction. */
    public void remove(Connection connection, long id) throws SQLException {
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM qb_inbox WHERE id = ?")) {
            delete.setLong(1, id);
            delete.executeUpdate();
        }
    }

    /** Counts a failed attempt and sets when the next one is due. */
    public void postpone(long id, Duration delay, String error) {
        database.inTransaction(
                connection -> {
                    try (PreparedStatement update =
                            connection.prepareStatement(
                                    "UPDATE qb_inbox SET attempts = attempts + 1, next_attempt_at"
                                            + " = ?, last_error = ? WHERE id = ?")) {
                        update.setTimestamp(1, Timestamp.from(clock.instant().plus(delay)));
                        update.setString(
                                2, error.length() > 2000 ? error.substring(0, 2000) : error);
                        update.setLong(3, id);
                        update.executeUpdate();
                    }
                    return null;
                });
    }

    /** Messages waiting in a route. */
    public long size(String route) {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement count =
                            connection.prepareStatement(
                                    "SELECT COUNT(*) FROM qb_inbox WHERE route = ?")) {
                        count.setString(1, route);
                        try (ResultSet rows = count.executeQuery()) {
                            rows.next();
                            return rows.getLong(1);
                        }
                    }
                });
    }

    /** When the oldest waiting message of a route was received (its lag). */
    public Optional<Instant> oldest(String route) {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT MIN(received_at) FROM qb_inbox WHERE route = ?")) {
                        select.setString(1, route);
                        try (ResultSet rows = select.executeQuery()) {
                            rows.next();
                            Timestamp oldest = rows.getTimestamp(1);
                            return Optional.ofNullable(oldest).map(Timestamp::toInstant);
                        }
                    }
                });
    }

    private static String context(String route, String sourceKey) {
        return "inbox:" + route + ":" + sourceKey;
    }
}
