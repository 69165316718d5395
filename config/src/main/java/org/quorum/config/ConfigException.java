package org.quorum.config;

/**
 * A configuration value that Quorum cannot start with. The message names the key, the value that
 * was given (never for secrets) and what is allowed, so an operator can fix it without reading
 * code.
 */
public final class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
