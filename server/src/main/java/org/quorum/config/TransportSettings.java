package org.quorum.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Transport security: an optional HTTPS listener (PKCS#12 keystore) with HSTS, and the browser
 * origins allowed by CORS.
 *
 * @param httpsPort HTTPS port, when HTTPS is on (0 = any free port)
 * @param keystore PKCS#12 keystore with the server's key and certificate chain
 * @param corsOrigins origins (scheme://host[:port]) allowed to call Quorum from a browser
 */
public record TransportSettings(
        Optional<Integer> httpsPort,
        Optional<Path> keystore,
        String keystorePassword,
        List<String> corsOrigins) {

    public static final String HTTPS_PORT = "QUORUM_HTTPS_PORT";
    public static final String HTTPS_KEYSTORE = "QUORUM_HTTPS_KEYSTORE";
    public static final String HTTPS_KEYSTORE_PASSWORD = "QUORUM_HTTPS_KEYSTORE_PASSWORD";
    public static final String CORS_ALLOWED_ORIGINS = "QUORUM_CORS_ALLOWED_ORIGINS";
    static final Set<String> KEYS =
            Set.of(HTTPS_PORT, HTTPS_KEYSTORE, HTTPS_KEYSTORE_PASSWORD, CORS_ALLOWED_ORIGINS);

    static TransportSettings from(ConfigSource source) {
        Optional<Integer> port =
                source.get(HTTPS_PORT).map(v -> source.intValue(HTTPS_PORT, 0, 0, 65535));
        Optional<Path> keystore = source.get(HTTPS_KEYSTORE).map(Path::of);
        if (port.isPresent() && keystore.isEmpty()) {
            throw new ConfigException(
                    HTTPS_KEYSTORE, "is required when QUORUM_HTTPS_PORT is set (a PKCS#12 file)");
        }
        if (keystore.isPresent() && !Files.isReadable(keystore.get())) {
            throw new ConfigException(
                    HTTPS_KEYSTORE, "'" + keystore.get() + "' is not a readable file");
        }
        if (keystore.isPresent() && port.isEmpty()) {
            throw new ConfigException(HTTPS_PORT, "is required when QUORUM_HTTPS_KEYSTORE is set");
        }
        List<String> origins =
                source.get(CORS_ALLOWED_ORIGINS)
                        .map(
                                v ->
                                        Arrays.stream(v.split(","))
                                                .map(String::trim)
                                                .filter(o -> !o.isEmpty())
                                                .toList())
                        .orElse(List.of());
        for (String origin : origins) {
            if (!origin.matches("^https?://[A-Za-z0-9.\\-]+(:[0-9]{1,5})?$")) {
                throw new ConfigException(
                        CORS_ALLOWED_ORIGINS,
                        "'"
                                + origin
                                + "' is not an origin; use scheme://host[:port], comma-separated (no paths, no '*')");
            }
        }
        return new TransportSettings(
                port, keystore, source.get(HTTPS_KEYSTORE_PASSWORD).orElse(""), origins);
    }

    @Override
    public String toString() {
        return "TransportSettings[httpsPort="
                + httpsPort
                + ", keystore="
                + keystore
                + ", corsOrigins="
                + corsOrigins
                + "]";
    }
}
