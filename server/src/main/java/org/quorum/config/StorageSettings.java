package org.quorum.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Where Quorum keeps its data: the data directory (H2 database files and security files by
 * default), the DICOM directory, and the relational database behind HAPI FHIR JPA. With PostgreSQL
 * the database is shared by several nodes, and so must be the DICOM directory; the security state
 * then lives in the database too, its secrets encrypted with the secrets key.
 *
 * @param dataDir absolute data directory, created when missing
 * @param database which database product the JDBC URL names
 * @param jdbcUrl JDBC URL; by default an H2 file database under {@code dataDir/db}
 * @param dicomDir where DICOM Part 10 files are stored (default {@code dataDir/dicom}); every node
 *     of one installation must see the same directory
 * @param secretsKeyFile the key that encrypts secret security documents in the database (required
 *     with PostgreSQL, unused with H2)
 */
public record StorageSettings(
        Path dataDir,
        Database database,
        String jdbcUrl,
        String user,
        String password,
        int maxConnections,
        Path dicomDir,
        Optional<Path> secretsKeyFile) {

    public static final String DATA_DIR = "QUORUM_DATA_DIR";
    public static final String DB_URL = "QUORUM_DB_URL";
    public static final String DB_USER = "QUORUM_DB_USER";
    public static final String DB_PASSWORD = "QUORUM_DB_PASSWORD";
    public static final String DB_MAX_CONNECTIONS = "QUORUM_DB_MAX_CONNECTIONS";
    public static final String DICOM_DIR = "QUORUM_DICOM_DIR";
    public static final String SECRETS_KEY_FILE = "QUORUM_SECRETS_KEY_FILE";
    static final Set<String> KEYS =
            Set.of(
                    DATA_DIR,
                    DB_URL,
                    DB_USER,
                    DB_PASSWORD,
                    DB_MAX_CONNECTIONS,
                    DICOM_DIR,
                    SECRETS_KEY_FILE);

    /** The secrets key file must hold at least this many bytes. */
    public static final int MIN_SECRETS_KEY_BYTES = 32;

    /** The database products Quorum supports. */
    public enum Database {
        H2,
        POSTGRESQL
    }

    public static StorageSettings from(ConfigSource source) {
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
        Path dicomDir =
                source.get(DICOM_DIR)
                        .map(d -> Path.of(d).toAbsolutePath().normalize())
                        .orElse(dataDir.resolve("dicom"));
        try {
            Files.createDirectories(dicomDir);
        } catch (IOException | SecurityException e) {
            throw new ConfigException(
                    DICOM_DIR, "'" + dicomDir + "' cannot be created; give a writable directory");
        }
        if (!Files.isWritable(dicomDir)) {
            throw new ConfigException(DICOM_DIR, "'" + dicomDir + "' is not a writable directory");
        }
        Optional<Path> secretsKey = source.get(SECRETS_KEY_FILE).map(Path::of);
        if (database == Database.POSTGRESQL && secretsKey.isEmpty()) {
            throw new ConfigException(
                    SECRETS_KEY_FILE,
                    "is required with a PostgreSQL QUORUM_DB_URL: the signing keys shared by all"
                            + " nodes are stored encrypted with it; create one with: head -c 32"
                            + " /dev/urandom | base64 > secrets.key; chmod 600 secrets.key");
        }
        if (secretsKey.isPresent()) {
            checkSecretsKey(secretsKey.get());
        }
        return new StorageSettings(
                dataDir,
                database,
                jdbcUrl,
                user,
                password,
                maxConnections,
                dicomDir,
                secretsKey.map(p -> p.toAbsolutePath().normalize()));
    }

    private static void checkSecretsKey(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(SECRETS_KEY_FILE, "'" + file + "' is not a readable file");
        }
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")
                    && Files.getPosixFilePermissions(file).stream()
                            .anyMatch(
                                    p ->
                                            p.name().startsWith("GROUP")
                                                    || p.name().startsWith("OTHERS"))) {
                throw new ConfigException(
                        SECRETS_KEY_FILE,
                        "'" + file + "' is accessible to other users; run: chmod 600 " + file);
            }
            if (secretsKey(file).length < MIN_SECRETS_KEY_BYTES) {
                throw new ConfigException(
                        SECRETS_KEY_FILE,
                        "'"
                                + file
                                + "' holds fewer than "
                                + MIN_SECRETS_KEY_BYTES
                                + " bytes; use e.g. head -c 32 /dev/urandom | base64");
            }
        } catch (IOException e) {
            throw new ConfigException(SECRETS_KEY_FILE, "'" + file + "' cannot be read");
        }
    }

    /** The secrets key: the file's bytes less trailing line breaks. */
    public static byte[] secretsKey(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int length = bytes.length;
        while (length > 0 && (bytes[length - 1] == '\n' || bytes[length - 1] == '\r')) {
            length--;
        }
        byte[] key = java.util.Arrays.copyOf(bytes, length);
        java.util.Arrays.fill(bytes, (byte) 0);
        return key;
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
                + ", dicomDir="
                + dicomDir
                + "]";
    }
}
