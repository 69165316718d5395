package org.quorum.bridge.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.DeidSecretException;
import org.quorum.deid.text.DatePolicy;

/**
 * De-identification in the bridge: the project secret (the same one the server and {@code quorum
 * deid} hold, so pseudonyms and date offsets agree everywhere) and the date policy. Required: the
 * bridge never sends anything it has not de-identified.
 *
 * @param keys the key service; its {@code toString} shows no key material
 */
public record DeidSettings(DeidKeyService keys, DatePolicy policy) {

    public static final String SECRET = "QUORUM_BRIDGE_DEID_SECRET";
    public static final String SECRET_FILE = "QUORUM_BRIDGE_DEID_SECRET_FILE";
    public static final String POLICY = "QUORUM_BRIDGE_DEID_POLICY";
    static final Set<String> KEYS = Set.of(SECRET, SECRET_FILE, POLICY);

    static DeidSettings from(ConfigSource source) {
        Optional<String> secret = source.get(SECRET);
        Optional<String> file = source.get(SECRET_FILE);
        if (secret.isPresent() && file.isPresent()) {
            throw new ConfigException(
                    SECRET_FILE,
                    "set either " + SECRET + " or " + SECRET_FILE + ", not both (which one wins?)");
        }
        if (secret.isEmpty() && file.isEmpty()) {
            throw new ConfigException(
                    SECRET_FILE,
                    "is required (or "
                            + SECRET
                            + "): the project's de-identification secret, the same as the"
                            + " server's QUORUM_DEID_SECRET_FILE");
        }
        DeidKeyService keys;
        try {
            keys =
                    secret.isPresent()
                            ? DeidKeyService.fromEnvironmentValue(secret.get())
                            : DeidKeyService.fromKeyFile(Path.of(file.get()));
        } catch (DeidSecretException e) {
            // The message names the file or the rule broken, never the secret.
            throw new ConfigException(secret.isPresent() ? SECRET : SECRET_FILE, e.getMessage());
        }
        String policy = source.oneOf(POLICY, "date-shift", Set.of("date-shift", "safe-harbor"));
        return new DeidSettings(
                keys, policy.equals("date-shift") ? DatePolicy.DATE_SHIFT : DatePolicy.SAFE_HARBOR);
    }
}
