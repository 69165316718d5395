package org.quorum.bridge.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;

/**
 * The bridge's own HTTP port: {@code /health}, {@code /metrics}, {@code /status} and the
 * dead-letter administration that {@code quorum bridge dead-letters} uses.
 *
 * @param port TCP port; 0 picks a free one (tests)
 * @param host address to bind; loopback by default
 */
public record OpsSettings(int port, String host) {

    public static final String HTTP_PORT = "QUORUM_BRIDGE_HTTP_PORT";
    public static final String HTTP_HOST = "QUORUM_BRIDGE_HTTP_HOST";
    static final Set<String> KEYS = Set.of(HTTP_PORT, HTTP_HOST);

    static OpsSettings from(ConfigSource source) {
        int port = source.intValue(HTTP_PORT, 8091, 0, 65535);
        String host = source.get(HTTP_HOST).orElse("127.0.0.1");
        checkAddress(HTTP_HOST, host);
        return new OpsSettings(port, host);
    }

    static void checkAddress(String key, String host) {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigException(
                    key,
                    "'"
                            + host
                            + "' is not an address of this machine; use e.g. 127.0.0.1 or 0.0.0.0");
        }
    }
}
