package org.quorum.bridge.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.quorum.bridge.BridgeApp;

/**
 * Talks to a running bridge's ops port, found through the URL and admin token the bridge writes to
 * its data directory; empty when no bridge answers there.
 */
final class AdminClient {

    private final URI base;
    private final String token;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private AdminClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    static Optional<AdminClient> of(Path dataDir) {
        try {
            Path url = dataDir.resolve(BridgeApp.OPS_URL_FILE);
            Path token = dataDir.resolve(BridgeApp.ADMIN_TOKEN_FILE);
            if (!Files.isRegularFile(url) || !Files.isRegularFile(token)) {
                return Optional.empty();
            }
            AdminClient client =
                    new AdminClient(
                            URI.create(Files.readString(url, StandardCharsets.UTF_8).strip()),
                            Files.readString(token, StandardCharsets.UTF_8).strip());
            return client.reachable() ? Optional.of(client) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private boolean reachable() {
        try {
            return get("/health").statusCode() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    URI base() {
        return base;
    }

    HttpResponse<String> get(String path) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    HttpResponse<String> post(String path) throws IOException {
        return send(
                HttpRequest.newBuilder(base.resolve(path))
                        .POST(HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<String> delete(String path) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(
                    request.timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
