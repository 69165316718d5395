package org.quorum.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that write labels through a load balancer while a fault happens, as a well-behaved
 * integration would: every label has its own identifier and is created conditionally ({@code
 * If-None-Exist}, FHIR R4 §3.1.0.8.1), so a retry after an ambiguous failure (a connection cut, a
 * 502/503/504) never creates a second copy; each write is retried until it is acknowledged (201 or
 * 200) or its deadline passes. Counts what was sent and what the clients saw, and afterwards what
 * the store holds: acknowledged labels missing (lost) and labels stored more than once
 * (duplicated).
 */
public final class RetryingWriters implements AutoCloseable {

    /** What the clients did and saw. */
    public record Tally(
            long requestsSent,
            long acknowledged,
            long transportErrors,
            Map<Integer, Long> errorStatuses,
            long abandoned) {

        /** Error answers and failed connections the clients saw (each then retried). */
        public long clientErrors() {
            return transportErrors
                    + errorStatuses.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public String toString() {
            return "requests sent "
                    + requestsSent
                    + ", acknowledged writes "
                    + acknowledged
                    + ", errors seen by clients "
                    + clientErrors()
                    + " (connection failures "
                    + transportErrors
                    + ", statuses "
                    + errorStatuses
                    + "), abandoned "
                    + abandoned;
        }
    }

    /** What the store holds of the labels written. */
    public record Outcome(int lost, int duplicated, int stored) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WRITE_DEADLINE = Duration.ofSeconds(120);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI target;
    private final String token;
    private final String patient;
    private final String system;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final Set<String> acknowledged = new ConcurrentSkipListSet<>();
    private final Set<String> attempted = new ConcurrentSkipListSet<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong transportErrors = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final Map<Integer, AtomicLong> errorStatuses = new ConcurrentHashMap<>();

    /**
     * Starts {@code clients} writer threads against {@code target} (the load balancer).
     *
     * @param patient the label subject, e.g. {@code Patient/123}
     * @param system the identifier system of this run's labels
     */
    public RetryingWriters(URI target, String token, String patient, String system, int clients) {
        this.target = target;
        this.token = token;
        this.patient = patient;
        this.system = system;
        for (int i = 0; i < clients; i++) {
            int client = i;
            Thread thread = new Thread(() -> write(client), "retrying-writer-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void write(int client) {
        for (int n = 0; running.get(); n++) {
            String value = client + "-" + n;
            attempted.add(value);
            String body =
                    """
                    {"resourceType":"Observation","status":"preliminary",
                     "identifier":[{"system":"%s","value":"%s"}],
                     "code":{"coding":[{"system":"urn:quorum:test","code":"finding"}]},
                     "subject":{"reference":"%s"},"valueBoolean":true}"""
                            .formatted(system, value, patient);
            Instant deadline = Instant.now().plus(WRITE_DEADLINE);
            while (true) {
                if (Instant.now().isAfter(deadline)) {
                    abandoned.incrementAndGet();
                    break;
                }
                sent.incrementAndGet();
                try {
                    HttpResponse<String> response =
                            http.send(
                                    HttpRequest.newBuilder(target.resolve("/fhir/Observation"))
                                            .timeout(Duration.ofSeconds(60))
                                            .header("Authorization", "Bearer " + token)
                                            .header("Content-Type", "application/fhir+json")
                                            .header("Accept", "application/fhir+json")
                                            .header(
                                                    "If-None-Exist",
                                                    "identifier=" + system + "|" + value)
                                            .POST(HttpRequest.BodyPublishers.ofString(body))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                    int status = response.statusCode();
                    if (status == 201 || status == 200) {
                        acknowledged.add(value);
                        break;
                    }
                    errorStatuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                } catch (IOException e) {
                    transportErrors.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                QuorumCluster.pollPause(Duration.ofMillis(100));
            }
        }
    }

    /** The identifier values of the labels acknowledged so far. */
    public Set<String> acknowledgedValues() {
        return Set.copyOf(acknowledged);
    }

    /** The identifier values of this run's labels stored on {@code node}, each with how often. */
    public Map<String, Integer> storedValues(URI node) {
        return stored(node);
    }

    /** How many writes have been acknowledged so far. */
    public int acknowledgedSoFar() {
        return acknowledged.size();
    }

    /** Waits until at least {@code count} writes were acknowledged (or fails at the deadline). */
    public void awaitAcknowledged(int count, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (acknowledged.size() < count) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(
                        "only "
                                + acknowledged.size()
                                + " of "
                                + count
                                + " writes acknowledged: "
                                + tally());
            }
            QuorumCluster.pollPause(Duration.ofMillis(100));
        }
    }

    /** Stops the clients after their current write (retried to its end) and returns the tally. */
    public Tally stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(WRITE_DEADLINE.plusSeconds(30).toMillis());
        }
        return tally();
    }

    public Tally tally() {
        Map<Integer, Long> statuses = new HashMap<>();
        errorStatuses.forEach((status, count) -> statuses.put(status, count.get()));
        return new Tally(
                sent.get(), acknowledged.size(), transportErrors.get(), statuses, abandoned.get());
    }

    /**
     * Reads every label of this run from {@code node} (all pages) and compares with what the
     * clients sent: acknowledged labels missing, labels stored more than once.
     */
    public Outcome verify(URI node) {
        Map<String, Integer> stored = stored(node);
        int lost = (int) acknowledged.stream().filter(v -> !stored.containsKey(v)).count();
        int duplicated = (int) stored.values().stream().filter(c -> c > 1).count();
        int unexpected = (int) stored.keySet().stream().filter(v -> !attempted.contains(v)).count();
        if (unexpected > 0) {
            throw new AssertionError(unexpected + " stored labels were never sent");
        }
        return new Outcome(lost, duplicated, stored.size());
    }

    private Map<String, Integer> stored(URI node) {
        Map<String, Integer> stored = new HashMap<>();
        String next =
                node.resolve(
                                "/fhir/Observation?identifier="
                                        + system
                                        + "%7C&_elements=identifier&_count=500")
                        .toString();
        while (next != null) {
            JsonNode page = get(next);
            for (JsonNode entry : page.path("entry")) {
                for (JsonNode identifier : entry.path("resource").path("identifier")) {
                    if (system.equals(identifier.path("system").asText())) {
                        stored.merge(identifier.path("value").asText(), 1, Integer::sum);
                    }
                }
            }
            next = null;
            for (JsonNode link : page.path("link")) {
                if ("next".equals(link.path("relation").asText())) {
                    // The paging link names the public base (the load balancer); ask the node.
                    URI href = URI.create(link.path("url").asText());
                    next = node.resolve(href.getRawPath() + "?" + href.getRawQuery()).toString();
                }
            }
        }
        return stored;
    }

    private JsonNode get(String url) {
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(120))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Accept", "application/fhir+json")
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError(
                        url + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        running.set(false);
    }
}
