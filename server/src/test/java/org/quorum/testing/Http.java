package org.quorum.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP against the test server, for status codes and bodies a FHIR client would hide. */
public final class Http {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final URI base;
    private final String token;

    /** Without a token: only the open endpoints answer. */
    public Http(URI base) {
        this(base, null);
    }

    /** Every request carries {@code Authorization: Bearer <token>}. */
    public Http(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    public Http withToken(String token) {
        return new Http(base, token);
    }

    public HttpResponse<String> get(String path, String accept) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Accept", accept).GET());
    }

    public HttpResponse<String> get(String path) {
        return get(path, "*/*");
    }

    public HttpResponse<String> send(String method, String path, String contentType, String body) {
        return send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", contentType)
                        .header("Accept", "application/fhir+json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A request with further headers, given as name, value, name, value ... */
    public HttpResponse<String> send(
            String method, String path, String contentType, String body, String... headers) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", contentType)
                        .header("Accept", "application/fhir+json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    /** A binary body (STOW-RS). */
    public HttpResponse<String> post(String path, String contentType, byte[] body) {
        return send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public HttpResponse<String> postFhir(String path, String body) {
        return send("POST", path, "application/fhir+json", body);
    }

    public HttpResponse<String> putFhir(String path, String body) {
        return send("PUT", path, "application/fhir+json", body);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return CLIENT.send(
                    request.timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
