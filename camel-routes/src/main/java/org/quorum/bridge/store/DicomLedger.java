package org.quorum.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;

/**
 * Which DICOM instances of a PACS route the bridge has dealt with: delivered to Quorum, quarantined
 * (burned-in text suspected) or parked as a dead letter. Keyed by the keyed digest of the original
 * SOP Instance UID (never the UID itself: PS3.15 counts instance UIDs as identifying), so a second
 * poll, a re-query of a study or a restart never fetches or sends an instance twice.
 */
public final class DicomLedger {

    /** What became of an instance. */
    public enum State {
        DELIVERED,
        QUARANTINED,
        DEAD_LETTER
    }

    private final BridgeDatabase database;
    private final Encryptor encryptor;
    private final Clock clock;

    public DicomLedger(BridgeDatabase database, Encryptor encryptor, Clock clock) {
        this.database = database;
        this.encryptor = encryptor;
        this.clock = clock;
    }

    /** The keyed digest the ledger knows a UID by. */
    public String digest(String uid) {
        return encryptor.digest("dicom-uid\u0000" + uid);
    }

    /** How many instances of the study the route has dealt with (any state). */
    public int countOfStudy(String route, String studyUid) {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT COUNT(*) FROM qb_dicom_instance WHERE route = ? AND"
                                            + " study_digest = ?")) {
                        select.setString(1, route);
                        select.setString(2, digest(studyUid));
                        try (ResultSet rows = select.executeQuery()) {
                            rows.next();
                            return rows.getInt(1);
                        }
                    }
                });
    }

    /** The digests of the study's instances the route has dealt with. */
    public Set<String> knownOfStudy(String route, String studyUid) {
        return database.inTransaction(
                connection -> {
                    Set<String> found = new HashSet<>();
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT sop_digest FROM qb_dicom_instance WHERE route = ? AND"
                                            + " study_digest = ?")) {
                        select.setString(1, route);
                        select.setString(2, digest(studyUid));
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                found.add(rows.getString(1));
                            }
                        }
                    }
                    return found;
                });
    }

    /** Records an instance (in the caller's transaction); a second record changes its state. */
    public void record(
            Connection connection, String route, String studyUid, String sopUid, State state)
            throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        String sop = digest(sopUid);
        try (PreparedStatement update =
                connection.prepareStatement(
                        "UPDATE qb_dicom_instance SET state = ?, recorded_at = ? WHERE route = ?"
                                + " AND sop_digest = ?")) {
            update.setString(1, state.name());
            update.setTimestamp(2, now);
            update.setString(3, route);
            update.setString(4, sop);
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement insert =
                connection.prepareStatement(
                        "INSERT INTO qb_dicom_instance (route, sop_digest, study_digest, state,"
                                + " recorded_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, route);
            insert.setString(2, sop);
            insert.setString(3, digest(studyUid));
            insert.setString(4, state.name());
            insert.setTimestamp(5, now);
            insert.executeUpdate();
        }
    }

    /** A quarantined instance released and delivered (in the caller's transaction). */
    public void markDelivered(Connection connection, String route, String sopDigest)
            throws SQLException {
        try (PreparedStatement update =
                connection.prepareStatement(
                        "UPDATE qb_dicom_instance SET state = ?, recorded_at = ? WHERE route = ?"
                                + " AND sop_digest = ?")) {
            update.setString(1, State.DELIVERED.name());
            update.setTimestamp(2, Timestamp.from(clock.instant()));
            update.setString(3, route);
            update.setString(4, sopDigest);
            update.executeUpdate();
        }
    }

    /**
     * Forgets an instance (a dead letter retried): the next poll of its study fetches it again.
     *
     * @return whether the ledger knew it
     */
    public boolean forget(Connection connection, String route, String sopDigest)
            throws SQLException {
        try (PreparedStatement delete =
                connection.prepareStatement(
                        "DELETE FROM qb_dicom_instance WHERE route = ? AND sop_digest = ?")) {
            delete.setString(1, route);
            delete.setString(2, sopDigest);
            return delete.executeUpdate() > 0;
        }
    }

    /** Instances per state (status). */
    public java.util.Map<String, Long> counts() {
        return database.inTransaction(
                connection -> {
                    java.util.Map<String, Long> counts = new java.util.TreeMap<>();
                    try (PreparedStatement select =
                                    connection.prepareStatement(
                                            "SELECT state, COUNT(*) FROM qb_dicom_instance GROUP"
                                                    + " BY state");
                            ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            counts.put(rows.getString(1), rows.getLong(2));
                        }
                    }
                    return counts;
                });
    }
}
