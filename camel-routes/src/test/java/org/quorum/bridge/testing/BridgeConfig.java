package org.quorum.bridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.quorum.bridge.config.BridgeSettings;

/**
 * A bridge configuration for a test: its own data directory, project and de-identification secret
 * (so each test's resources in the shared Quorum are its own), the shared Quorum as target, short
 * retry pauses.
 */
public final class BridgeConfig {

    private final Map<String, String> values = new LinkedHashMap<>();

    private BridgeConfig() {}

    public static BridgeConfig forProject(String project, Quorum quorum) {
        BridgeConfig config = new BridgeConfig();
        try {
            config.values.put(
                    "QUORUM_BRIDGE_DATA_DIR",
                    Files.createTempDirectory("bridge-" + project + "-").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.values.put("QUORUM_BRIDGE_HTTP_PORT", "0");
        config.values.put(
                "QUORUM_BRIDGE_DEID_SECRET", "bridge-test-secret-" + project + "-0123456789");
        config.values.put("QUORUM_BRIDGE_QUORUM_URL", quorum.fhirBase());
        config.values.put("QUORUM_BRIDGE_QUORUM_AUTH", "smart");
        config.values.put("QUORUM_BRIDGE_QUORUM_CLIENT_ID", Quorum.CLIENT_ID);
        config.values.put("QUORUM_BRIDGE_QUORUM_KEY_FILE", quorum.clientKey().toString());
        config.values.put("QUORUM_BRIDGE_PROJECT", project);
        config.values.put("QUORUM_BRIDGE_RETRY_MAX_ATTEMPTS", "4");
        config.values.put("QUORUM_BRIDGE_RETRY_INITIAL_BACKOFF", "100ms");
        config.values.put("QUORUM_BRIDGE_RETRY_MAX_BACKOFF", "1s");
        return config;
    }

    public BridgeConfig set(String key, String value) {
        values.put(key, value);
        return this;
    }

    public String get(String key) {
        return values.get(key);
    }

    public Path dataDir() {
        return Path.of(values.get("QUORUM_BRIDGE_DATA_DIR"));
    }

    public String secret() {
        return values.get("QUORUM_BRIDGE_DEID_SECRET");
    }

    public BridgeSettings settings() {
        return BridgeSettings.load(values, Optional.empty());
    }

    public Map<String, String> asMap() {
        return Map.copyOf(values);
    }

    /** The configuration as a properties file (for {@code quorum bridge --config}). */
    public Path writeFile() {
        StringBuilder text = new StringBuilder("# written by a test\n");
        values.forEach(
                (k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        try {
            Path file = dataDir().resolveSibling(dataDir().getFileName() + ".properties");
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
