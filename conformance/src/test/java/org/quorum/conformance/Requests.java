package org.quorum.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP request as a misbehaving client would send it: any method, headers and raw bytes.
 *
 * @param description what is wrong with it, for the report
 */
record Requests(
        String description, String method, String path, Map<String, String> headers, byte[] body) {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static Requests get(String description, String path) {
        return new Requests(description, "GET", path, Map.of(), null);
    }

    static Requests post(String description, String path, String contentType, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return new Requests(description, "POST", path, headers, body);
    }

    static Requests post(String description, String path, String contentType, String body) {
        return post(description, path, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    Requests header(String name, String value) {
        Map<String, String> headers = new LinkedHashMap<>(this.headers);
        headers.put(name, value);
        return new Requests(description, method, path, headers, body);
    }

    /** Sends it with a bearer token; the answer's body as text. */
    HttpResponse<String> send(URI base, String token) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(120))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        if (!headers.containsKey("Accept")) {
            request.header("Accept", "application/fhir+json");
        }
        request.header("Authorization", "Bearer " + token);
        try {
            return CLIENT.send(
                    request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(description + ": " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
    }
}
