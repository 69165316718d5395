// Throughput of Quorum behind a load balancer: C concurrent clients, each repeating a label cycle
// for D seconds: create a label (conditional create, FHIR R4 §3.1.0.8.1), read it back, search
// the patient's labels. Run by scaleout-bench.sh against HAProxy with one node, then with two
// (single-file source launch, JDK only).
//
// Usage: java ScaleoutBench.java <base-url> <token> <patient-ref> <clients> <seconds> <label>

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class ScaleoutBench {

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String token = args[1];
        String patient = args[2];
        int clients = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        String label = args[5];
        String run = UUID.randomUUID().toString().substring(0, 8);

        // Warm-up: 10 s of the same load, not measured.
        measure(base, token, patient, clients, 10, run + "w");
        Result result = measure(base, token, patient, clients, seconds, run);
        System.out.printf(
                "%-10s clients %2d  %6.1f requests/s  %5.1f labels/s  p50 %6.1f ms  p95 %7.1f ms"
                        + "  errors %d%n",
                label,
                clients,
                result.requests / (double) seconds,
                result.cycles / (double) seconds,
                percentile(result.millis, 50),
                percentile(result.millis, 95),
                result.errors);
    }

    record Result(long requests, long cycles, long errors, List<Double> millis) {}

    static Result measure(String base, String token, String patient, int clients, int seconds, String run)
            throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        AtomicLong requests = new AtomicLong();
        AtomicLong cycles = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread thread =
                    new Thread(
                            () -> {
                                for (int n = 0; System.nanoTime() < end; n++) {
                                    String value = run + "-" + client + "-" + n;
                                    String body =
                                            "{\"resourceType\":\"Observation\",\"status\":\"preliminary\","
                                                    + "\"identifier\":[{\"system\":\"urn:quorum:bench\",\"value\":\""
                                                    + value
                                                    + "\"}],\"code\":{\"coding\":[{\"system\":\"urn:quorum:bench\","
                                                    + "\"code\":\"finding\"}]},\"subject\":{\"reference\":\""
                                                    + patient
                                                    + "\"},\"valueBoolean\":true}";
                                    HttpResponse<String> created =
                                            send(
                                                    HttpRequest.newBuilder(URI.create(base + "/fhir/Observation"))
                                                            .header("Content-Type", "application/fhir+json")
                                                            .header(
                                                                    "If-None-Exist",
                                                                    "identifier=urn:quorum:bench|" + value)
                                                            .POST(HttpRequest.BodyPublishers.ofString(body)),
                                                    token,
                                                    requests,
                                                    errors,
                                                    millis);
                                    if (created == null || created.statusCode() != 201) {
                                        continue;
                                    }
                                    Matcher id = ID.matcher(created.body());
                                    if (!id.find()) {
                                        errors.incrementAndGet();
                                        continue;
                                    }
                                    send(
                                            HttpRequest.newBuilder(
                                                            URI.create(base + "/fhir/Observation/" + id.group(1)))
                                                    .GET(),
                                            token,
                                            requests,
                                            errors,
                                            millis);
                                    send(
                                            HttpRequest.newBuilder(
                                                            URI.create(
                                                                    base
                                                                            + "/fhir/Observation?subject="
                                                                            + patient
                                                                            + "&_count=10"))
                                                    .GET(),
                                            token,
                                            requests,
                                            errors,
                                            millis);
                                    cycles.incrementAndGet();
                                }
                            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new Result(requests.get(), cycles.get(), errors.get(), new ArrayList<>(millis));
    }

    private static final java.util.Set<String> FAILURES =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    static HttpResponse<String> send(
            HttpRequest.Builder request,
            String token,
            AtomicLong requests,
            AtomicLong errors,
            List<Double> millis) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response =
                    HTTP.send(
                            request.header("Authorization", "Bearer " + token)
                                    .header("Accept", "application/fhir+json")
                                    .timeout(Duration.ofSeconds(60))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            requests.incrementAndGet();
            millis.add((System.nanoTime() - start) / 1e6);
            if (response.statusCode() >= 400) {
                errors.incrementAndGet();
            }
            return response;
        } catch (java.io.IOException e) {
            // Counted, and the first of each kind printed, so that a run with errors says why.
            errors.incrementAndGet();
            if (FAILURES.add(e.getClass().getName())) {
                System.err.println("request failed: " + e);
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            errors.incrementAndGet();
            return null;
        }
    }

    static double percentile(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
