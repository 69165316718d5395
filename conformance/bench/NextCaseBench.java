// $next-case benchmark: a project with many open cases and many annotators, then the time a claim
// takes, one at a time and with several annotators asking at once. Run by next-case-bench.sh
// (single-file source launch, no dependencies).
//
// Usage:
//   java NextCaseBench.java setup <fhir base> <admin token> <cases> <annotators> <roles file>
//   java NextCaseBench.java measure <fhir base> <project> <tokens file> <sequential> <threads> <concurrent>

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class NextCaseBench {

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final Pattern LOCATION = Pattern.compile("\"location\"\\s*:\\s*\"([A-Za-z]+/[^/\"]+)");
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final int BATCH = 250;

    public static void main(String[] args) throws Exception {
        if (args[0].equals("setup")) {
            setup(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Path.of(args[5]));
        } else {
            measure(args[1], args[2], Files.readAllLines(Path.of(args[3])), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        }
    }

    static HttpResponse<String> post(String url, String token, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/fhir+json")
                .header("Accept", "application/fhir+json")
                .timeout(Duration.ofMinutes(60))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            // A kept-alive connection the server had closed: once more on a fresh one.
            System.err.println("retrying " + url + " after " + e);
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        if (response.statusCode() >= 300 && response.statusCode() != 204) {
            throw new IllegalStateException(url + " -> " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    static String created(HttpResponse<String> response) {
        Matcher id = ID.matcher(response.body());
        if (!id.find()) {
            throw new IllegalStateException("no id in " + response.body());
        }
        return id.group(1);
    }

    static void setup(String base, String token, int cases, int annotators, Path rolesFile) throws Exception {
        String schema = "https://quorum.dev/fhir/CodeSystem/bench-" + UUID.randomUUID();
        post(base + "/CodeSystem", token, """
                {"resourceType":"CodeSystem","url":"%s","version":"1.0.0","name":"BenchFindings","status":"active",
                 "content":"complete","concept":[{"code":"effusion","display":"Effusion"},
                 {"code":"pneumonia","display":"Pneumonia"},{"code":"normal","display":"Normal"}]}
                """.formatted(schema));
        long start = System.nanoTime();
        List<String> notes = new ArrayList<>();
        for (int from = 0; from < cases; from += BATCH) {
            StringBuilder bundle = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
            int n = Math.min(BATCH, cases - from);
            for (int i = 0; i < n; i++) {
                String patient = "urn:uuid:" + UUID.randomUUID();
                if (i > 0) {
                    bundle.append(',');
                }
                bundle.append("""
                        {"fullUrl":"%s","resource":{"resourceType":"Patient","identifier":[{"system":"https://quorum.dev/fhir/pseudonym","value":"%s"}]},
                         "request":{"method":"POST","url":"Patient"}},
                        {"resource":{"resourceType":"DocumentReference","status":"current","subject":{"reference":"%s"},
                         "content":[{"attachment":{"contentType":"text/plain","data":"SW1wcmVzc2lvbjogc2VlIGZpbmRpbmdzLg=="}}]},
                         "request":{"method":"POST","url":"DocumentReference"}}
                        """.formatted(patient, UUID.randomUUID(), patient));
            }
            bundle.append("]}");
            Matcher location = LOCATION.matcher(post(base, token, bundle.toString()).body());
            while (location.find()) {
                if (location.group(1).startsWith("DocumentReference/")) {
                    notes.add(location.group(1));
                }
            }
        }
        System.out.printf("stored %d notes and their patients in %.0f s%n", notes.size(), (System.nanoTime() - start) / 1e9);
        StringBuilder list = new StringBuilder("{\"resourceType\":\"List\",\"status\":\"current\",\"mode\":\"working\",\"entry\":[");
        for (int i = 0; i < notes.size(); i++) {
            list.append(i == 0 ? "" : ",").append("{\"item\":{\"reference\":\"").append(notes.get(i)).append("\"}}");
        }
        list.append("]}");
        String listId = created(post(base + "/List", token, list.toString()));
        String project = created(post(base + "/ResearchStudy", token, """
                {"resourceType":"ResearchStudy","status":"active","title":"next-case benchmark",
                 "extension":[{"url":"https://quorum.dev/fhir/StructureDefinition/quorum-review-policy","extension":[
                   {"url":"labelSchema","valueCanonical":"%s|1.0.0"},
                   {"url":"caseSource","valueReference":{"reference":"List/%s"}},
                   {"url":"annotatorsPerCase","valuePositiveInt":2},
                   {"url":"maxOpenPerAnnotator","valuePositiveInt":100000}]}]}
                """.formatted(schema, listId)));
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < annotators; i++) {
            String practitioner = created(post(base + "/Practitioner", token, """
                    {"resourceType":"Practitioner","identifier":[{"system":"https://quorum.dev/fhir/annotator-id","value":"bench-%d-%s"}]}
                    """.formatted(i, UUID.randomUUID())));
            roles.add("PractitionerRole/" + created(post(base + "/PractitionerRole", token, """
                    {"resourceType":"PractitionerRole","practitioner":{"reference":"Practitioner/%s"},
                     "extension":[{"url":"https://quorum.dev/fhir/StructureDefinition/quorum-project","valueReference":{"reference":"ResearchStudy/%s"}}],
                     "code":[{"coding":[{"system":"https://quorum.dev/fhir/CodeSystem/quorum-project-role","code":"annotator"}]}]}
                    """.formatted(practitioner, project))));
        }
        start = System.nanoTime();
        post(base + "/ResearchStudy/" + project + "/$open-cases", token, "{\"resourceType\":\"Parameters\"}");
        System.out.printf("$open-cases opened %d cases in %.0f s%n", notes.size(), (System.nanoTime() - start) / 1e9);
        List<String> lines = new ArrayList<>();
        lines.add(project);
        lines.addAll(roles);
        Files.write(rolesFile, lines);
    }

    static void measure(String base, String project, List<String> tokens, int sequential, int threads, int concurrent)
            throws Exception {
        String url = base + "/ResearchStudy/" + project + "/$next-case";
        String body = "{\"resourceType\":\"Parameters\"}";
        AtomicInteger next = new AtomicInteger();
        // Warm-up: one claim per annotator, not counted.
        for (String token : tokens) {
            post(url, token, body);
        }
        List<Double> alone = new ArrayList<>();
        for (int i = 0; i < sequential; i++) {
            String token = tokens.get(next.getAndIncrement() % tokens.size());
            long t0 = System.nanoTime();
            HttpResponse<String> response = post(url, token, body);
            alone.add((System.nanoTime() - t0) / 1e6);
            check(response);
        }
        report("one at a time", alone, -1);
        List<Double> together = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < concurrent; i++) {
            futures.add(pool.submit(() -> {
                String token = tokens.get(next.getAndIncrement() % tokens.size());
                long t0 = System.nanoTime();
                HttpResponse<String> response = post(url, token, body);
                together.add((System.nanoTime() - t0) / 1e6);
                check(response);
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        report(threads + " annotators at once", together, concurrent / seconds);
    }

    static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("claim answered " + response.statusCode() + ": " + response.body());
        }
    }

    static void report(String label, List<Double> millis, double perSecond) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        double mean = sorted.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        System.out.printf("$next-case %s: %d claims, p50 %.0f ms, p95 %.0f ms, mean %.0f ms%s%n",
                label, sorted.size(), quantile(sorted, 0.5), quantile(sorted, 0.95), mean,
                perSecond > 0 ? String.format(", %.1f claims/s", perSecond) : "");
    }

    static double quantile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        double position = (sorted.size() - 1) * p;
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.size() - 1);
        return sorted.get(below) + (position - below) * (sorted.get(above) - sorted.get(below));
    }
}
