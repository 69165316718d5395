package org.quorum.bridge.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;

/**
 * The bridge's own database (crosswalk, watermarks, delivered versions, HL7 inbox, dead letters)
 * and the key that encrypts what in it is PHI.
 *
 * @param dataDir absolute data directory, created when missing
 * @param jdbcUrl H2 file database under {@code dataDir} by default, or PostgreSQL
 * @param encryptionKeyFile AES-256 key (32 bytes) for the crosswalk's original identifiers, the
 *     inbox and the dead letters; created with mode 0600 under the data directory when not
 *     configured; a configured file must exist and be readable by its owner only
 * @param keyFileConfigured whether the key file was named in the configuration
 */
public record StoreSettings(
        Path dataDir,
        Database database,
        String jdbcUrl,
        String user,
        String password,
        Path encryptionKeyFile,
        boolean keyFileConfigured) {

    public static final String DATA_DIR = "QUORUM_BRIDGE_DATA_DIR";
    public static final String DB_URL = "QUORUM_BRIDGE_DB_URL";
    public static final String DB_USER = "QUORUM_BRIDGE_DB_USER";
    public static final String DB_PASSWORD = "QUORUM_BRIDGE_DB_PASSWORD";
    public static final String ENCRYPTION_KEY_FILE = "QUORUM_BRIDGE_ENCRYPTION_KEY_FILE";
    static final Set<String> KEYS =
            Set.of(DATA_DIR, DB_URL, DB_USER, DB_PASSWORD, ENCRYPTION_KEY_FILE);

    /** The database products the bridge supports. */
    public enum Database {
        H2,
        POSTGRESQL
    }

    public static StoreSettings from(ConfigSource source) {
        Path dataDir =
                Path.of(source.get(DATA_DIR).orElse("./bridge-data")).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException | SecurityException e) {
            throw new ConfigException(
                    DATA_DIR, "'" + dataDir + "' cannot be created; give a writable directory");
        }
        if (!Files.isDirectory(dataDir) || !Files.isWritable(dataDir)) {
            throw new ConfigException(DATA_DIR, "'" + dataDir + "' is not a writable directory");
        }
        String jdbcUrl =
                source.get(DB_URL)
                        .orElse(
                                "jdbc:h2:file:"
                                        + dataDir.resolve("db").resolve("bridge")
                                        // Each commit reaches the file before the ACK or the
                                        // watermark moves on (H2 keeps 500 ms in memory by
                                        // default).
                                        + ";WRITE_DELAY=0");
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
            throw new ConfigException(DB_USER, "is required with a PostgreSQL " + DB_URL);
        }
        String password = source.get(DB_PASSWORD).orElse("");
        Optional<String> keyFile = source.get(ENCRYPTION_KEY_FILE);
        Path key =
                keyFile.map(f -> Path.of(f).toAbsolutePath().normalize())
                        .orElse(dataDir.resolve("bridge-encryption.key"));
        if (keyFile.isPresent() && !Files.isRegularFile(key)) {
            throw new ConfigException(
                    ENCRYPTION_KEY_FILE,
                    "'"
                            + key
                            + "' does not exist; create it with 'quorum bridge keys encryption --out "
                            + key
                            + "' or leave the key unset to have one made under the data directory");
        }
        return new StoreSettings(
                dataDir, database, jdbcUrl, user, password, key, keyFile.isPresent());
    }

    /** JDBC URLs may carry a password as a parameter; never echo it. */
    static String redactCredentials(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^;&]*", "$1***");
    }

    @Override
    public String toString() {
        return "StoreSettings[dataDir="
                + dataDir
                + ", database="
                + database
                + ", jdbcUrl="
                + redactCredentials(jdbcUrl)
                + ", user="
                + user
                + ", encryptionKeyFile="
                + encryptionKeyFile
                + "]";
    }
}
