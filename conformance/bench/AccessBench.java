// Per-request cost of case-bound access: a clinician with N assigned cases (review Tasks, each
// focusing a note of its own patient) reads and searches, next to a project admin doing the same
// requests (no case binding). Run by access-bench.sh (single-file source launch, JDK only).
//
// Usage: java AccessBench.java <base-url> <admin-token> <clinician-token> <practitioner-role-ref>
//        <cases> <requests>

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class AccessBench {

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String admin = args[1];
        String clinician = args[2];
        String owner = args[3];
        int cases = Integer.parseInt(args[4]);
        int requests = Integer.parseInt(args[5]);

        List<String> notes = new ArrayList<>();
        long start = System.nanoTime();
        for (int done = 0; done < cases; done += 100) {
            notes.addAll(createCases(base, admin, owner, Math.min(100, cases - done)));
        }
        System.out.printf(
                "created %d cases (Patient + DocumentReference + Task) in %.1f s%n",
                notes.size(), (System.nanoTime() - start) / 1e9);

        Random random = new Random(42);
        String[] kinds = {"read", "search"};
        System.out.printf("%-10s %-8s %8s %8s %8s%n", "token", "request", "p50 ms", "p95 ms", "mean ms");
        for (String kind : kinds) {
            for (String[] who : new String[][] {{"admin", admin}, {"clinician", clinician}}) {
                // Warm-up, then the measured requests.
                run(base, who[1], kind, notes, random, 30);
                double[] millis = run(base, who[1], kind, notes, random, requests);
                Arrays.sort(millis);
                System.out.printf(
                        "%-10s %-8s %8.2f %8.2f %8.2f%n",
                        who[0],
                        kind,
                        millis[millis.length / 2],
                        millis[(int) (millis.length * 0.95)],
                        Arrays.stream(millis).average().orElse(0));
            }
        }
    }

    static double[] run(
            String base, String token, String kind, List<String> notes, Random random, int n)
            throws Exception {
        double[] millis = new double[n];
        for (int i = 0; i < n; i++) {
            String note = notes.get(random.nextInt(notes.size()));
            String path =
                    kind.equals("read")
                            ? "/fhir/" + note
                            : "/fhir/DocumentReference?_id=" + note.substring(note.indexOf('/') + 1);
            HttpRequest request =
                    HttpRequest.newBuilder(URI.create(base + path))
                            .header("Authorization", "Bearer " + token)
                            .header("Accept", "application/fhir+json")
                            .GET()
                            .build();
            long t0 = System.nanoTime();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            millis[i] = (System.nanoTime() - t0) / 1e6;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + response.statusCode());
            }
        }
        return millis;
    }

    static List<String> createCases(String base, String admin, String owner, int count)
            throws Exception {
        StringBuilder entries = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String patient = "urn:uuid:" + UUID.randomUUID();
            String note = "urn:uuid:" + UUID.randomUUID();
            if (entries.length() > 0) {
                entries.append(',');
            }
            entries.append(
                    """
                    {"fullUrl":"%s","resource":{"resourceType":"Patient","active":true},
                     "request":{"method":"POST","url":"Patient"}},
                    {"fullUrl":"%s","resource":{"resourceType":"DocumentReference","status":"current",
                      "subject":{"reference":"%s"},
                      "content":[{"attachment":{"contentType":"text/plain","data":"Tm90ZQ=="}}]},
                     "request":{"method":"POST","url":"DocumentReference"}},
                    {"resource":{"resourceType":"Task","status":"ready","intent":"order",
                      "owner":{"reference":"%s"},"focus":{"reference":"%s"},"for":{"reference":"%s"}},
                     "request":{"method":"POST","url":"Task"}}
                    """
                            .formatted(patient, note, patient, owner, note, patient));
        }
        String bundle =
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + "/fhir"))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", "application/fhir+json")
                        .POST(HttpRequest.BodyPublishers.ofString(bundle))
                        .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("transaction answered " + response.statusCode());
        }
        List<String> notes = new ArrayList<>();
        Matcher m = Pattern.compile("\"location\"\\s*:\\s*\"(DocumentReference/[^/\"]+)").matcher(response.body());
        while (m.find()) {
            notes.add(m.group(1));
        }
        return notes;
    }
}
