package org.quorum.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A real Orthanc (Debian {@code orthanc} + {@code orthanc-dicomweb}) for tests: its own temporary
 * configuration and storage, free loopback ports, {@code RemoteAccessAllowed: false}, never {@code
 * /etc/orthanc}. Optionally knows one DICOMweb server (Quorum) in {@code DicomWeb.Servers}, reached
 * with a bearer token. Fails clearly when Orthanc or its plugin is not installed.
 *
 * <p>Use: {@code try (Orthanc orthanc = Orthanc.start(Optional.of(new Peer("quorum", url, token))))
 * { orthanc.post("/dicom-web/servers/quorum/stow", ...); }}
 */
public final class Orthanc implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/Orthanc");
    public static final Path DICOMWEB_PLUGIN =
            Path.of("/usr/share/orthanc/plugins/libOrthancDicomWeb.so");

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A DICOMweb server Orthanc may call, e.g. Quorum's {@code /dicomweb/}. */
    public record Peer(String name, URI dicomWebRoot, String bearerToken) {}

    private final Process process;
    private final Path directory;
    private final URI baseUrl;
    private final int dicomPort;

    private Orthanc(Process process, Path directory, URI baseUrl, int dicomPort) {
        this.process = process;
        this.directory = directory;
        this.baseUrl = baseUrl;
        this.dicomPort = dicomPort;
    }

    /** Starts Orthanc and waits (up to 30 s) until its REST API answers. */
    public static Orthanc start(Optional<Peer> peer) {
        for (Path required : List.of(BINARY, DICOMWEB_PLUGIN)) {
            if (!Files.exists(required)) {
                throw new AssertionError(
                        required
                                + " is missing: install the Debian packages orthanc and orthanc-dicomweb");
            }
        }
        try {
            Path directory = Files.createTempDirectory("quorum-orthanc-");
            int httpPort = ServerProcess.freePort();
            int dicomPort = ServerProcess.freePort();
            String servers =
                    peer.map(
                                    p ->
                                            "\""
                                                    + p.name()
                                                    + "\": {\"Url\": \""
                                                    + p.dicomWebRoot()
                                                            .toString()
                                                            .replaceAll("/?$", "/")
                                                    + "\", \"HttpHeaders\": {\"Authorization\": \"Bearer "
                                                    + p.bearerToken()
                                                    + "\"}}")
                            .orElse("");
            String config =
                    """
                    {
                      "Name": "quorum-test-orthanc",
                      "StorageDirectory": "%s",
                      "IndexDirectory": "%s",
                      "HttpPort": %d,
                      "DicomPort": %d,
                      "RemoteAccessAllowed": false,
                      "AuthenticationEnabled": false,
                      "HttpTimeout": 120,
                      "StableAge": 1,
                      "Plugins": ["%s"],
                      "DicomWeb": {
                        "Enable": true,
                        "Root": "/dicom-web/",
                        "Servers": { %s }
                      }
                    }
                    """
                            .formatted(
                                    directory.resolve("storage"),
                                    directory.resolve("index"),
                                    httpPort,
                                    dicomPort,
                                    DICOMWEB_PLUGIN,
                                    servers);
            Path configFile = directory.resolve("orthanc.json");
            Files.writeString(configFile, config);
            Process process =
                    new ProcessBuilder(BINARY.toString(), configFile.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(directory.resolve("orthanc.log").toFile())
                            .start();
            Orthanc orthanc =
                    new Orthanc(
                            process,
                            directory,
                            URI.create("http://127.0.0.1:" + httpPort),
                            dicomPort);
            orthanc.awaitReady();
            return orthanc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("Orthanc exited at start-up:\n" + log());
            }
            try {
                if (get("/system").statusCode() == 200) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                // Not listening yet: poll again.
            }
            try {
                process.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting for Orthanc", e);
            }
        }
        close();
        throw new AssertionError("Orthanc did not answer within 30 s:\n" + log());
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public int dicomPort() {
        return dicomPort;
    }

    /** Orthanc's log so far (for assertion messages). */
    public String log() {
        try {
            return Files.readString(directory.resolve("orthanc.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(baseUrl.resolve(path)).GET());
    }

    public HttpResponse<byte[]> post(String path, String contentType, byte[] body) {
        return send(
                HttpRequest.newBuilder(baseUrl.resolve(path))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public HttpResponse<byte[]> postJson(String path, String json) {
        return post(
                path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(Duration.ofSeconds(120)).build();
        try {
            try {
                return CLIENT.send(built, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException closed) {
                // Orthanc closes idle keep-alive connections; a request that went out on one it
                // had just closed gets no bytes back. Every request the tests send Orthanc can
                // be repeated (reads, storing the same instance), so send it once more.
                return CLIENT.send(built, HttpResponse.BodyHandlers.ofByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TempDirs.delete(directory);
    }
}
