package org.quorum.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        return load(env, configFile, knownKeys, CONFIG_FILE_KEY, "QUORUM_");
    }

    /**
     * Reads the file named by {@code configFile} (or by {@code configFileKey} in {@code env}), then
     * overlays every variable of {@code env} whose name starts with {@code envPrefix} (the bridge
     * reads {@code QUORUM_BRIDGE_CONFIG} and {@code QUORUM_BRIDGE_*}).
     */
    public static ConfigSource load(
            Map<String, String> env,
            Optional<Path> configFile,
            Set<String> knownKeys,
            String configFileKey,
            String envPrefix) {
        Map<String, String> merged = new HashMap<>();
        Optional<Path> file =
                configFile.or(() -> Optional.ofNullable(env.get(configFileKey)).map(Path::of));
        String origin = "environment";
        if (file.isPresent()) {
            Map<String, String> fromFile = readFile(file.get(), configFileKey);
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
                    if (key.startsWith(envPrefix) && !key.equals(configFileKey)) {
                        merged.put(key, value);
                    }
                });
        return new ConfigSource(merged, origin);
    }

    public static ConfigSource of(Map<String, String> values) {
        return new ConfigSource(values, "given values");
    }

    private static Map<String, String> readFile(Path file, String configFileKey) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(
                    configFileKey, "the configuration file " + file + " does not exist");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException(
                    configFileKey,
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
        String lower = raw.get().toLowerCase(Locale.ROOT);
        if (!allowed.contains(lower)) {
            throw new ConfigException(
                    key,
                    "'" + raw.get() + "' is not allowed; use one of " + new TreeSet<>(allowed));
        }
        return lower;
    }

    /** The value of a key that has no default; {@code what} tells the operator what to give. */
    public String required(String key, String what) {
        return get(key).orElseThrow(() -> new ConfigException(key, "is required: " + what));
    }

    /** {@code true} or {@code false} (case-insensitive), or the default when unset. */
    public boolean booleanValue(String key, boolean defaultValue) {
        Optional<String> raw = get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default ->
                    throw new ConfigException(
                            key, "'" + raw.get() + "' is not allowed; use true or false");
        };
    }

    /**
     * A duration in [min, max]: a whole number with a unit ({@code 500ms}, {@code 30s}, {@code 5m},
     * {@code 2h}, {@code 1d}) or ISO 8601 ({@code PT30S}); the default when unset.
     */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        Optional<String> raw = get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Duration value = parseDuration(raw.get());
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new ConfigException(
                    key,
                    "'"
                            + raw.get()
                            + "' is not allowed; use a duration from "
                            + describe(min)
                            + " to "
                            + describe(max)
                            + " such as 30s, 5m or 500ms");
        }
        return value;
    }

    /** An absolute http(s) URL, when set. */
    public Optional<URI> httpUrl(String key) {
        return get(key).map(raw -> parseHttpUrl(key, raw));
    }

    private static URI parseHttpUrl(String key, String raw) {
        try {
            URI uri = new URI(raw);
            if (!Set.of("http", "https").contains(String.valueOf(uri.getScheme()))
                    || uri.getHost() == null) {
                throw new URISyntaxException(raw, "not http(s)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(
                    key,
                    "'"
                            + raw
                            + "' is not an absolute http(s) URL such as https://fhir.example.org/r4");
        }
    }

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

    static Duration parseDuration(String raw) {
        String text = raw.strip().toLowerCase(Locale.ROOT);
        Matcher simple = SIMPLE_DURATION.matcher(text);
        if (simple.matches()) {
            long amount = Long.parseLong(simple.group(1));
            return switch (simple.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(raw.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String describe(Duration duration) {
        if (duration.toMillis() % 1000 != 0) {
            return duration.toMillis() + "ms";
        }
        long seconds = duration.getSeconds();
        if (seconds == 0) {
            return "0s";
        }
        if (seconds % 86400 == 0) {
            return seconds / 86400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
