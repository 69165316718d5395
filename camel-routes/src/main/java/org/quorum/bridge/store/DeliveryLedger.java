package org.quorum.bridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.apache.camel.support.service.ServiceHelper;

/**
 * What the bridge has delivered: per route, the source keys whose delivery Quorum committed (EHR
 * {@code Type/id/_history/version}, HL7 {@code facility|control id}), kept in Camel's JDBC
 * idempotent repository; and per pseudonymous resource, a digest of the de-identified content last
 * delivered, so that a patient or practitioner that every page references is sent once, not with
 * every page.
 */
public final class DeliveryLedger implements AutoCloseable {

    private final BridgeDatabase database;
    private final Clock clock;
    private final Map<String, JdbcMessageIdRepository> repositories = new ConcurrentHashMap<>();

    public DeliveryLedger(BridgeDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** Camel's idempotent repository of a route (one processor name per route). */
    public JdbcMessageIdRepository repository(String route) {
        return repositories.computeIfAbsent(
                route,
                name -> {
                    JdbcMessageIdRepository repository =
                            new JdbcMessageIdRepository(
                                    database.dataSource(), database.transactions(), name);
                    ServiceHelper.startService(repository);
                    return repository;
                });
    }

    /** Whether a source key of a route was delivered (or parked as a dead letter). */
    public boolean isDone(String route, String key) {
        return repository(route).contains(messageId(key));
    }

    /**
     * Records keys as done; inside {@link BridgeDatabase#inTransaction} it joins that transaction.
     */
    public void markDone(String route, Collection<String> keys) {
        JdbcMessageIdRepository repository = repository(route);
        for (String key : keys) {
            repository.add(messageId(key));
        }
    }

    /** Content digests last delivered for these pseudonymous resources ({@code Type/id}). */
    public Map<String, String> digests(Collection<String> resources) {
        return database.inTransaction(
                connection -> {
                    Map<String, String> found = new HashMap<>();
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT content_digest FROM qb_delivered WHERE resource = ?")) {
                        for (String resource : resources) {
                            select.setString(1, resource);
                            try (ResultSet rows = select.executeQuery()) {
                                if (rows.next()) {
                                    found.put(resource, rows.getString(1));
                                }
                            }
                        }
                    }
                    return found;
                });
    }

    /** Records delivered content digests (caller's transaction). */
    public void recordDigests(Connection connection, Map<String, String> digests)
            throws SQLException {
        Timestamp now = Timestamp.from(clock.instant());
        try (PreparedStatement update =
                        connection.prepareStatement(
                                "UPDATE qb_delivered SET content_digest = ?, delivered_at = ?"
                                        + " WHERE resource = ?");
                PreparedStatement insert =
                        connection.prepareStatement(
                                "INSERT INTO qb_delivered (resource, content_digest,"
                                        + " delivered_at) VALUES (?, ?, ?)")) {
            for (Map.Entry<String, String> entry : digests.entrySet()) {
                update.setString(1, entry.getValue());
                update.setTimestamp(2, now);
                update.setString(3, entry.getKey());
                if (update.executeUpdate() == 0) {
                    insert.setString(1, entry.getKey());
                    insert.setString(2, entry.getValue());
                    insert.setTimestamp(3, now);
                    insert.executeUpdate();
                }
            }
        }
    }

    /** Forgets digests, so that the next delivery sends these resources again. */
    public void forgetDigests(Collection<String> resources) {
        database.inTransaction(
                connection -> {
                    try (PreparedStatement delete =
                            connection.prepareStatement(
                                    "DELETE FROM qb_delivered WHERE resource = ?")) {
                        for (String resource : resources) {
                            delete.setString(1, resource);
                            delete.executeUpdate();
                        }
                    }
                    return null;
                });
    }

    /** Camel's table holds ids of up to 100 characters; longer keys are stored as a digest. */
    public static String messageIdOf(String key) {
        return messageId(key);
    }

    static String messageId(String key) {
        if (key.length() <= 100) {
            return key;
        }
        try {
            byte[] hash =
                    java.security.MessageDigest.getInstance("SHA-256")
                            .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        repositories.values().forEach(ServiceHelper::stopService);
    }
}
