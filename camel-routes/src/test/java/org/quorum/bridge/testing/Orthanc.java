package org.quorum.bridge.testing;

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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Orthanc PACS (Debian {@code orthanc} + {@code orthanc-dicomweb}) for the bridge's tests:
 * its own temporary configuration and storage, free loopback ports, {@code RemoteAccessAllowed:
 * false}, never {@code /etc/orthanc}. Fails clearly when Orthanc or its plugin is not installed.
 */
public final class Orthanc implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/Orthanc");
    public static final Path DICOMWEB_PLUGIN =
            Path.of("/usr/share/orthanc/plugins/libOrthancDicomWeb.so");

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

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
    public static Orthanc start() {
        return start("");
    }

    /**
     * As {@link #start()}, with more top-level configuration, e.g. {@code "OrthancPeers": {...},}
     * (a JSON fragment ending with a comma).
     */
    public static Orthanc start(String extraConfiguration) {
        for (Path required : List.of(BINARY, DICOMWEB_PLUGIN)) {
            if (!Files.exists(required)) {
                throw new AssertionError(
                        required
                                + " is missing: install the Debian packages orthanc and"
                                + " orthanc-dicomweb");
            }
        }
        try {
            Path directory = Files.createTempDirectory("bridge-orthanc-");
            int httpPort = JavaProcess.freePort();
            int dicomPort = JavaProcess.freePort();
            String config =
                    """
                    {
                      %s
                      "Name": "bridge-test-orthanc",
                      "StorageDirectory": "%s",
                      "IndexDirectory": "%s",
                      "HttpPort": %d,
                      "DicomPort": %d,
                      "DicomAet": "ORTHANC",
                      "RemoteAccessAllowed": false,
                      "AuthenticationEnabled": false,
                      "HttpTimeout": 120,
                      "StableAge": 1,
                      "Plugins": ["%s"],
                      "DicomWeb": { "Enable": true, "Root": "/dicom-web/" }
                    }
                    """
                            .formatted(
                                    extraConfiguration,
                                    directory.resolve("storage"),
                                    directory.resolve("index"),
                                    httpPort,
                                    dicomPort,
                                    DICOMWEB_PLUGIN);
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
                // not listening yet: poll again
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS);
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

    /** The DICOMweb root, as a hospital would give it to the bridge. */
    public String dicomWebRoot() {
        return baseUrl + "/dicom-web";
    }

    public int dicomPort() {
        return dicomPort;
    }

    public String log() {
        try {
            return Files.readString(directory.resolve("orthanc.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stores a Part 10 file through Orthanc's REST API; fails the test unless Orthanc took it. */
    public void store(byte[] part10) {
        HttpResponse<byte[]> response =
                send(
                        HttpRequest.newBuilder(baseUrl.resolve("/instances"))
                                .header("Content-Type", "application/dicom")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(part10)));
        if (response.statusCode() != 200) {
            throw new AssertionError(
                    "Orthanc refused an instance: "
                            + response.statusCode()
                            + " "
                            + new String(response.body()));
        }
    }

    public HttpResponse<byte[]> post(String path, String json) {
        return send(
                HttpRequest.newBuilder(baseUrl.resolve(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(baseUrl.resolve(path)).GET());
    }

    public HttpResponse<byte[]> get(String path, String accept) {
        return send(HttpRequest.newBuilder(baseUrl.resolve(path)).header("Accept", accept).GET());
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(Duration.ofSeconds(120)).build();
        try {
            try {
                return CLIENT.send(built, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException closed) {
                // Orthanc closes idle keep-alive connections; every request the tests send can
                // be repeated
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
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temporary directory: left for the OS
        }
    }
}
