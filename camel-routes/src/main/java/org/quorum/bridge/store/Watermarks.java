package org.quorum.bridge.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * How far each EHR query has been delivered: the newest {@code meta.lastUpdated} among hits whose
 * transaction Quorum has committed. Moved only after the commit, so a crash replays from here.
 */
public final class Watermarks {

    private final BridgeDatabase database;
    private final Clock clock;

    public Watermarks(BridgeDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public Optional<Instant> get(String route) {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT watermark_millis FROM qb_watermark WHERE route = ?")) {
                        select.setString(1, route);
                        try (ResultSet rows = select.executeQuery()) {
                            return rows.next()
                                    ? Optional.of(Instant.ofEpochMilli(rows.getLong(1)))
                                    : Optional.<Instant>empty();
                        }
                    }
                });
    }

    /** Moves the watermark forward (never back). */
    public void advance(String route, String query, Instant watermark) {
        database.inTransaction(
                connection -> {
                    try (PreparedStatement update =
                            connection.prepareStatement(
                                    "UPDATE qb_watermark SET watermark_millis = ?, updated_at = ?"
                                            + " WHERE route = ? AND watermark_millis < ?")) {
                        update.setLong(1, watermark.toEpochMilli());
                        update.setTimestamp(2, Timestamp.from(clock.instant()));
                        update.setString(3, route);
                        update.setLong(4, watermark.toEpochMilli());
                        if (update.executeUpdate() > 0) {
                            return null;
                        }
                    }
                    try (PreparedStatement exists =
                            connection.prepareStatement(
                                    "SELECT 1 FROM qb_watermark WHERE route = ?")) {
                        exists.setString(1, route);
                        try (ResultSet rows = exists.executeQuery()) {
                            if (rows.next()) {
                                return null;
                            }
                        }
                    }
                    try (PreparedStatement insert =
                            connection.prepareStatement(
                                    "INSERT INTO qb_watermark (route, query, watermark_millis,"
                                            + " updated_at) VALUES (?, ?, ?, ?)")) {
                        insert.setString(1, route);
                        insert.setString(2, query);
                        insert.setLong(3, watermark.toEpochMilli());
                        insert.setTimestamp(4, Timestamp.from(clock.instant()));
                        insert.executeUpdate();
                    }
                    return null;
                });
    }

    /** Every route's watermark and query (status). */
    public java.util.Map<String, String> all() {
        return database.inTransaction(
                connection -> {
                    java.util.Map<String, String> found = new java.util.TreeMap<>();
                    try (PreparedStatement select =
                                    connection.prepareStatement(
                                            "SELECT route, query, watermark_millis FROM qb_watermark");
                            ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            found.put(
                                    rows.getString(1),
                                    Instant.ofEpochMilli(rows.getLong(3))
                                            + "  "
                                            + rows.getString(2));
                        }
                    }
                    return found;
                });
    }
}
