package org.quorum.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where configuration values come from: an optional properties file, overridden by environment
 * variables. Both use the same keys ({@code QUORUM_HTTP_PORT=8080}), so an operator learns one name
 * per setting.
 *
 * <p>A key in the file that no setting knows stops start-up: a misspelt key would otherwise be
 * silently ignored and the default used.
 */
public final class ConfigSource {

    /** Names the configuration file when set (environment only). */
    public static final String CONFIG_FILE_KEY = "QUORUM_CONFIG";

    private final Map<String, String> values;
    private final String origin;

    private ConfigSource(Map<String, String> values, String origin) {
        this.values = Map.copyOf(values);
        this.origin = origin;
    }

    /**
     * Reads the file named by {@code configFile} (or by {@value #CONFIG_FILE_KEY} in {@code env}),
     * then overlays every {@code QUORUM_*} variable of {@code env}.
     */
    public static ConfigSource load(
            Map<String, String> env, Optional<Path> configFile, Set<String> knownKeys) {
        Map<String, String> merged = new HashMap<>();
        Optional<Path> file =
                configFile.or(() -> Optional.ofNullable(env.get(CONFIG_FILE_KEY)).map(Path::of));
        String origin = "environment";
        if (file.isPresent()) {
            Map<String, String> fromFile = readFile(file.get());
            Set<String> unknown = new TreeSet<>(fromFile.keySet());
            unknown.removeAll(knownKeys);
            if (!unknown.isEmpty()) {
                throw new ConfigException(
                        unknown.iterator().next(),
                        "unknown key in "
                                + file.get()
                                + "; known keys are "
                                + new TreeSet<>(knownKeys));
            }
            merged.putAll(fromFile);
            origin = file.get() + " and environment";
        }
        env.forEach(
                (key, value) -> {
                    if (key.startsWith("QUORUM_") && !key.equals(CONFIG_FILE_KEY)) {
                        merged.put(key, value);
                    }
                });
        return new ConfigSource(merged, origin);
    }

    public static ConfigSource of(Map<String, String> values) {
        return new ConfigSource(values, "given values");
    }

    private static Map<String, String> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(
                    CONFIG_FILE_KEY, "the configuration file " + file + " does not exist");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException(
                    CONFIG_FILE_KEY,
                    "the configuration file " + file + " cannot be read: " + e.getMessage());
        }
        Map<String, String> map = new HashMap<>();
        properties
                .stringPropertyNames()
                .forEach(k -> map.put(k.trim(), properties.getProperty(k).trim()));
        return map;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public String origin() {
        return origin;
    }

    /** An integer in [min, max], or the default when unset. */
    public int intValue(String key, int defaultValue, int min, int max) {
        Optional<String> raw = get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    key,
                    "'"
                            + raw.get()
                            + "' is not allowed; use a whole number from "
                            + min
                            + " to "
                            + max);
        }
    }

    /** One of the allowed values (case-insensitive), or the default when unset. */
    public String oneOf(String key, String defaultValue, Set<String> allowed) {
        Optional<String> raw = get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String lower = raw.get().toLowerCase(java.util.Locale.ROOT);
        if (!allowed.contains(lower)) {
            throw new ConfigException(
                    key,
                    "'" + raw.get() + "' is not allowed; use one of " + new TreeSet<>(allowed));
        }
        return lower;
    }
}
