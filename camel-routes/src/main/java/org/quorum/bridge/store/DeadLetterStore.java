package org.quorum.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Records the bridge could not deliver and will not retry by itself: bad HL7 input, a record Quorum
 * refuses (4xx), a resource de-identification cannot handle. Kept in their own table with the
 * payload encrypted (it is the original, identified record), the reason (never PHI), and the number
 * of attempts. {@code quorum bridge dead-letters list|retry|drop} reads and changes them; a retry
 * request is carried out by the running bridge.
 */
public final class DeadLetterStore {

    /** What the payload holds, so a retry knows how to process it. */
    public enum PayloadKind {
        /** A FHIR Bundle (JSON) of the original hit and what it references. */
        FHIR_RECORD,
        /** An HL7 v2 message (ER7). */
        HL7_V2,
        /**
         * A DICOM instance a peer refused: the payload is its PACS locator (study, series, SOP
         * Instance UID); a retry lets the next PACS poll fetch it again.
         */
        DICOM_INSTANCE,
        /**
         * A final label that could not be written back: the payload is its versioned reference in
         * Quorum ({@code Observation/<id>/_history/<n>}); a retry reads it again and writes it.
         */
        LABEL_WRITE_BACK
    }

    /** A dead letter's state: parked, or waiting for the running bridge to retry it. */
    public enum State {
        PARKED,
        RETRY
    }

    /** A dead letter without its payload (for listing). */
    public record DeadLetter(
            long id,
            String route,
            String sourceKey,
            PayloadKind payloadKind,
            String reason,
            int attempts,
            State state,
            Instant firstFailedAt,
            Instant lastFailedAt) {}

    /** A dead letter to retry, with its decrypted payload. */
    public record Retry(DeadLetter letter, String payload) {}

    private final BridgeDatabase database;
    private final Encryptor encryptor;
    private final Clock clock;

    public DeadLetterStore(BridgeDatabase database, Encryptor encryptor, Clock clock) {
        this.database = database;
        this.encryptor = encryptor;
        this.clock = clock;
    }

    /**
     * Parks a record (in the caller's transaction). A record already parked under the same route
     * and source key is updated (reason, attempts, time) instead of added twice.
     */
    public void park(
            Connection connection,
            String route,
            String sourceKey,
            PayloadKind kind,
            String payload,
            String reason,
            int attempts)
            throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        String shortReason = reason.length() > 2000 ? reason.substring(0, 1997) + "..." : reason;
        byte[] sealed = encryptor.encrypt(payload, context(route, sourceKey));
        try (PreparedStatement update =
                connection.prepareStatement(
                        "UPDATE qb_dead_letter SET payload = ?, reason = ?, attempts = attempts +"
                                + " ?, state = ?, last_failed_at = ? WHERE route = ? AND"
                                + " source_key = ?")) {
            update.setBytes(1, sealed);
            update.setString(2, shortReason);
            update.setInt(3, attempts);
            update.setString(4, State.PARKED.name());
            update.setTimestamp(5, now);
            update.setString(6, route);
            update.setString(7, sourceKey);
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement insert =
                connection.prepareStatement(
                        "INSERT INTO qb_dead_letter (route, source_key, payload_kind, payload,"
                                + " reason, attempts, state, first_failed_at, last_failed_at)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, route);
            insert.setString(2, sourceKey);
            insert.setString(3, kind.name());
            insert.setBytes(4, sealed);
            insert.setString(5, shortReason);
            insert.setInt(6, attempts);
            insert.setString(7, State.PARKED.name());
            insert.setTimestamp(8, now);
            insert.setTimestamp(9, now);
            insert.executeUpdate();
        }
    }

    /** Parks a record in its own transaction. */
    public void park(
            String route,
            String sourceKey,
            PayloadKind kind,
            String payload,
            String reason,
            int attempts) {
        database.inTransaction(
                connection -> {
                    park(connection, route, sourceKey, kind, payload, reason, attempts);
                    return null;
                });
    }

    /** All dead letters, oldest first, without payloads. */
    public List<DeadLetter> list() {
        return database.inTransaction(
                connection -> {
                    List<DeadLetter> letters = new ArrayList<>();
                    try (PreparedStatement select =
                                    connection.prepareStatement(
                                            "SELECT "
                                                    + COLUMNS
                                                    + " FROM qb_dead_letter ORDER BY id");
                            ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            letters.add(read(rows));
                        }
                    }
                    return letters;
                });
    }

    public Optional<DeadLetter> find(long id) {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT " + COLUMNS + " FROM qb_dead_letter WHERE id = ?")) {
                        select.setLong(1, id);
                        try (ResultSet rows = select.executeQuery()) {
                            return rows.next() ? Optional.of(read(rows)) : Optional.empty();
                        }
                    }
                });
    }

    /** Asks the running bridge to retry one dead letter; false if there is no such id. */
    public boolean requestRetry(long id) {
        return setState("id = ?", id) > 0;
    }

    /** Asks the running bridge to retry every parked dead letter; returns how many. */
    public int requestRetryAll() {
        return setState("state = ?", State.PARKED.name());
    }

    private int setState(String where, Object argument) {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement update =
                            connection.prepareStatement(
                                    "UPDATE qb_dead_letter SET state = ? WHERE " + where)) {
                        update.setString(1, State.RETRY.name());
                        update.setObject(2, argument);
                        return update.executeUpdate();
                    }
                });
    }

    /** Deletes a dead letter (its payload goes with it); false if there is no such id. */
    public boolean drop(long id) {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement delete =
                            connection.prepareStatement(
                                    "DELETE FROM qb_dead_letter WHERE id = ?")) {
                        delete.setLong(1, id);
                        return delete.executeUpdate() > 0;
                    }
                });
    }

    /** Dead letters waiting for a retry, with their payloads. */
    public List<Retry> retriesRequested(int limit) {
        return database.inTransaction(
                connection -> {
                    List<Retry> retries = new ArrayList<>();
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT "
                                            + COLUMNS
                                            + ", payload FROM qb_dead_letter WHERE state = ?"
                                            + " ORDER BY id")) {
                        select.setString(1, State.RETRY.name());
                        select.setMaxRows(limit);
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                DeadLetter letter = read(rows);
                                String payload =
                                        encryptor.decryptString(
                                                rows.getBytes("payload"),
                                                context(letter.route(), letter.sourceKey()));
                                retries.add(new Retry(letter, payload));
                            }
                        }
                    }
                    return retries;
                });
    }

    /** Removes a dead letter that a retry delivered (in the caller's transaction). */
    public void resolve(Connection connection, long id) throws SQLException {
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM qb_dead_letter WHERE id = ?")) {
            delete.setLong(1, id);
            delete.executeUpdate();
        }
    }

    public void resolve(long id) {
        database.inTransaction(
                connection -> {
                    resolve(connection, id);
                    return null;
                });
    }

    /** Number of dead letters per state. */
    public long count() {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement count =
                                    connection.prepareStatement(
                                            "SELECT COUNT(*) FROM qb_dead_letter");
                            ResultSet rows = count.executeQuery()) {
                        rows.next();
                        return rows.getLong(1);
                    }
                });
    }

    private static final String COLUMNS =
            "id, route, source_key, payload_kind, reason, attempts, state, first_failed_at,"
                    + " last_failed_at";

    private static DeadLetter read(ResultSet rows) throws SQLException {
        return new DeadLetter(
                rows.getLong("id"),
                rows.getString("route"),
                rows.getString("source_key"),
                PayloadKind.valueOf(rows.getString("payload_kind")),
                rows.getString("reason"),
                rows.getInt("attempts"),
                State.valueOf(rows.getString("state")),
                rows.getTimestamp("first_failed_at").toInstant(),
                rows.getTimestamp("last_failed_at").toInstant());
    }

    private static String context(String route, String sourceKey) {
        return "dead-letter:" + route + ":" + sourceKey;
    }
}
