package org.quorum.security.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;
import org.quorum.config.QuorumSettings;
import org.quorum.config.StorageSettings;
import org.quorum.security.SecurityStore;
import org.quorum.security.SecurityStores;
import picocli.CommandLine.Option;

/**
 * {@code --data-dir}: the installation the CLI works on. The security state follows the server's
 * storage settings ({@code QUORUM_*} environment and {@code QUORUM_CONFIG} file, as for {@code
 * quorum serve}): files under {@code <dir>/security} with the embedded database, the shared
 * database when {@code QUORUM_DB_URL} names PostgreSQL.
 */
public final class DataDirOption {

    @Option(
            names = "--data-dir",
            paramLabel = "<dir>",
            description =
                    "Data directory shared with the server; security files live in"
                            + " <dir>/security, or in the database when QUORUM_DB_URL names"
                            + " PostgreSQL (default: $QUORUM_DATA_DIR or ./data).")
    Path dataDir;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "<file>",
            defaultValue = "${env:QUORUM_CONFIG}",
            description =
                    "Properties file with QUORUM_* keys, as for 'quorum serve' (default:"
                            + " $QUORUM_CONFIG); environment variables override it.")
    Path config;

    /** The data directory, absolute. */
    public Path dataDir() {
        return storage().dataDir();
    }

    /**
     * The storage settings of the server this CLI works with: as {@code quorum serve} reads them,
     * with {@code --data-dir} over {@code QUORUM_DATA_DIR}.
     */
    public StorageSettings storage() {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (dataDir != null) {
            env.put(StorageSettings.DATA_DIR, dataDir.toAbsolutePath().normalize().toString());
        }
        env.remove(ConfigSource.CONFIG_FILE_KEY);
        return StorageSettings.from(
                ConfigSource.load(env, Optional.ofNullable(config), QuorumSettings.knownKeys()));
    }

    /**
     * Opens the security store (close it when done).
     *
     * @throws IOException also for a configuration the server would refuse (the message names the
     *     key)
     */
    public SecurityStore openStore() throws IOException {
        StorageSettings storage;
        try {
            storage = storage();
        } catch (ConfigException e) {
            throw new IOException("invalid configuration " + e.getMessage(), e);
        }
        return SecurityStores.open(storage, Optional.empty());
    }
}
