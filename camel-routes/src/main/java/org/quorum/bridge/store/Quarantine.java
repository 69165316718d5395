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

/**
 * DICOM instances the bridge does not send because their pixels may show text (burned-in
 * annotation, screen captures, ultrasound without {@code BurnedInAnnotation NO}: {@code
 * org.quorum.deid.dicom.BurnedInTextScreen}). The de-identified copy is kept encrypted for a person
 * to inspect; the listing shows only pseudonymous UIDs, the class and the reason.
 */
public final class Quarantine {

    /** One quarantined instance, without its payload. */
    public record Entry(
            long id,
            String route,
            String studyPseudonym,
            String sopPseudonym,
            String sopClass,
            String modality,
            String reason,
            Instant quarantinedAt) {}

    /** A quarantined instance with its decrypted de-identified copy (for its release). */
    public record Held(long id, String route, String sopDigest, byte[] deidentified) {}

    private final BridgeDatabase database;
    private final Encryptor encryptor;
    private final Clock clock;

    public Quarantine(BridgeDatabase database, Encryptor encryptor, Clock clock) {
        this.database = database;
        this.encryptor = encryptor;
        this.clock = clock;
    }

    /** Keeps a de-identified instance (in the caller's transaction). */
    public void keep(
            Connection connection,
            String route,
            String sopDigest,
            String studyPseudonym,
            String sopPseudonym,
            String sopClass,
            String modality,
            String reason,
            byte[] deidentified)
            throws SQLException {
        try (PreparedStatement insert =
                connection.prepareStatement(
                        "INSERT INTO qb_quarantine (route, sop_digest, study_pseudonym,"
                                + " sop_pseudonym, sop_class, modality, reason, payload,"
                                + " quarantined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, route);
            insert.setString(2, sopDigest);
            insert.setString(3, studyPseudonym);
            insert.setString(4, sopPseudonym);
            insert.setString(5, clip(sopClass, 64));
            insert.setString(6, clip(modality, 16));
            insert.setString(7, clip(reason, 2000));
            insert.setBytes(8, encryptor.encrypt(deidentified, "quarantine:" + sopDigest));
            insert.setTimestamp(9, Timestamp.from(clock.instant()));
            insert.executeUpdate();
        }
    }

    /** Every quarantined instance, oldest first. */
    public List<Entry> list() {
        return database.inTransaction(
                connection -> {
                    List<Entry> found = new ArrayList<>();
                    try (PreparedStatement select =
                                    connection.prepareStatement(
                                            "SELECT id, route, study_pseudonym, sop_pseudonym,"
                                                    + " sop_class, modality, reason,"
                                                    + " quarantined_at FROM qb_quarantine ORDER BY"
                                                    + " id");
                            ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            found.add(
                                    new Entry(
                                            rows.getLong(1),
                                            rows.getString(2),
                                            rows.getString(3),
                                            rows.getString(4),
                                            rows.getString(5),
                                            rows.getString(6),
                                            rows.getString(7),
                                            rows.getTimestamp(8).toInstant()));
                        }
                    }
                    return found;
                });
    }

    /** One quarantined instance with its payload, empty when there is no such id. */
    public java.util.Optional<Held> held(long id) {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT route, sop_digest, payload FROM qb_quarantine WHERE"
                                            + " id = ?")) {
                        select.setLong(1, id);
                        try (ResultSet rows = select.executeQuery()) {
                            if (!rows.next()) {
                                return java.util.Optional.empty();
                            }
                            String digest = rows.getString(2);
                            return java.util.Optional.of(
                                    new Held(
                                            id,
                                            rows.getString(1),
                                            digest,
                                            encryptor.decrypt(
                                                    rows.getBytes(3), "quarantine:" + digest)));
                        }
                    }
                });
    }

    /** Removes a released instance (in the caller's transaction). */
    public void remove(Connection connection, long id) throws SQLException {
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM qb_quarantine WHERE id = ?")) {
            delete.setLong(1, id);
            delete.executeUpdate();
        }
    }

    private static String clip(String value, int max) {
        return value.length() > max ? value.substring(0, max) : value;
    }
}
