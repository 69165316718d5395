package org.quorum.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian {@code haproxy}) in front of Quorum nodes, as docs/operations.md
 * configures it: round robin, health checks on {@code /health/ready} every second, a node out after
 * two failed checks and back after two good ones, connection failures redispatched to another node.
 * Listens on 127.0.0.1 and a free port only; its configuration lives in a temporary directory; runs
 * in the foreground as a child process.
 */
public final class HaProxy implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/haproxy");

    private final Process process;
    private final Path directory;
    private final URI url;

    private HaProxy(Process process, Path directory, URI url) {
        this.process = process;
        this.directory = directory;
        this.url = url;
    }

    /** Starts HAProxy in front of {@code nodes} (their base URLs, http://127.0.0.1:port). */
    public static HaProxy start(int port, List<URI> nodes) {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(
                    BINARY
                            + " is missing: install the Debian package haproxy, or run ./quorum test");
        }
        try {
            Path directory = Files.createTempDirectory("quorum-haproxy-");
            Path config = directory.resolve("haproxy.cfg");
            Files.writeString(config, configuration(port, nodes));
            Process process =
                    new ProcessBuilder(BINARY.toString(), "-db", "-f", config.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(directory.resolve("haproxy.log").toFile())
                            .start();
            return new HaProxy(process, directory, URI.create("http://127.0.0.1:" + port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configuration docs/operations.md shows, for these nodes. */
    static String configuration(int port, List<URI> nodes) {
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            URI node = nodes.get(i);
            servers.append("    server node")
                    .append(i)
                    .append(' ')
                    .append(node.getHost())
                    .append(':')
                    .append(node.getPort())
                    .append(" check\n");
        }
        return """
                global
                    maxconn 4096

                defaults
                    mode http
                    timeout connect 2s
                    timeout client 180s
                    timeout server 180s
                    timeout http-request 30s
                    option httplog
                    # A request whose connection to a node failed goes to another node.
                    retries 3
                    option redispatch

                frontend quorum
                    bind 127.0.0.1:%d
                    default_backend quorum_nodes

                backend quorum_nodes
                    balance roundrobin
                    option httpchk GET /health/ready
                    http-check expect status 200
                    default-server inter 1s fall 2 rise 2
                %s"""
                .formatted(port, servers);
    }

    public URI url() {
        return url;
    }

    /** HAProxy's output (for assertion messages). */
    public String log() {
        try {
            return Files.readString(directory.resolve("haproxy.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
