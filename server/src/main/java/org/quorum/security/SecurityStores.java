package org.quorum.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.quorum.config.StorageSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link SecurityStore} for an installation: the security state follows the database.
 * With the embedded H2 database (one node) it stays in owner-only files under {@code <data
 * dir>/security}, which the CLI can write while the server holds the database open; with PostgreSQL
 * (several nodes) it lives in the database, where every node and the CLI (given the same {@code
 * QUORUM_DB_*} settings and secrets key) find it.
 */
public final class SecurityStores {

    /** The documents an installation upgraded from files to PostgreSQL brings along. */
    static final List<String> IMPORTED_DOCUMENTS =
            List.of(
                    UserRegistry.FILE_NAME,
                    ClientRegistry.FILE_NAME,
                    SigningKeys.FILE_NAME,
                    LocalSecrets.SR_OBSERVER_KEY);

    private static final Logger LOG = LoggerFactory.getLogger(SecurityStores.class);

    private SecurityStores() {}

    /**
     * Opens the store for these settings.
     *
     * @param database the server's connection pool; empty for the CLI, which then opens a small one
     *     of its own (closed with the store)
     */
    public static SecurityStore open(StorageSettings storage, Optional<DataSource> database)
            throws IOException {
        if (storage.database() == StorageSettings.Database.H2) {
            return SecurityStore.files(storage.dataDir());
        }
        SecretsCipher cipher =
                new SecretsCipher(
                        StorageSettings.secretsKey(storage.secretsKeyFile().orElseThrow()));
        DatabaseSecurityStore store;
        if (database.isPresent()) {
            store = new DatabaseSecurityStore(database.get(), cipher, null);
        } else {
            BasicDataSource pool = new BasicDataSource();
            pool.setDriverClassName("org.postgresql.Driver");
            pool.setUrl(storage.jdbcUrl());
            pool.setUsername(storage.user());
            pool.setPassword(storage.password());
            pool.setMaxTotal(2);
            pool.setMaxWait(Duration.ofSeconds(30));
            store = new DatabaseSecurityStore(pool, cipher, pool);
        }
        importFiles(storage.dataDir(), store);
        return store;
    }

    /**
     * An installation that ran on files (Quorum 0.1.0, or a first node moved to PostgreSQL) brings
     * its users, clients, signing key and local secrets into an empty database once, so that tokens
     * already issued stay valid. Afterwards the files are not read again.
     */
    static void importFiles(Path dataDir, DatabaseSecurityStore store) throws IOException {
        Path directory = dataDir.resolve(SecureFiles.SECURITY_DIR);
        if (!Files.isDirectory(directory) || !store.isEmpty()) {
            return;
        }
        SecurityStore files = SecurityStore.files(dataDir);
        int imported = 0;
        for (String name : IMPORTED_DOCUMENTS) {
            SecurityStore.Sensitivity sensitivity =
                    name.equals(SigningKeys.FILE_NAME) || name.equals(LocalSecrets.SR_OBSERVER_KEY)
                            ? SecurityStore.Sensitivity.SECRET
                            : SecurityStore.Sensitivity.ORDINARY;
            Optional<SecurityStore.SecureDocument.Version> file =
                    files.document(name, sensitivity).read();
            if (file.isPresent()
                    && store.document(name, sensitivity).createIfAbsent(file.get().content())) {
                imported++;
            }
        }
        if (imported > 0) {
            LOG.warn(
                    "Imported {} security document(s) from {} into the database; the files there"
                            + " are no longer read and may be removed once every node runs on the"
                            + " database",
                    imported,
                    directory);
        }
    }
}
