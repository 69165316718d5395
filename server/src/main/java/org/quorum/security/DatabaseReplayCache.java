package org.quorum.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * The used client assertions in the database ({@code QRM_CLIENT_ASSERTION}), so that every node
 * refuses an assertion that any node accepted: the primary key decides which of two concurrent uses
 * is first. Expired rows are deleted at most once a minute.
 */
public final class DatabaseReplayCache implements ReplayCache {

    /** The entity classes, for the persistence unit. */
    public static final List<Class<?>> ENTITIES = List.of(ClientAssertionUseEntity.class);

    private static final String TABLE = "QRM_CLIENT_ASSERTION";
    private static final String UNIQUE_VIOLATION = "23505";
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

    private final DataSource dataSource;
    private final AtomicReference<Instant> nextPurge = new AtomicReference<>(Instant.MIN);

    public DatabaseReplayCache(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public boolean firstUse(String clientId, String jti, Instant forgetAt, Instant now) {
        String key = key(clientId, jti);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            purgeExpired(connection, now);
            try (PreparedStatement insert =
                    connection.prepareStatement(
                            "INSERT INTO "
                                    + TABLE
                                    + " (ASSERTION_KEY, EXPIRES_AT) VALUES (?, ?)")) {
                insert.setString(1, key);
                insert.setTimestamp(2, Timestamp.from(forgetAt));
                insert.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
            }
            // Seen before: a replay, unless that use has expired (then it may be used again).
            try (PreparedStatement reuse =
                    connection.prepareStatement(
                            "UPDATE "
                                    + TABLE
                                    + " SET EXPIRES_AT = ? WHERE ASSERTION_KEY = ? AND EXPIRES_AT < ?")) {
                reuse.setTimestamp(1, Timestamp.from(forgetAt));
                reuse.setString(2, key);
                reuse.setTimestamp(3, Timestamp.from(now));
                return reuse.executeUpdate() == 1;
            }
        } catch (SQLException e) {
            throw new StateUnavailableException(
                    "the used client assertions cannot be checked (SQL state "
                            + e.getSQLState()
                            + ")",
                    e);
        }
    }

    private void purgeExpired(Connection connection, Instant now) throws SQLException {
        Instant due = nextPurge.get();
        if (now.isBefore(due) || !nextPurge.compareAndSet(due, now.plus(PURGE_INTERVAL))) {
            return;
        }
        try (PreparedStatement purge =
                connection.prepareStatement("DELETE FROM " + TABLE + " WHERE EXPIRES_AT < ?")) {
            purge.setTimestamp(1, Timestamp.from(now));
            purge.executeUpdate();
        }
    }

    private static String key(String clientId, String jti) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(
                                            (clientId + "\n" + jti)
                                                    .getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
