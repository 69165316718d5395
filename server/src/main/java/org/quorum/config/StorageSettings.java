package org.quorum.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Where Quorum keeps its data: the data directory (H2 database files by default, later DICOM files
 * and keys) and the relational database behind HAPI FHIR JPA.
 *
 * @param dataDir absolute data directory, created when missing
 * @param database which database product the JDBC URL names
 * @param jdbcUrl JDBC URL; by default an H2 file database under {@code dataDir/db}
 */
public record StorageSettings(
        Path dataDir,
        Database database,
        String jdbcUrl,
        String user,
        String password,
        int maxConnections) {

    public static final String DATA_DIR = "QUORUM_DATA_DIR";
    public static final String DB_URL = "QUORUM_DB_URL";
    public static final String DB_USER = "QUORUM_DB_USER";
    public static final String DB_PASSWORD = "QUORUM_DB_PASSWORD";
    public static final String DB_MAX_CONNECTIONS = "QUORUM_DB_MAX_CONNECTIONS";
    static final Set<String> KEYS =
            Set.of(DATA_DIR, DB_URL, DB_USER, DB_PASSWORD, DB_MAX_CONNECTIONS);

    /** The database products Quorum supports. */
    public enum Database {
        H2,
        POSTGRESQL
    }

    static StorageSettings from(ConfigSource source) {
        Path dataDir = Path.of(source.get(DATA_DIR).orElse("./data")).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException | SecurityException e) {
            throw new ConfigException(
                    DATA_DIR, "'" + dataDir + "' cannot be created; give a writable directory");
        }
        if (!Files.isDirectory(dataDir) || !Files.isWritable(dataDir)) {
            throw new ConfigException(DATA_DIR, "'" + dataDir + "' is not a writable directory");
        }
        Optional<String> url = source.get(DB_URL);
        String jdbcUrl =
                url.orElse(
                        "jdbc:h2:file:"
                                + dataDir.resolve("db").resolve("quorum")
                                // WRITE_DELAY=0: each commit reaches the file before the
                                // answer, so an acknowledged write (and its AuditEvent) survives
                                // a killed process; H2's default keeps up to 500 ms in memory.
                                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        Database database;
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            database = Database.H2;
        } else if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            database = Database.POSTGRESQL;
        } else {
            throw new ConfigException(
                    DB_URL,
                    "'"
                            + redactCredentials(jdbcUrl)
                            + "' is not supported; use jdbc:h2:file:<path> or"
                            + " jdbc:postgresql://<host>:<port>/<database>");
        }
        String user = source.get(DB_USER).orElse(database == Database.H2 ? "sa" : "");
        if (database == Database.POSTGRESQL && user.isEmpty()) {
            throw new ConfigException(DB_USER, "is required with a PostgreSQL QUORUM_DB_URL");
        }
        String password = source.get(DB_PASSWORD).orElse("");
        int maxConnections = source.intValue(DB_MAX_CONNECTIONS, 20, 2, 500);
        return new StorageSettings(dataDir, database, jdbcUrl, user, password, maxConnections);
    }

    /** JDBC URLs may carry a password as a parameter; never echo it. */
    static String redactCredentials(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    @Override
    public String toString() {
        return "StorageSettings[dataDir="
                + dataDir
                + ", database="
                + database
                + ", jdbcUrl="
                + redactCredentials(jdbcUrl)
                + ", user="
                + user
                + ", maxConnections="
                + maxConnections
                + "]";
    }
}
