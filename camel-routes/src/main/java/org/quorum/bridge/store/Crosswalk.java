package org.quorum.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Original ↔ pseudonymous identifiers, kept by the bridge and never by Quorum, for writing labels
 * back to the hospital's systems: resource ids ({@code DocumentReference/abc} ↔ {@code
 * DocumentReference/OID-…}), identifier values (MRN ↔ its pseudonym, per system) and, in part 2,
 * DICOM UIDs. The original is stored encrypted (AES-GCM) with a keyed digest to find it; the
 * pseudonym is not PHI and is stored in clear.
 */
public final class Crosswalk {

    /** What a crosswalk row maps. */
    public enum Kind {
        /** {@code Type/id} of a resource. */
        RESOURCE,
        /** {@code system|value} of an identifier. */
        IDENTIFIER,
        /** A DICOM UID (study, series, SOP instance). */
        DICOM_UID,
        /**
         * An Accession Number an EHR record of the cohort carries (an identifier of type {@code
         * ACSN}): the original is the bare value the PACS knows, the pseudonym the de-identified
         * {@code system|value}. The PACS pull asks for these studies when so configured.
         */
        ACCESSION_NUMBER
    }

    /**
     * One mapping.
     *
     * @param source where the original lives: the EHR's FHIR base, {@code hl7:<facility>}, a PACS
     */
    public record Entry(Kind kind, String original, String pseudonym, String source) {}

    private final BridgeDatabase database;
    private final Encryptor encryptor;
    private final Clock clock;

    public Crosswalk(BridgeDatabase database, Encryptor encryptor, Clock clock) {
        this.database = database;
        this.encryptor = encryptor;
        this.clock = clock;
    }

    /** Records the entries that are new, in the caller's transaction. */
    public void record(Connection connection, Collection<Entry> entries) throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        try (PreparedStatement exists =
                        connection.prepareStatement(
                                "SELECT 1 FROM qb_crosswalk WHERE kind = ? AND pseudonym = ? AND"
                                        + " original_digest = ?");
                PreparedStatement insert =
                        connection.prepareStatement(
                                "INSERT INTO qb_crosswalk (kind, pseudonym, original_digest,"
                                        + " original, source, first_seen) VALUES (?, ?, ?, ?, ?,"
                                        + " ?)")) {
            for (Entry entry : entries) {
                String digest = digest(entry.kind(), entry.original());
                exists.setString(1, entry.kind().name());
                exists.setString(2, entry.pseudonym());
                exists.setString(3, digest);
                try (ResultSet rows = exists.executeQuery()) {
                    if (rows.next()) {
                        continue;
                    }
                }
                insert.setString(1, entry.kind().name());
                insert.setString(2, entry.pseudonym());
                insert.setString(3, digest);
                insert.setBytes(
                        4,
                        encryptor.encrypt(
                                entry.original(),
                                context(entry.kind(), entry.pseudonym(), digest)));
                insert.setString(5, entry.source());
                insert.setTimestamp(6, now);
                insert.executeUpdate();
            }
        }
    }

    /** Records the entries in their own transaction. */
    public void record(Collection<Entry> entries) {
        database.inTransaction(
                connection -> {
                    record(connection, entries);
                    return null;
                });
    }

    /** The originals a pseudonym stands for (usually one). */
    public List<Entry> originalsOf(Kind kind, String pseudonym) {
        return database.inTransaction(
                connection -> {
                    List<Entry> found = new ArrayList<>();
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT original_digest, original, source FROM qb_crosswalk"
                                            + " WHERE kind = ? AND pseudonym = ?")) {
                        select.setString(1, kind.name());
                        select.setString(2, pseudonym);
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                String original =
                                        encryptor.decryptString(
                                                rows.getBytes(2),
                                                context(kind, pseudonym, rows.getString(1)));
                                found.add(new Entry(kind, original, pseudonym, rows.getString(3)));
                            }
                        }
                    }
                    return found;
                });
    }

    /** The pseudonym an original was given, if the bridge has delivered it. */
    public Optional<String> pseudonymOf(Kind kind, String original) {
        String digest = digest(kind, original);
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT pseudonym FROM qb_crosswalk WHERE kind = ? AND"
                                            + " original_digest = ?")) {
                        select.setString(1, kind.name());
                        select.setString(2, digest);
                        try (ResultSet rows = select.executeQuery()) {
                            return rows.next()
                                    ? Optional.of(rows.getString(1))
                                    : Optional.<String>empty();
                        }
                    }
                });
    }

    /**
     * The distinct originals of a kind first recorded at or after {@code since}, decrypted, in the
     * order they were first seen.
     */
    public List<String> originalsSince(Kind kind, Instant since) {
        return database.inTransaction(
                connection -> {
                    java.util.LinkedHashSet<String> found = new java.util.LinkedHashSet<>();
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT pseudonym, original_digest, original FROM qb_crosswalk"
                                            + " WHERE kind = ? AND first_seen >= ?"
                                            + " ORDER BY first_seen, original_digest")) {
                        select.setString(1, kind.name());
                        select.setTimestamp(2, Timestamp.from(since));
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                found.add(
                                        encryptor.decryptString(
                                                rows.getBytes(3),
                                                context(
                                                        kind,
                                                        rows.getString(1),
                                                        rows.getString(2))));
                            }
                        }
                    }
                    return List.copyOf(found);
                });
    }

    /** Number of rows (status). */
    public long size() {
        return database.inTransaction(
                connection -> {
                    try (PreparedStatement count =
                                    connection.prepareStatement(
                                            "SELECT COUNT(*) FROM qb_crosswalk");
                            ResultSet rows = count.executeQuery()) {
                        rows.next();
                        return rows.getLong(1);
                    }
                });
    }

    private String digest(Kind kind, String original) {
        return encryptor.digest(kind + "\u0000" + original);
    }

    private static String context(Kind kind, String pseudonym, String digest) {
        return "crosswalk:" + kind + ":" + pseudonym + ":" + digest;
    }
}
