package org.quorum.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the server on a data directory listens ({@code <data dir>/server.json}, written once it
 * serves, removed when it stops), so that CLI commands that need the running server (an online
 * {@code quorum backup}) find it without repeating its port.
 */
public final class ServerRecord {

    static final String FILE = "server.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerRecord() {}

    static void write(Path dataDir, URI baseUrl) throws IOException {
        Path temp = Files.createTempFile(dataDir, ".server", ".json");
        Files.writeString(
                temp,
                JSON.writeValueAsString(
                        JSON.createObjectNode()
                                .put("url", baseUrl.toString())
                                .put("pid", ProcessHandle.current().pid())));
        Files.move(
                temp,
                dataDir.resolve(FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void remove(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(FILE));
        } catch (IOException e) {
            // A stale record names a dead process; readers check it.
        }
    }

    /** The URL of the server running on {@code dataDir}, if one is. */
    public static Optional<URI> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode node = JSON.readTree(Files.readString(file));
        long pid = node.path("pid").asLong(-1);
        if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return Optional.of(URI.create(node.path("url").asText()));
        }
        return Optional.empty();
    }
}
