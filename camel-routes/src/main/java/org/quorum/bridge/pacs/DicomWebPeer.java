package org.quorum.bridge.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.quorum.bridge.auth.AccessTokens;
import org.quorum.bridge.resilience.Failure;
import org.quorum.bridge.resilience.HttpStatusException;
import org.quorum.bridge.resilience.ResilientEndpoint;

/**
 * A DICOMweb server (PS3.18) the bridge talks to: the hospital's PACS (QIDO-RS, WADO-RS) or Quorum
 * (STOW-RS, QIDO-RS). Every call goes through the peer's {@link ResilientEndpoint} (retries with
 * backoff, {@code Retry-After}, circuit breaker, a new token after a 401).
 */
public final class DicomWebPeer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DICOM_JSON = "application/dicom+json";

    /** The answer to a STOW-RS request. */
    public record StowAnswer(int status, JsonNode body) {}

    private final URI root;
    private final HttpClient http;
    private final Duration readTimeout;
    private final AccessTokens tokens;
    private final ResilientEndpoint endpoint;
    private final Clock clock;

    public DicomWebPeer(
            URI root,
            Duration connectTimeout,
            Duration readTimeout,
            AccessTokens tokens,
            ResilientEndpoint endpoint,
            Clock clock) {
        this.root = URI.create(root.toString().replaceAll("/+$", ""));
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
        this.readTimeout = readTimeout;
        this.tokens = tokens;
        this.endpoint = endpoint;
        this.clock = clock;
    }

    public URI root() {
        return root;
    }

    public ResilientEndpoint endpoint() {
        return endpoint;
    }

    /**
     * QIDO-RS (PS3.18 §10.6): {@code path} with its query, e.g. {@code
     * /studies?StudyDate=20240101-20240131}. An empty answer (204, or 200 with {@code []}) is an
     * empty array.
     */
    public JsonNode search(String what, String pathAndQuery) {
        return endpoint.call(
                what,
                tokens,
                () -> {
                    HttpResponse<byte[]> response =
                            send(request(pathAndQuery).header("Accept", DICOM_JSON).GET());
                    if (response.statusCode() == 204 || response.body().length == 0) {
                        return JSON.createArrayNode();
                    }
                    expect(response, Set.of(200), what);
                    JsonNode body = JSON.readTree(response.body());
                    if (!body.isArray()) {
                        throw new IOException("the QIDO-RS answer is not a JSON array");
                    }
                    return body;
                });
    }

    /**
     * WADO-RS retrieve of one instance (PS3.18 §10.4), in the transfer syntax it is stored in.
     *
     * @return the Part 10 bytes
     */
    public byte[] retrieveInstance(String what, String study, String series, String sop) {
        return endpoint.call(
                what,
                tokens,
                () -> {
                    HttpResponse<byte[]> response =
                            send(
                                    request(
                                                    "/studies/"
                                                            + study
                                                            + "/series/"
                                                            + series
                                                            + "/instances/"
                                                            + sop)
                                            .header(
                                                    "Accept",
                                                    "multipart/related;"
                                                            + " type=\"application/dicom\";"
                                                            + " transfer-syntax=*")
                                            .GET());
                    expect(response, Set.of(200), what);
                    String type = response.headers().firstValue("Content-Type").orElse(null);
                    List<byte[]> parts =
                            MultipartRelated.parts(
                                    response.body(), MultipartRelated.boundaryOf(type));
                    if (parts.size() != 1) {
                        throw new IOException(
                                "WADO-RS answered " + parts.size() + " parts for one instance");
                    }
                    return parts.get(0);
                });
    }

    /**
     * STOW-RS (PS3.18 §10.5) of a batch of Part 10 instances. 200 (all stored), 202 (some failed)
     * and 409 (none stored) are answers the caller reads ({@code FailedSOPSequence}); other
     * statuses are failures of the call.
     */
    public StowAnswer store(String what, List<byte[]> instances) {
        MultipartRelated.Body body = MultipartRelated.ofDicom(instances);
        return endpoint.call(
                what,
                tokens,
                () -> {
                    HttpResponse<byte[]> response =
                            send(
                                    request("/studies")
                                            .header("Accept", DICOM_JSON)
                                            .header("Content-Type", body.contentType())
                                            .POST(
                                                    HttpRequest.BodyPublishers.ofByteArray(
                                                            body.bytes())));
                    expect(response, Set.of(200, 202, 409), what);
                    JsonNode answer =
                            response.body().length == 0
                                    ? JSON.createObjectNode()
                                    : JSON.readTree(response.body());
                    return new StowAnswer(response.statusCode(), answer);
                });
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(root + pathAndQuery)).timeout(readTimeout);
        String authorization = tokens.authorization();
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void expect(HttpResponse<byte[]> response, Set<Integer> accepted, String what) {
        if (accepted.contains(response.statusCode())) {
            return;
        }
        Optional<Duration> retryAfter =
                response.headers()
                        .firstValue("Retry-After")
                        .flatMap(value -> Failure.parseRetryAfter(value, clock));
        // The body of an error may quote request values (UIDs): only its status is reported.
        throw new HttpStatusException(
                response.statusCode(),
                retryAfter,
                "HTTP " + response.statusCode() + " from " + root.getHost() + " for " + what);
    }

    /** The first value of a DICOM JSON attribute (PS3.18 F.2), or empty. */
    public static String text(JsonNode dataset, String tag) {
        JsonNode value = dataset.path(tag).path("Value");
        if (!value.isArray() || value.isEmpty()) {
            return "";
        }
        JsonNode first = value.get(0);
        return first.isTextual() ? first.asText() : first.toString();
    }

    /** An integer attribute (IS, US, UL) of a DICOM JSON data set, or -1. */
    public static int integer(JsonNode dataset, String tag) {
        JsonNode value = dataset.path(tag).path("Value");
        if (!value.isArray() || value.isEmpty()) {
            return -1;
        }
        JsonNode first = value.get(0);
        if (first.isNumber()) {
            return first.asInt();
        }
        try {
            return Integer.parseInt(first.asText().strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
