package org.quorum.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.DeidSecretException;

/**
 * De-identification in the server: the project secret from which pseudonyms, date offsets and UIDs
 * are derived ({@value #SECRET}, or a key file named by {@value #SECRET_FILE}). Without either the
 * server starts, and the {@code $deidentify} operation answers that it is not configured.
 *
 * <p>The secret is read and checked here, at start-up, so a short secret or an unreadable file
 * stops the server with a message naming the key. The message never contains the secret; the
 * record's {@code toString} shows only whether keys are present ({@link DeidKeyService} prints no
 * key material).
 *
 * @param keys the key service, when a secret is configured
 */
public record DeidSettings(Optional<DeidKeyService> keys) {

    /**
     * The secret itself (its UTF-8 bytes are the HMAC key). Same name as for {@code quorum deid}.
     */
    public static final String SECRET = DeidKeyService.SECRET_ENV;

    /** A file holding the secret (its bytes, less a trailing line break). */
    public static final String SECRET_FILE = "QUORUM_DEID_SECRET_FILE";

    static final Set<String> KEYS = Set.of(SECRET, SECRET_FILE);

    /** No de-identification secret: the operation is off. */
    public static DeidSettings disabled() {
        return new DeidSettings(Optional.empty());
    }

    static DeidSettings from(ConfigSource source) {
        Optional<String> secret = source.get(SECRET);
        Optional<String> file = source.get(SECRET_FILE);
        if (secret.isPresent() && file.isPresent()) {
            throw new ConfigException(
                    SECRET_FILE,
                    "set either " + SECRET + " or " + SECRET_FILE + ", not both (which one wins?)");
        }
        try {
            if (secret.isPresent()) {
                return new DeidSettings(
                        Optional.of(DeidKeyService.fromEnvironmentValue(secret.get())));
            }
            if (file.isPresent()) {
                return new DeidSettings(
                        Optional.of(DeidKeyService.fromKeyFile(Path.of(file.get()))));
            }
        } catch (DeidSecretException e) {
            // The message names the file or the rule broken, never the secret.
            throw new ConfigException(secret.isPresent() ? SECRET : SECRET_FILE, e.getMessage());
        }
        return disabled();
    }
}
