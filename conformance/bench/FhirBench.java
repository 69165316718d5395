// FHIR benchmark: the same Synthea transaction bundles ingested by two FHIR servers, then the same
// labels stored in each and the same label searches against each, interleaved pass by pass. Run
// by fhir-bench.sh (single-file source launch, Jackson from server/target/lib on the class path).
//
// Ingest: testdata/synthea-10pt (bulk-export NDJSON) becomes one transaction Bundle per patient,
// as Synthea writes them: the patient and everything that refers to it, POST entries with
// urn:uuid fullUrls, the practitioners, organisations and locations referred to by conditional
// references (Practitioner?identifier=...), which the servers resolve. Those shared resources are
// stored once per server before the measurement. Every copy of the data gets fresh ids and
// fullUrls. Per pass and server: resources/s with the given number of concurrent clients, and the
// server process's CPU ms per resource (counted until the process is quiet again, so work done
// after the answer, such as Quorum's audit writer, counts).
//
// Labels: Observations of the QuorumLabel profile (project extension, confidence, reasoning, code
// with schema version, subject, performer, method, derivedFrom a DocumentReference), stored in
// transaction Bundles of 100 with the same clients, the two servers alternating in ten rounds.
// Then per pass: p50/p95 of label searches by code, subject, project (the quorum-project search
// parameter, installed on the stock server as a user of the profile would), identifier, and
// subject with _include of the source and the patient.
//
// After a warm-up pass (not reported), the median of the passes is printed per server with the
// ratio first/second.
//
// With -Dstate.dir (fhir-bench.sh: FHIR_BENCH_KEEP) the run can be stopped and continued with the
// same stores: the run id, the fixtures' ids, the ingest figures, every label bundle a server has
// stored and the seconds spent loading are written there as they happen. A run started again on
// the same directory skips the ingest (it prints the figures saved), stores only the label bundles
// not stored yet (a bundle that was in flight when the run stopped is looked up by its first
// label's identifier, so none is stored twice) and then searches. Load rates then sum the seconds
// of all the runs.
//
// Usage: java -cp 'server/target/lib/*' FhirBench.java <synthea-dir> <copies-per-pass> <passes>
//        <labels> <queries> <clients> <searchparameter.json> <name>=<url>[|<bearer>] ...

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

public class FhirBench {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SCHEMA = "https://quorum.dev/fhir/CodeSystem/bench-findings";
    static final String EXT = "https://quorum.dev/fhir/StructureDefinition/";
    static final int PROJECTS = 10;
    static final int CODES = 20;
    // -Dlabels.per.bundle (fhir-bench.sh: FHIR_BENCH_LABEL_BUNDLE): larger transactions load large
    // label counts faster, the same way on both servers.
    static final int LABELS_PER_BUNDLE = Integer.getInteger("labels.per.bundle", 100);
    // -Dlabels.order (fhir-bench.sh: FHIR_BENCH_LABEL_ORDER): the same labels either way, grouped
    // into bundles differently. "round-robin" (default): label n (patient n mod patients) goes into
    // bundle n / size, so a bundle of 1,000 names 1,000 patients and their 1,000 sources. "patient":
    // a patient's labels one after the other, as clinicians and pre-annotators label, so a bundle of
    // 1,000 names 10 patients. On H2 both servers resolve a transaction's references with a query
    // that scans HFJ_RESOURCE once per chunk of ids (docs/performance.md), which makes the
    // round-robin load of a million labels take most of a day.
    static final String LABEL_ORDER = System.getProperty("labels.order", "round-robin");
    static int[] patientOrder;
    static final List<String> SHARED = List.of("Organization", "Location", "Practitioner", "PractitionerRole");

    record Server(String name, URI root, String token) {}

    /** What the label fixtures got as ids on one server. */
    record Fixtures(List<String> projects, String role, List<String> patients, List<String> documents) {}

    static HttpClient client;
    static List<ObjectNode> shared = new ArrayList<>();
    static Map<String, List<ObjectNode>> byPatient = new LinkedHashMap<>();
    /** Where a run that can be continued keeps its state; null: a run from scratch, kept nowhere. */
    static final Path STATE = System.getProperty("state.dir") == null ? null : Path.of(System.getProperty("state.dir"));
    static final String RUN;

    static {
        try {
            String run = UUID.randomUUID().toString().substring(0, 8);
            if (STATE != null) {
                Files.createDirectories(STATE);
                Path file = STATE.resolve("run");
                if (Files.exists(file)) {
                    run = Files.readString(file).strip();
                } else {
                    Files.writeString(file, run);
                }
            }
            RUN = run;
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int copies = Integer.parseInt(args[1]);
        int passes = Integer.parseInt(args[2]);
        int labels = Integer.parseInt(args[3]);
        int queries = Integer.parseInt(args[4]);
        int clients = Integer.parseInt(args[5]);
        String searchParameter = Files.readString(Path.of(args[6]));
        List<Server> servers = new ArrayList<>();
        for (String spec : Arrays.copyOfRange(args, 7, args.length)) {
            String[] nameRest = spec.split("=", 2);
            String[] urlToken = nameRest[1].split("\\|", 2);
            servers.add(new Server(nameRest[0], URI.create(urlToken[0]), urlToken.length > 1 ? urlToken[1] : null));
        }
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
        readSynthea(data);
        int perCopy = byPatient.values().stream().mapToInt(List::size).sum();
        System.out.printf("ingest per measurement: %d copies of %s (%d patients, %d resources each, one transaction"
                + " per patient, fresh ids), %d clients; labels: %d in bundles of %d (%s order, %d clients); %d"
                + " queries per search kind and pass; 1 warm-up pass + %d measured passes, servers interleaved%n",
                copies, data.getFileName(), byPatient.size(), perCopy, clients, labels, LABELS_PER_BUNDLE, LABEL_ORDER,
                clients, queries, passes);

        Map<String, List<List<Double>>> results = new LinkedHashMap<>();
        Path saved = STATE == null ? null : STATE.resolve("ingest.json");
        if (saved != null && Files.exists(saved)) {
            JsonNode ingest = JSON.readTree(saved.toFile());
            results.putAll(JSON.convertValue(ingest.path("results"),
                    new TypeReference<LinkedHashMap<String, List<List<Double>>>>() {}));
            System.out.printf("continued run %s: the ingest was measured by its first run (%s), not again%n", RUN,
                    ingest.path("measured").asText());
            System.out.printf("ingested per server: %d Synthea resources (+ %d shared)%n",
                    ingest.path("ingested").asLong(), shared.size());
        } else {
            long ingested = ingest(servers, results, copies, passes, clients, perCopy, searchParameter);
            System.out.printf("ingested per server: %d Synthea resources (+ %d shared)%n", ingested, shared.size());
            if (saved != null) {
                ObjectNode ingest = JSON.createObjectNode();
                ingest.put("measured", java.time.Instant.now().toString());
                ingest.put("ingested", ingested);
                ingest.set("results", JSON.valueToTree(results));
                Files.writeString(saved, JSON.writeValueAsString(ingest));
            }
        }
        Map<String, Fixtures> fixtures = labels(servers, results, labels, clients);

        for (int pass = 0; pass <= passes; pass++) {
            for (int k = 0; k < servers.size(); k++) {
                int i = (pass % 2 == 0) ? k : servers.size() - 1 - k;
                Server server = servers.get(i);
                record(results, servers.size(), i, pass, server, searches(server, fixtures.get(server.name()), labels, queries, pass));
            }
        }

        System.out.println();
        StringBuilder header = new StringBuilder(String.format("| %-40s", "median of " + passes + " passes"));
        for (Server s : servers) {
            header.append(String.format(" | %10s", s.name()));
        }
        if (servers.size() == 2) {
            header.append(String.format(" | %s/%s", servers.get(0).name(), servers.get(1).name()));
        }
        System.out.println(header + " |");
        for (Map.Entry<String, List<List<Double>>> e : results.entrySet()) {
            StringBuilder row = new StringBuilder(String.format("| %-40s", e.getKey()));
            double[] med = new double[servers.size()];
            for (int s = 0; s < servers.size(); s++) {
                med[s] = median(e.getValue().get(s));
                row.append(String.format(" | %10.1f", med[s]));
            }
            if (servers.size() == 2) {
                row.append(String.format(" | %.2f", med[0] / med[1]));
            }
            System.out.println(row + " |");
        }
    }

    /** Synthea ingest, interleaved pass by pass; answers the Synthea resources each server holds. */
    static long ingest(List<Server> servers, Map<String, List<List<Double>>> results, int copies, int passes,
            int clients, int perCopy, String searchParameter) throws Exception {
        for (Server server : servers) {
            // Synthea's shared resources (what its conditional references point at), once.
            post(server, "", transaction(shared.stream().map(r -> entry(r.deepCopy(), UUID.randomUUID())).toList()));
            if (server.token() == null) {
                ObjectNode parameter = (ObjectNode) JSON.readTree(searchParameter);
                parameter.remove("id");
                post(server, "SearchParameter", JSON.writeValueAsString(parameter));
            }
        }
        long ingested = 0;
        for (int pass = 0; pass <= passes; pass++) {
            for (int k = 0; k < servers.size(); k++) {
                int i = (pass % 2 == 0) ? k : servers.size() - 1 - k;
                Server server = servers.get(i);
                List<String> bundles = new ArrayList<>();
                for (int c = 0; c < copies; c++) {
                    for (List<ObjectNode> resources : byPatient.values()) {
                        bundles.add(patientBundle(resources));
                    }
                }
                String pid = System.getProperty("pid." + server.name());
                quiet(pid);
                long cpuBefore = cpuTicks(pid);
                long start = System.nanoTime();
                parallel(clients, bundles.size(), n -> post(server, "", bundles.get(n)));
                double seconds = (System.nanoTime() - start) / 1e9;
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("ingest resources/s, " + clients + " clients", copies * perCopy / seconds);
                if (pid != null) {
                    quiet(pid);
                    m.put("ingest CPU ms/resource", (cpuTicks(pid) - cpuBefore) * 1000.0 / TICKS / (copies * perCopy));
                }
                ingested = Math.max(ingested, (long) (pass + 1) * copies * perCopy);
                record(results, servers.size(), i, pass, server, m);
            }
        }
        return ingested;
    }

    /**
     * Labels, loaded in ten rounds that alternate between the servers; with a state directory only
     * the bundles a server has not stored yet. Answers the fixtures the labels point at.
     */
    static Map<String, Fixtures> labels(List<Server> servers, Map<String, List<List<Double>>> results, int labels,
            int clients) throws Exception {
        if (!LABEL_ORDER.equals("round-robin") && !LABEL_ORDER.equals("patient")) {
            throw new IllegalArgumentException("labels.order must be round-robin or patient, not " + LABEL_ORDER);
        }
        if (STATE != null) {
            // The bundles noted in the state are positions in one order: never continue in another.
            Path file = STATE.resolve("labels-order");
            if (!Files.exists(file)) {
                Files.writeString(file, LABEL_ORDER);
            } else if (!Files.readString(file).strip().equals(LABEL_ORDER)) {
                throw new IllegalStateException(STATE + " holds labels stored in " + Files.readString(file).strip()
                        + " order, not " + LABEL_ORDER);
            }
        }
        Map<String, Fixtures> fixtures = new HashMap<>();
        Map<String, Set<Integer>> stored = new HashMap<>();
        double[] loadSeconds = new double[servers.size()];
        long[] loaded = new long[servers.size()];
        for (int i = 0; i < servers.size(); i++) {
            Server server = servers.get(i);
            Path file = STATE == null ? null : STATE.resolve("fixtures-" + server.name() + ".json");
            Fixtures f;
            if (file != null && Files.exists(file)) {
                f = JSON.readValue(file.toFile(), Fixtures.class);
            } else {
                f = fixtures(server, Math.max(10, labels / 100));
                if (file != null) {
                    Files.writeString(file, JSON.writeValueAsString(f));
                }
            }
            fixtures.put(server.name(), f);
            stored.put(server.name(), storedBundles(server, f, labels, clients));
            if (STATE != null && Files.exists(STATE.resolve("load-" + server.name()))) {
                for (String line : Files.readAllLines(STATE.resolve("load-" + server.name()))) {
                    String[] fields = line.split(" ");
                    loaded[i] += Long.parseLong(fields[0]);
                    loadSeconds[i] += Double.parseDouble(fields[1]);
                }
            }
        }
        int rounds = 10;
        int bundlesTotal = (labels + LABELS_PER_BUNDLE - 1) / LABELS_PER_BUNDLE;
        for (int round = 0; round < rounds; round++) {
            int from = bundlesTotal * round / rounds;
            int to = bundlesTotal * (round + 1) / rounds;
            for (int k = 0; k < servers.size(); k++) {
                int i = (round % 2 == 0) ? k : servers.size() - 1 - k;
                Server server = servers.get(i);
                Fixtures f = fixtures.get(server.name());
                Set<Integer> done = stored.get(server.name());
                List<Integer> pending = new ArrayList<>();
                for (int b = from; b < to; b++) {
                    if (!done.contains(b)) {
                        pending.add(b);
                    }
                }
                if (pending.isEmpty()) {
                    continue;
                }
                AtomicInteger count = new AtomicInteger();
                long start = System.nanoTime();
                double seconds;
                try {
                    parallel(clients, pending.size(), n -> {
                        int b = pending.get(n);
                        post(server, "", labelBundle(f, b, labels));
                        count.addAndGet(bundleSize(b, labels));
                        storedBundle(server, b);
                    });
                } finally {
                    seconds = (System.nanoTime() - start) / 1e9;
                    loadSeconds[i] += seconds;
                    loaded[i] += count.get();
                    if (STATE != null) {
                        Files.writeString(STATE.resolve("load-" + server.name()), count.get() + " " + seconds + "\n",
                                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }
                }
                System.out.printf("labels stored on %s: %d (%.1f labels/s in this round)%n", server.name(),
                        Math.min(labels, to * LABELS_PER_BUNDLE), count.get() / seconds);
            }
        }
        for (Server server : servers) {
            // Every label once, also after runs that stopped and continued.
            String query = "Observation?_profile=" + enc(EXT + "quorum-label") + "&_summary=count";
            HttpResponse<String> response = client.send(request(server, query).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            long total = JSON.readTree(response.body()).path("total").asLong(-1);
            if (response.statusCode() != 200 || total != labels) {
                throw new IllegalStateException(server.name() + " holds " + total + " labels (" + response.statusCode()
                        + "), not " + labels);
            }
            System.out.printf("labels counted on %s: %d%n", server.name(), total);
        }
        Map<String, List<List<Double>>> labelRows = new LinkedHashMap<>();
        for (int i = 0; i < servers.size(); i++) {
            record(labelRows, servers.size(), i, 1, servers.get(i),
                    Map.of("label store labels/s, bundles of " + LABELS_PER_BUNDLE, loaded[i] / loadSeconds[i]));
        }
        labelRows.forEach(results::put);
        return fixtures;
    }

    /** The label stored at a position of the load (0 to labels - 1): each label exactly once. */
    static int labelAt(int position, int labels, int patients) {
        if (LABEL_ORDER.equals("round-robin")) {
            return position;
        }
        synchronized (FhirBench.class) {
            if (patientOrder == null) {
                patientOrder = new int[labels];
                int k = 0;
                for (int p = 0; p < patients; p++) {
                    for (int n = p; n < labels; n += patients) {
                        patientOrder[k++] = n;
                    }
                }
            }
        }
        return patientOrder[position];
    }

    static int bundleSize(int bundle, int labels) {
        return Math.min(labels, (bundle + 1) * LABELS_PER_BUNDLE) - bundle * LABELS_PER_BUNDLE;
    }

    /** Notes that a server has stored a label bundle (with a state directory). */
    static void storedBundle(Server server, int bundle) throws Exception {
        if (STATE == null) {
            return;
        }
        synchronized (FhirBench.class) {
            Files.writeString(STATE.resolve("bundles-" + server.name()), bundle + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    /**
     * The label bundles a server stored in earlier runs on this state directory: those noted, and
     * those that were in flight when the run stopped (up to one per client after the last one
     * noted) whose first label is found by identifier.
     */
    static Set<Integer> storedBundles(Server server, Fixtures f, int labels, int clients) throws Exception {
        Set<Integer> done = new TreeSet<>();
        if (STATE == null) {
            return done;
        }
        Path file = STATE.resolve("bundles-" + server.name());
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    done.add(Integer.parseInt(line.strip()));
                }
            }
        }
        // Clients take bundles in order, so those in flight are gaps below the last one noted or
        // at most one per client after it.
        int bundlesTotal = (labels + LABELS_PER_BUNDLE - 1) / LABELS_PER_BUNDLE;
        int last = done.stream().mapToInt(Integer::intValue).max().orElse(-1);
        for (int b = 0; b < Math.min(bundlesTotal, last + 1 + clients); b++) {
            if (done.contains(b)) {
                continue;
            }
            String query = "Observation?identifier=" + enc("urn:quorum:bench|" + RUN + "-"
                    + labelAt(b * LABELS_PER_BUNDLE, labels, f.patients().size()))
                    + "&_summary=count";
            HttpResponse<String> response = client.send(request(server, query).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(server.name() + " " + query + " answered " + response.statusCode());
            }
            if (JSON.readTree(response.body()).path("total").asInt() > 0) {
                done.add(b);
                storedBundle(server, b);
            }
        }
        if (!done.isEmpty()) {
            System.out.printf("continued run %s: %s holds %d of %d label bundles%n", RUN, server.name(), done.size(),
                    bundlesTotal);
        }
        return done;
    }

    static void record(Map<String, List<List<Double>>> results, int count, int i, int pass, Server server, Map<String, Double> m) {
        boolean warmup = pass == 0;
        System.out.printf("%s pass %d %s: %s%n", warmup ? "warm-up" : "measured", pass, server.name(), m);
        if (warmup) {
            return;
        }
        for (Map.Entry<String, Double> e : m.entrySet()) {
            List<List<Double>> perServer = results.computeIfAbsent(e.getKey(), x -> {
                List<List<Double>> l = new ArrayList<>();
                for (int s = 0; s < count; s++) {
                    l.add(new ArrayList<>());
                }
                return l;
            });
            perServer.get(i).add(e.getValue());
        }
    }

    // --- Synthea -------------------------------------------------------------------------------

    static void readSynthea(Path dir) throws Exception {
        Map<String, List<ObjectNode>> byType = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".ndjson")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    ObjectNode resource = (ObjectNode) JSON.readTree(line);
                    String type = resource.path("resourceType").asText();
                    if (!type.isEmpty() && !type.equals("OperationOutcome")) {
                        byType.computeIfAbsent(type, t -> new ArrayList<>()).add(resource);
                    }
                }
            }
        }
        for (ObjectNode patient : byType.getOrDefault("Patient", List.of())) {
            List<ObjectNode> group = new ArrayList<>();
            group.add(patient);
            byPatient.put("Patient/" + patient.path("id").asText(), group);
        }
        for (Map.Entry<String, List<ObjectNode>> e : byType.entrySet()) {
            if (SHARED.contains(e.getKey())) {
                shared.addAll(e.getValue());
                continue;
            }
            if (e.getKey().equals("Patient")) {
                continue;
            }
            for (ObjectNode resource : e.getValue()) {
                String patient = resource.has("subject")
                        ? resource.path("subject").path("reference").asText()
                        : resource.path("patient").path("reference").asText();
                List<ObjectNode> group = byPatient.get(patient);
                if (group == null) {
                    throw new IllegalStateException(e.getKey() + " without a known patient: " + patient);
                }
                group.add(resource);
            }
        }
    }

    /** One patient's resources as a transaction with fresh fullUrls; references inside rewritten. */
    static String patientBundle(List<ObjectNode> resources) throws Exception {
        Map<String, String> ids = new HashMap<>();
        for (ObjectNode r : resources) {
            ids.put(r.path("resourceType").asText() + "/" + r.path("id").asText(), "urn:uuid:" + UUID.randomUUID());
        }
        List<ObjectNode> entries = new ArrayList<>();
        for (ObjectNode r : resources) {
            ObjectNode copy = r.deepCopy();
            String fullUrl = ids.get(r.path("resourceType").asText() + "/" + r.path("id").asText());
            rewrite(copy, ids);
            entries.add(entry(copy, UUID.fromString(fullUrl.substring("urn:uuid:".length()))));
        }
        return transaction(entries);
    }

    static void rewrite(JsonNode node, Map<String, String> ids) {
        if (node instanceof ObjectNode object) {
            JsonNode reference = object.get("reference");
            if (reference != null && reference.isTextual() && ids.containsKey(reference.asText())) {
                object.set("reference", new TextNode(ids.get(reference.asText())));
            }
            object.elements().forEachRemaining(child -> rewrite(child, ids));
        } else if (node instanceof ArrayNode array) {
            array.elements().forEachRemaining(child -> rewrite(child, ids));
        }
    }

    static ObjectNode entry(ObjectNode resource, UUID fullUrl) {
        resource.remove("id");
        ObjectNode entry = JSON.createObjectNode();
        entry.put("fullUrl", "urn:uuid:" + fullUrl);
        entry.set("resource", resource);
        entry.putObject("request").put("method", "POST").put("url", resource.path("resourceType").asText());
        return entry;
    }

    static String transaction(List<ObjectNode> entries) throws Exception {
        ObjectNode bundle = JSON.createObjectNode();
        bundle.put("resourceType", "Bundle");
        bundle.put("type", "transaction");
        ArrayNode array = bundle.putArray("entry");
        entries.forEach(array::add);
        return JSON.writeValueAsString(bundle);
    }

    // --- Labels --------------------------------------------------------------------------------

    static Fixtures fixtures(Server server, int patients) throws Exception {
        List<ObjectNode> entries = new ArrayList<>();
        for (int p = 0; p < PROJECTS; p++) {
            entries.add(entry((ObjectNode) JSON.readTree("{\"resourceType\":\"ResearchStudy\",\"status\":\"active\","
                    + "\"title\":\"Bench project " + p + "\"}"), UUID.randomUUID()));
        }
        UUID practitioner = UUID.randomUUID();
        entries.add(entry((ObjectNode) JSON.readTree("{\"resourceType\":\"Practitioner\",\"identifier\":[{\"system\":"
                + "\"https://quorum.dev/fhir/annotator-id\",\"value\":\"BENCH-" + RUN + "\"}]}"), practitioner));
        entries.add(entry((ObjectNode) JSON.readTree("{\"resourceType\":\"PractitionerRole\",\"practitioner\":"
                + "{\"reference\":\"urn:uuid:" + practitioner + "\"}}"), UUID.randomUUID()));
        List<String> fixtureLocations = locations(post(server, "", transaction(entries)));
        List<String> patientIds = new ArrayList<>();
        List<String> documentIds = new ArrayList<>();
        for (int from = 0; from < patients; from += 250) {
            List<ObjectNode> batch = new ArrayList<>();
            for (int p = from; p < Math.min(patients, from + 250); p++) {
                UUID patient = UUID.randomUUID();
                batch.add(entry((ObjectNode) JSON.readTree("{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
                        + "\"https://quorum.dev/fhir/pseudonym\",\"value\":\"BENCH-" + RUN + "-" + p + "\"}]}"), patient));
                batch.add(entry((ObjectNode) JSON.readTree("{\"resourceType\":\"DocumentReference\",\"status\":\"current\","
                        + "\"subject\":{\"reference\":\"urn:uuid:" + patient + "\"},\"content\":[{\"attachment\":{"
                        + "\"contentType\":\"text/plain\",\"data\":\"SW1wcmVzc2lvbjogbm8gYWN1dGUgZmluZGluZy4=\"}}]}"),
                        UUID.randomUUID()));
            }
            List<String> created = locations(post(server, "", transaction(batch)));
            for (int n = 0; n < created.size(); n += 2) {
                patientIds.add(created.get(n));
                documentIds.add(created.get(n + 1));
            }
        }
        return new Fixtures(fixtureLocations.subList(0, PROJECTS), fixtureLocations.get(PROJECTS + 1), patientIds, documentIds);
    }

    static List<String> locations(String transactionResponse) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(transactionResponse).path("entry")) {
            String location = entry.path("response").path("location").asText();
            int history = location.indexOf("/_history");
            ids.add(history < 0 ? location : location.substring(0, history));
        }
        return ids;
    }

    static String labelBundle(Fixtures f, int bundle, int labels) throws Exception {
        List<ObjectNode> entries = new ArrayList<>();
        for (int k = bundle * LABELS_PER_BUNDLE; k < Math.min(labels, (bundle + 1) * LABELS_PER_BUNDLE); k++) {
            entries.add(entry(label(f, labelAt(k, labels, f.patients().size())), UUID.randomUUID()));
        }
        return transaction(entries);
    }

    static ObjectNode label(Fixtures f, int n) throws Exception {
        int patient = n % f.patients().size();
        return (ObjectNode) JSON.readTree("{\"resourceType\":\"Observation\","
                + "\"meta\":{\"profile\":[\"" + EXT + "quorum-label\"]},"
                + "\"extension\":[{\"url\":\"" + EXT + "quorum-project\",\"valueReference\":{\"reference\":\""
                + f.projects().get(n % PROJECTS) + "\"}},"
                + "{\"url\":\"" + EXT + "quorum-confidence\",\"valueDecimal\":0." + (n % 9 + 1) + "},"
                + "{\"url\":\"" + EXT + "quorum-reasoning\",\"valueString\":\"Finding described in the impression.\"}],"
                + "\"identifier\":[{\"system\":\"urn:quorum:bench\",\"value\":\"" + RUN + "-" + n + "\"}],"
                + "\"status\":\"preliminary\","
                + "\"code\":{\"coding\":[{\"system\":\"" + SCHEMA + "\",\"version\":\"1.0.0\",\"code\":\"finding-"
                + (n % CODES) + "\"}]},"
                + "\"subject\":{\"reference\":\"" + f.patients().get(patient) + "\"},"
                + "\"performer\":[{\"reference\":\"" + f.role() + "\"}],"
                + "\"method\":{\"coding\":[{\"system\":\"https://quorum.dev/fhir/CodeSystem/quorum-label-method\","
                + "\"code\":\"human\"}]},"
                + "\"derivedFrom\":[{\"reference\":\"" + f.documents().get(patient) + "\"}],"
                + "\"valueBoolean\":" + (n % 3 == 0) + "}");
    }

    // --- Searches ------------------------------------------------------------------------------

    static Map<String, Double> searches(Server server, Fixtures f, int labels, int queries, int pass) throws Exception {
        Random random = new Random(42 + pass);
        Map<String, Double> m = new LinkedHashMap<>();
        String[] kinds = {"code", "subject", "project", "identifier", "subject + _include"};
        for (String kind : kinds) {
            double[] latencies = new double[queries];
            for (int q = 0; q < queries; q++) {
                int patient = random.nextInt(f.patients().size());
                String query = switch (kind) {
                    case "code" -> "Observation?code=" + enc(SCHEMA + "|finding-" + random.nextInt(CODES)) + "&_count=20";
                    case "subject" -> "Observation?subject=" + f.patients().get(patient) + "&_count=20";
                    case "project" -> "Observation?project=" + f.projects().get(random.nextInt(PROJECTS)) + "&_count=20";
                    case "identifier" -> "Observation?identifier=" + enc("urn:quorum:bench|" + RUN + "-" + random.nextInt(labels));
                    default -> "Observation?subject=" + f.patients().get(patient)
                            + "&_include=Observation:derived-from&_include=Observation:subject&_count=20";
                };
                long t = System.nanoTime();
                HttpResponse<String> response = client.send(request(server, query).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                latencies[q] = (System.nanoTime() - t) / 1e6;
                if (response.statusCode() != 200 || !response.body().contains("\"Observation\"")) {
                    throw new IllegalStateException(server.name() + " " + query + " answered " + response.statusCode()
                            + " without a label: " + response.body().substring(0, Math.min(400, response.body().length())));
                }
                if (kind.contains("_include") && !response.body().contains("\"DocumentReference\"")) {
                    throw new IllegalStateException(server.name() + " " + query + " did not include the sources");
                }
            }
            Arrays.sort(latencies);
            m.put("search by " + kind + " p50 ms", percentile(latencies, 50));
            m.put("search by " + kind + " p95 ms", percentile(latencies, 95));
        }
        return m;
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // --- HTTP and measurement ------------------------------------------------------------------

    static HttpRequest.Builder request(Server server, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.root().resolve(path)).timeout(Duration.ofMinutes(10))
                .header("Accept", "application/fhir+json");
        if (server.token() != null) {
            b.header("Authorization", "Bearer " + server.token());
        }
        return b;
    }

    static String post(Server server, String path, String body) throws Exception {
        HttpResponse<String> response = client.send(request(server, path)
                .header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new IllegalStateException(server.name() + " POST /" + path + " answered " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(1000, response.body().length())));
        }
        return response.body();
    }

    static final double TICKS = Double.parseDouble(System.getProperty("clk.tck", "100"));

    /** User + system CPU time of a process, in clock ticks; 0 without a pid. */
    static long cpuTicks(String pid) throws Exception {
        if (pid == null) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** Waits (up to 60 s) until the process used under 10 % of a core for half a second. */
    static void quiet(String pid) throws Exception {
        if (pid == null) {
            return;
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        long previous = cpuTicks(pid);
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = cpuTicks(pid);
            if ((now - previous) / TICKS < 0.05) {
                return;
            }
            previous = now;
        }
    }

    interface Task {
        void run(int n) throws Exception;
    }

    static void parallel(int clients, int count, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                for (int n; (n = next.getAndIncrement()) < count; ) {
                    task.run(n);
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double percentile(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
