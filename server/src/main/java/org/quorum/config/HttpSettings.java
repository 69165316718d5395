package org.quorum.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;

/**
 * The HTTP listener.
 *
 * @param port TCP port; 0 picks a free port (tests)
 * @param host address to bind; loopback by default so that a fresh install is not reachable from
 *     the network before authentication is configured
 * @param publicBaseUrl the URL clients use to reach this server, when it differs from what they
 *     send in the Host header (reverse proxies)
 * @param maxRequestMegabytes the largest request body accepted (MiB) outside DICOMweb (FHIR bodies
 *     are read into memory); a larger one gets 413
 * @param maxStowMegabytes the largest STOW-RS request body (MiB; streamed to disk, so it may exceed
 *     the heap); by default the same as {@code maxRequestMegabytes}; a larger one gets 413
 */
public record HttpSettings(
        int port,
        String host,
        Optional<URI> publicBaseUrl,
        int maxRequestMegabytes,
        int maxStowMegabytes) {

    public static final String PORT = "QUORUM_HTTP_PORT";
    public static final String HOST = "QUORUM_HTTP_HOST";
    public static final String PUBLIC_BASE_URL = "QUORUM_PUBLIC_BASE_URL";
    public static final String MAX_REQUEST_MB = "QUORUM_HTTP_MAX_REQUEST_MB";
    public static final String MAX_STOW_MB = "QUORUM_HTTP_MAX_STOW_MB";
    static final Set<String> KEYS =
            Set.of(PORT, HOST, PUBLIC_BASE_URL, MAX_REQUEST_MB, MAX_STOW_MB);

    static HttpSettings from(ConfigSource source) {
        int port = source.intValue(PORT, 8080, 0, 65535);
        String host = source.get(HOST).orElse("127.0.0.1");
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigException(
                    HOST,
                    "'"
                            + host
                            + "' is not an address of this machine; use e.g. 127.0.0.1 or 0.0.0.0");
        }
        Optional<URI> base =
                source.get(PUBLIC_BASE_URL)
                        .map(
                                raw -> {
                                    try {
                                        URI uri = new URI(raw);
                                        if (!Set.of("http", "https")
                                                        .contains(String.valueOf(uri.getScheme()))
                                                || uri.getHost() == null) {
                                            throw new URISyntaxException(raw, "not http(s)");
                                        }
                                        return uri;
                                    } catch (URISyntaxException e) {
                                        throw new ConfigException(
                                                PUBLIC_BASE_URL,
                                                "'"
                                                        + raw
                                                        + "' is not an absolute http(s) URL such as https://quorum.example.org");
                                    }
                                });
        // A request body is held in memory while it is parsed: a Java array ends below 2 GiB.
        int maxRequest = source.intValue(MAX_REQUEST_MB, 1024, 1, 2000);
        // STOW-RS streams each part to disk: bounded by the disk, not the heap (1 TiB at most).
        int maxStow = source.intValue(MAX_STOW_MB, maxRequest, 1, 1 << 20);
        return new HttpSettings(port, host, base, maxRequest, maxStow);
    }
}
