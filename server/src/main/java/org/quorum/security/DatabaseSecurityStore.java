package org.quorum.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The security documents as rows of {@code QRM_SECURITY_DOCUMENT} (name, version, content), shared
 * by every node on the database and by the CLI. A change increments the row's version, which is the
 * document's stamp: a node notices another node's change with one primary-key read.
 * Read-modify-write holds the row lock ({@code SELECT … FOR UPDATE}); creating a document that
 * another node created at the same moment fails on the primary key and is retried. Secret documents
 * are stored sealed by a {@link SecretsCipher}.
 */
public final class DatabaseSecurityStore implements SecurityStore {

    static final String TABLE = "QRM_SECURITY_DOCUMENT";

    /** SQL state of a unique-key violation (SQL:2008, PostgreSQL and H2 alike). */
    private static final String UNIQUE_VIOLATION = "23505";

    private static final int MAX_ATTEMPTS = 5;

    private final DataSource dataSource;
    private final SecretsCipher cipher;
    private final AutoCloseable owned;

    /**
     * @param dataSource the database
     * @param cipher seals the secret documents
     * @param owned closed with this store (a data source the store was given to own), or null
     */
    public DatabaseSecurityStore(DataSource dataSource, SecretsCipher cipher, AutoCloseable owned) {
        this.dataSource = dataSource;
        this.cipher = cipher;
        this.owned = owned;
    }

    @Override
    public SecureDocument document(String name, Sensitivity sensitivity) {
        return new Row(name, sensitivity);
    }

    @Override
    public String location() {
        return "the database (" + TABLE + ")";
    }

    /** Whether the database holds no security document yet (a new installation or an upgrade). */
    public boolean isEmpty() throws IOException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement count =
                        connection.prepareStatement("SELECT COUNT(*) FROM " + TABLE);
                ResultSet result = count.executeQuery()) {
            result.next();
            return result.getLong(1) == 0;
        } catch (SQLException e) {
            throw failure("read", TABLE, e);
        }
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                // The pool of a finished CLI command: nothing to do about it.
            }
        }
    }

    private static IOException failure(String what, String name, SQLException e) {
        return new IOException(
                "cannot "
                        + what
                        + " the security document "
                        + name
                        + " in the database (SQL state "
                        + e.getSQLState()
                        + ")",
                e);
    }

    private final class Row implements SecureDocument {
        private final String name;
        private final Sensitivity sensitivity;

        Row(String name, Sensitivity sensitivity) {
            this.name = name;
            this.sensitivity = sensitivity;
        }

        @Override
        public Object stamp() throws IOException {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT VERSION FROM " + TABLE + " WHERE NAME = ?")) {
                select.setString(1, name);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row.getLong(1) : -1L;
                }
            } catch (SQLException e) {
                throw failure("read", name, e);
            }
        }

        @Override
        public Optional<Version> read() throws IOException {
            try (Connection connection = dataSource.getConnection()) {
                return read(connection, false);
            } catch (SQLException e) {
                throw failure("read", name, e);
            }
        }

        private Optional<Version> read(Connection connection, boolean lock)
                throws SQLException, IOException {
            try (PreparedStatement select =
                    connection.prepareStatement(
                            "SELECT VERSION, CONTENT FROM "
                                    + TABLE
                                    + " WHERE NAME = ?"
                                    + (lock ? " FOR UPDATE" : ""))) {
                select.setString(1, name);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Version(decode(row.getString(2)), row.getLong(1)));
                }
            }
        }

        @Override
        public boolean createIfAbsent(byte[] content) throws IOException {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                insert(connection, content);
                return true;
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                throw failure("create", name, e);
            }
        }

        @Override
        public void write(byte[] content) throws IOException {
            update(current -> content);
        }

        @Override
        public Version update(Change change) throws IOException {
            for (int attempt = 1; ; attempt++) {
                try (Connection connection = dataSource.getConnection()) {
                    connection.setAutoCommit(false);
                    try {
                        Optional<Version> current = read(connection, true);
                        byte[] next = change.apply(current.map(Version::content));
                        long version;
                        if (current.isPresent()) {
                            version = (Long) current.get().stamp() + 1;
                            try (PreparedStatement update =
                                    connection.prepareStatement(
                                            "UPDATE "
                                                    + TABLE
                                                    + " SET VERSION = ?, CONTENT = ?, UPDATED_AT = ?"
                                                    + " WHERE NAME = ?")) {
                                update.setLong(1, version);
                                update.setString(2, encode(next));
                                update.setTimestamp(3, Timestamp.from(Instant.now()));
                                update.setString(4, name);
                                update.executeUpdate();
                            }
                        } else {
                            version = insert(connection, next);
                        }
                        connection.commit();
                        return new Version(next, version);
                    } catch (SQLException | IOException | RuntimeException e) {
                        connection.rollback();
                        throw e;
                    }
                } catch (SQLException e) {
                    // Another node created the row between our read and our insert: read again.
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState()) || attempt >= MAX_ATTEMPTS) {
                        throw failure("update", name, e);
                    }
                }
            }
        }

        private long insert(Connection connection, byte[] content) throws SQLException {
            try (PreparedStatement insert =
                    connection.prepareStatement(
                            "INSERT INTO "
                                    + TABLE
                                    + " (NAME, VERSION, CONTENT, UPDATED_AT) VALUES (?, 1, ?, ?)")) {
                insert.setString(1, name);
                insert.setString(2, encode(content));
                insert.setTimestamp(3, Timestamp.from(Instant.now()));
                insert.executeUpdate();
            }
            return 1L;
        }

        private String encode(byte[] content) {
            return sensitivity == Sensitivity.SECRET
                    ? cipher.seal(name, content)
                    : new String(content, StandardCharsets.UTF_8);
        }

        private byte[] decode(String stored) throws IOException {
            return sensitivity == Sensitivity.SECRET
                    ? cipher.open(name, stored)
                    : stored.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String describe() {
            return name + " in " + location();
        }
    }
}
