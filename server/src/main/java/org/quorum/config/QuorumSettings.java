package org.quorum.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * All of Quorum's configuration, one small typed record per concern, validated when loaded: a bad
 * value throws {@link ConfigException} naming the key and the allowed values, before anything
 * starts.
 */
public record QuorumSettings(
        HttpSettings http,
        StorageSettings storage,
        TransportSettings transport,
        SecuritySettings security,
        DeidSettings deid) {

    /** Every key a configuration file may hold. */
    public static Set<String> knownKeys() {
        Set<String> keys = new HashSet<>();
        keys.addAll(HttpSettings.KEYS);
        keys.addAll(StorageSettings.KEYS);
        keys.addAll(TransportSettings.KEYS);
        keys.addAll(SecuritySettings.KEYS);
        keys.addAll(DeidSettings.KEYS);
        return keys;
    }

    public static QuorumSettings load(Map<String, String> env, Optional<Path> configFile) {
        return from(ConfigSource.load(env, configFile, knownKeys()));
    }

    public static QuorumSettings from(ConfigSource source) {
        return new QuorumSettings(
                HttpSettings.from(source),
                StorageSettings.from(source),
                TransportSettings.from(source),
                SecuritySettings.from(source),
                DeidSettings.from(source));
    }
}
