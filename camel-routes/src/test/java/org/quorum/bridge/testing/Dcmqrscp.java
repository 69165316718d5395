package org.quorum.bridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * dcmtk's {@code dcmqrscp} as the PACS of the DIMSE tests: fork mode (its {@code --single-process}
 * mode crashes here), its own configuration and storage area in a temporary directory, a free high
 * port, AE title {@code PACS}, and one move destination: the bridge's C-STORE SCP. dcmqrscp has no
 * option to listen on loopback only: the tests reach it at 127.0.0.1 only. Seeded with {@code
 * storescu}.
 */
public final class Dcmqrscp implements AutoCloseable {

    public static final String AE_TITLE = "PACS";

    private final Process process;
    private final Path directory;
    private final int port;

    private Dcmqrscp(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /**
     * Starts dcmqrscp and waits (up to 30 s) until it accepts connections.
     *
     * @param bridgeAeTitle the bridge's AE title, known as a move destination at {@code scpPort}
     */
    public static Dcmqrscp start(String bridgeAeTitle, int scpPort) {
        for (String tool : List.of("/usr/bin/dcmqrscp", "/usr/bin/storescu")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new AssertionError(tool + " is missing: install the Debian package dcmtk");
            }
        }
        try {
            Path directory = Files.createTempDirectory("bridge-dcmqrscp-");
            Path storage = Files.createDirectories(directory.resolve("pacs"));
            int port = JavaProcess.freePort();
            String config =
                    """
                    NetworkTCPPort  = %d
                    MaxPDUSize      = 16384
                    MaxAssociations = 16
                    HostTable BEGIN
                    bridge = (%s, 127.0.0.1, %d)
                    HostTable END
                    VendorTable BEGIN
                    VendorTable END
                    AETable BEGIN
                    %s  %s  RW  (200, 1024mb)  ANY
                    AETable END
                    """
                            .formatted(port, bridgeAeTitle, scpPort, AE_TITLE, storage);
            Path configFile = directory.resolve("dcmqrscp.cfg");
            Files.writeString(configFile, config);
            Process process =
                    new ProcessBuilder("dcmqrscp", "--fork", "-c", configFile.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(directory.resolve("dcmqrscp.log").toFile())
                            .start();
            Dcmqrscp pacs = new Dcmqrscp(process, directory, port);
            pacs.awaitListening();
            return pacs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening() {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("dcmqrscp exited at start-up:\n" + log());
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                try {
                    process.waitFor(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
        close();
        throw new AssertionError("dcmqrscp did not listen within 30 s:\n" + log());
    }

    public int port() {
        return port;
    }

    public String log() {
        try {
            return Files.readString(directory.resolve("dcmqrscp.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Sends files with storescu (C-STORE); fails the test unless storescu succeeded. */
    public void store(Path... files) {
        List<String> command = new ArrayList<>(List.of("storescu", "-aec", AE_TITLE));
        command.add("127.0.0.1");
        command.add(Integer.toString(port));
        for (Path file : files) {
            command.add(file.toString());
        }
        try {
            Process storescu = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(storescu.getInputStream().readAllBytes());
            if (!storescu.waitFor(60, TimeUnit.SECONDS) || storescu.exitValue() != 0) {
                throw new AssertionError("storescu failed:\n" + output + "\n" + log());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Retrieves one instance with dcmtk's {@code getscu} (C-GET, Study Root, IMAGE level, as AE
     * {@code GETSCU}) into {@code into}.
     *
     * @return the file received, or empty when the PACS has no such instance
     */
    public java.util.Optional<Path> retrieve(String study, String series, String sop, Path into) {
        try {
            Files.createDirectories(into);
            Process getscu =
                    new ProcessBuilder(
                                    "getscu",
                                    "-S",
                                    "-aet",
                                    "GETSCU",
                                    "-aec",
                                    AE_TITLE,
                                    "-k",
                                    "0008,0052=IMAGE",
                                    "-k",
                                    "0020,000D=" + study,
                                    "-k",
                                    "0020,000E=" + series,
                                    "-k",
                                    "0008,0018=" + sop,
                                    "-od",
                                    into.toString(),
                                    "127.0.0.1",
                                    Integer.toString(port))
                            .redirectErrorStream(true)
                            .start();
            String output = new String(getscu.getInputStream().readAllBytes());
            if (!getscu.waitFor(60, TimeUnit.SECONDS) || getscu.exitValue() != 0) {
                throw new AssertionError("getscu failed:\n" + output + "\n" + log());
            }
            try (Stream<Path> files = Files.list(into)) {
                return files.filter(f -> f.getFileName().toString().contains(sop)).findFirst();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
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
