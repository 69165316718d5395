// Quality operations at scale (issue 16): $agreement, $bias-report and $class-balance on projects of
// 10k, 100k and 1M labels, read from the label index, and on smaller projects also through the FHIR
// store as before the index (labelSource=store). Run by quality-bench.sh, which puts the packaged
// server on the class path: this program starts the real server in-process (embedded H2, default
// settings, a temporary data directory, 127.0.0.1) and talks to it over HTTP with a project-admin
// token.
//
// Two ways labels get into a project:
//   fhir   - FHIR transaction Bundles of 250 labels (with their patients and notes), 2 clients at
//            once: the normal write path (profile validation, HAPI storage, label index in the same
//            transaction). Slow on the shared machine; used for the sizes that are compared with
//            the store path.
//   direct - the label index's own bulk write (LabelIndex.written: what the write hooks do, 1,000
//            labels per transaction), with the project, label schema and annotators stored as FHIR
//            resources but the labels and patients only in the index. This measures what the
//            operations do at scale (read the index, analyse, answer); it does not measure HAPI's
//            storage of a million Observations, and the store path finds no labels there.
//
// Data per project: 3 annotators, a label schema of 5 codes, one patient per 30 labels
// (deterministic sex, birth year, race and ethnicity), one note per patient, 10 text spans per
// note, each span labelled by the 3 annotators (disagreeing on about one label in five), all final.
//
// Usage: java -cp <server jar>:<its lib/*> QualityBench.java <fhir sizes> <direct sizes> <passes>

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class QualityBench {

    static final int LOAD_BUNDLE = 250;
    static final int BOOTSTRAP_MAX_LABELS =
            Integer.parseInt(System.getenv().getOrDefault("QUORUM_BENCH_BOOTSTRAP_MAX_LABELS", "10000"));

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final String[] CODES = {"normal", "pneumonia", "effusion", "nodule", "pneumothorax"};
    static final String[] RACES = {"2106-3", "2106-3", "2106-3", "2054-5", "2028-9", "1002-5"};
    static final int LABELS_PER_BUNDLE = 1000;
    static final int SPANS = 10;
    static final int ANNOTATORS = 3;

    public static void main(String[] args) throws Exception {
        List<Integer> fhirSizes = sizes(args[0]);
        List<Integer> directSizes = sizes(args[1]);
        int passes = Integer.parseInt(args[2]);
        Path data = Files.createTempDirectory("quorum-quality-bench-");
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        org.quorum.config.QuorumSettings settings = org.quorum.config.QuorumSettings.load(
                java.util.Map.of("QUORUM_DATA_DIR", data.toString(), "QUORUM_HTTP_PORT", String.valueOf(port),
                        "QUORUM_HTTP_HOST", "127.0.0.1"),
                java.util.Optional.empty());
        long started = System.nanoTime();
        try (org.quorum.server.QuorumServer server = org.quorum.server.QuorumServer.start(settings)) {
            System.err.printf("server ready in %.0f s%n", (System.nanoTime() - started) / 1e9);
            String token = server.security().issuer().issue(
                    new org.quorum.security.TokenIssuer.Grant("quality-bench", "quality-bench",
                            java.util.Set.of(org.quorum.security.Role.PROJECT_ADMIN), java.util.Set.of(),
                            org.quorum.security.ScopeSet.parse("user/*.cruds"), java.util.Optional.empty()),
                    Duration.ofHours(12)).accessToken();
            String base = server.fhirBaseUrl().toString();
            System.out.println("| operation | labels | loaded | read from | median s | passes s | median CPU s | answer bytes |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (int size : directSizes) {
                Setup setup = setup(base, token, size);
                loadDirect(server.quality().labelIndex(), setup, size);
                time(base, token, setup.project(), size, "direct", "index", passes);
            }
            for (int size : fhirSizes) {
                Setup setup = setup(base, token, size);
                loadFhir(base, token, setup, size);
                time(base, token, setup.project(), size, "fhir", "index", passes);
                time(base, token, setup.project(), size, "fhir", "store", passes);
            }
        }
        // Some of the embedded server's pools outlive its close; the benchmark is over.
        System.exit(0);
    }

    static List<Integer> sizes(String list) {
        return list.isBlank() || list.equals("-") ? List.of()
                : Arrays.stream(list.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }

    static HttpResponse<String> send(String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/fhir+json")
                .timeout(Duration.ofMinutes(60));
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/fhir+json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            // A kept-alive connection the server had closed: once more on a fresh one.
            System.err.println("retrying " + url + " after " + e);
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        if (response.statusCode() >= 300) {
            String text = response.body();
            throw new IllegalStateException(url + " -> " + response.statusCode() + ": "
                    + text.substring(0, Math.min(600, text.length())));
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

    record Setup(String project, String schema, String[] roles) {}

    static Setup setup(String base, String token, int labels) throws Exception {
        String schema = "https://quorum.dev/fhir/CodeSystem/quality-bench-" + UUID.randomUUID();
        StringBuilder concepts = new StringBuilder();
        for (String code : CODES) {
            concepts.append(concepts.length() == 0 ? "" : ",")
                    .append("{\"code\":\"").append(code).append("\",\"display\":\"")
                    .append(display(code)).append("\"}");
        }
        send("POST", base + "/CodeSystem", token, """
                {"resourceType":"CodeSystem","url":"%s","version":"1.0.0","name":"QualityBench","status":"active",
                 "content":"complete","concept":[%s]}""".formatted(schema, concepts));
        String project = created(send("POST", base + "/ResearchStudy", token,
                "{\"resourceType\":\"ResearchStudy\",\"status\":\"active\",\"title\":\"quality bench "
                        + labels + " labels\"}"));
        String[] roles = new String[ANNOTATORS];
        for (int a = 0; a < ANNOTATORS; a++) {
            String practitioner = created(send("POST", base + "/Practitioner", token,
                    "{\"resourceType\":\"Practitioner\",\"identifier\":[{\"system\":\"https://quorum.dev/fhir/annotator-id\",\"value\":\"bench-"
                            + UUID.randomUUID() + "\"}]}"));
            roles[a] = "PractitionerRole/" + created(send("POST", base + "/PractitionerRole", token,
                    "{\"resourceType\":\"PractitionerRole\",\"practitioner\":{\"reference\":\"Practitioner/"
                            + practitioner + "\"}}"));
        }
        return new Setup(project, schema, roles);
    }

    static String display(String code) {
        return Character.toUpperCase(code.charAt(0)) + code.substring(1);
    }

    /** Through FHIR transaction Bundles, 2 clients at once. */
    static void loadFhir(String base, String token, Setup setup, int labels) throws Exception {
        int labelsPerPatient = SPANS * ANNOTATORS;
        int patients = (labels + labelsPerPatient - 1) / labelsPerPatient;
        int patientsPerBundle = Math.max(1, LOAD_BUNDLE / labelsPerPatient);
        ExecutorService clients = Executors.newFixedThreadPool(2);
        List<Future<?>> bundles = new ArrayList<>();
        AtomicLong stored = new AtomicLong();
        long start = System.nanoTime();
        for (int first = 0; first < patients; first += patientsPerBundle) {
            int from = first;
            int to = Math.min(patients, first + patientsPerBundle);
            bundles.add(clients.submit(() -> {
                send("POST", base, token, bundle(setup.project(), setup.schema(), setup.roles(), from, to, labels));
                long done = stored.addAndGet(Math.min(labels, to * labelsPerPatient) - from * labelsPerPatient);
                System.err.printf("  %d labels stored through FHIR, %.1f labels/s%n", done,
                        done / ((System.nanoTime() - start) / 1e9));
                return null;
            }));
        }
        for (Future<?> bundle : bundles) {
            bundle.get();
        }
        clients.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf("loaded %d labels (%d patients) into ResearchStudy/%s through FHIR in %.0f s (%.1f labels/s), load %s%n",
                labels, patients, setup.project(), seconds, labels / seconds, loadAverage());
    }

    /** Through the label index's bulk write, 1,000 labels (and their patients) per transaction. */
    static void loadDirect(org.quorum.quality.index.LabelIndex index, Setup setup, int labels) {
        int labelsPerPatient = SPANS * ANNOTATORS;
        int patients = (labels + labelsPerPatient - 1) / labelsPerPatient;
        int patientsPerBatch = Math.max(1, 1000 / labelsPerPatient);
        long start = System.nanoTime();
        String prefix = "qb" + setup.project() + "-";
        for (int first = 0; first < patients; first += patientsPerBatch) {
            List<org.hl7.fhir.r4.model.Patient> patientBatch = new ArrayList<>();
            List<org.hl7.fhir.r4.model.Observation> labelBatch = new ArrayList<>();
            for (int p = first; p < Math.min(patients, first + patientsPerBatch); p++) {
                org.hl7.fhir.r4.model.Patient patient = new org.hl7.fhir.r4.model.Patient();
                patient.setId(new org.hl7.fhir.r4.model.IdType("Patient", prefix + p, "1"));
                patient.setGender(p % 2 == 0 ? org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE
                        : org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.MALE);
                patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(String.valueOf(1935 + (p * 7) % 85)));
                org.hl7.fhir.r4.model.Extension race = patient.addExtension()
                        .setUrl("http://hl7.org/fhir/us/core/StructureDefinition/us-core-race");
                race.addExtension("ombCategory", new org.hl7.fhir.r4.model.Coding(
                        "urn:oid:2.16.840.1.113883.6.238", RACES[p % RACES.length], null));
                org.hl7.fhir.r4.model.Extension ethnicity = patient.addExtension()
                        .setUrl("http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity");
                ethnicity.addExtension("ombCategory", new org.hl7.fhir.r4.model.Coding(
                        "urn:oid:2.16.840.1.113883.6.238", p % 5 == 0 ? "2135-2" : "2186-5", null));
                patientBatch.add(patient);
                for (int span = 0; span < SPANS; span++) {
                    for (int a = 0; a < ANNOTATORS; a++) {
                        long n = (long) p * labelsPerPatient + span * ANNOTATORS + a;
                        if (n >= labels) {
                            break;
                        }
                        org.hl7.fhir.r4.model.Observation label = new org.hl7.fhir.r4.model.Observation();
                        label.setId(new org.hl7.fhir.r4.model.IdType("Observation", prefix + n, "1"));
                        label.getMeta().addProfile("https://quorum.dev/fhir/StructureDefinition/quorum-label");
                        label.addExtension("https://quorum.dev/fhir/StructureDefinition/quorum-project",
                                new org.hl7.fhir.r4.model.Reference("ResearchStudy/" + setup.project()));
                        org.hl7.fhir.r4.model.Extension textSpan = label.addExtension()
                                .setUrl("https://quorum.dev/fhir/StructureDefinition/quorum-text-span");
                        textSpan.addExtension("start", new org.hl7.fhir.r4.model.IntegerType(span * 20));
                        textSpan.addExtension("end", new org.hl7.fhir.r4.model.IntegerType(span * 20 + 13));
                        label.setStatus(org.hl7.fhir.r4.model.Observation.ObservationStatus.FINAL);
                        label.getCode().addCoding().setSystem(setup.schema()).setVersion("1.0.0")
                                .setCode(CODES[code(p, span, a)]);
                        label.setSubject(new org.hl7.fhir.r4.model.Reference("Patient/" + prefix + p));
                        label.addPerformer(new org.hl7.fhir.r4.model.Reference(setup.roles()[a]));
                        label.addDerivedFrom(new org.hl7.fhir.r4.model.Reference("DocumentReference/" + prefix + p));
                        labelBatch.add(label);
                    }
                }
            }
            index.written(patientBatch, labelBatch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf("loaded %d labels (%d patients) into ResearchStudy/%s directly in %.0f s (%.0f labels/s), load %s%n",
                labels, patients, setup.project(), seconds, labels / seconds, loadAverage());
    }

    /** The code annotator {@code a} gives span {@code span} of patient {@code p}. */
    static int code(int p, int span, int a) {
        // The class of the case: skewed, so that some classes are rare.
        int c = (p * SPANS + span) % 20;
        int truth = c < 12 ? 0 : c < 17 ? 1 : c < 19 ? 2 : (p + span) % 7 == 0 ? 4 : 3;
        return (p + span + a) % 5 == 0 ? (truth + 1) % CODES.length : truth;
    }

    /**
     * CPU time of this JVM (the server and the client both run in it; the client's share is the
     * HTTP exchange): on the shared machine, a figure other processes' load disturbs much less than
     * the wall-clock time.
     */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Patients [from, to) with their notes and labels, as one transaction Bundle. */
    static String bundle(String project, String schema, String[] roles, int from, int to, int labels) {
        StringBuilder entries = new StringBuilder();
        int labelsPerPatient = SPANS * ANNOTATORS;
        for (int p = from; p < to; p++) {
            String patient = "urn:uuid:" + UUID.randomUUID();
            String note = "urn:uuid:" + UUID.randomUUID();
            String gender = p % 2 == 0 ? "female" : "male";
            int year = 1935 + (p * 7) % 85;
            String race = RACES[p % RACES.length];
            String ethnicity = p % 5 == 0 ? "2135-2" : "2186-5";
            entry(entries, patient, "Patient", """
                    {"resourceType":"Patient","identifier":[{"system":"https://quorum.dev/fhir/pseudonym","value":"%s"}],
                     "gender":"%s","birthDate":"%d",
                     "extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race","extension":[
                       {"url":"ombCategory","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"%s"}},
                       {"url":"text","valueString":"%s"}]},
                      {"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity","extension":[
                       {"url":"ombCategory","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"%s"}},
                       {"url":"text","valueString":"%s"}]}]}"""
                    .formatted(UUID.randomUUID(), gender, year, race, race, ethnicity, ethnicity));
            entry(entries, note, "DocumentReference", """
                    {"resourceType":"DocumentReference","status":"current","subject":{"reference":"%s"},
                     "content":[{"attachment":{"contentType":"text/plain","data":"SW1wcmVzc2lvbjogY29uc29saWRhdGlvbi4="}}]}"""
                    .formatted(patient));
            for (int span = 0; span < SPANS; span++) {
                for (int a = 0; a < ANNOTATORS; a++) {
                    if ((long) p * labelsPerPatient + span * ANNOTATORS + a >= labels) {
                        break;
                    }
                    int code = code(p, span, a);
                    entry(entries, "urn:uuid:" + UUID.randomUUID(), "Observation", """
                            {"resourceType":"Observation","meta":{"profile":["https://quorum.dev/fhir/StructureDefinition/quorum-label"]},
                             "extension":[{"url":"https://quorum.dev/fhir/StructureDefinition/quorum-project","valueReference":{"reference":"ResearchStudy/%s"}},
                              {"url":"https://quorum.dev/fhir/StructureDefinition/quorum-text-span","extension":[
                               {"url":"start","valueInteger":%d},{"url":"end","valueInteger":%d},{"url":"quote","valueString":"consolidation"}]}],
                             "status":"final",
                             "code":{"coding":[{"system":"%s","version":"1.0.0","code":"%s"}]},
                             "subject":{"reference":"%s"},"performer":[{"reference":"%s"}],
                             "method":{"coding":[{"system":"https://quorum.dev/fhir/CodeSystem/quorum-label-method","code":"human"}]},
                             "derivedFrom":[{"reference":"%s"}]}"""
                            .formatted(project, span * 20, span * 20 + 13, schema, CODES[code], patient, roles[a], note));
                }
            }
        }
        return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
    }

    static void entry(StringBuilder entries, String fullUrl, String type, String resource) {
        entries.append(entries.length() == 0 ? "" : ",")
                .append("{\"fullUrl\":\"").append(fullUrl).append("\",\"resource\":").append(resource)
                .append(",\"request\":{\"method\":\"POST\",\"url\":\"").append(type).append("\"}}");
    }

    /** One warm-up call, then {@code passes} timed calls of each operation; prints the medians. */
    static void time(String base, String token, String project, int labels, String loaded, String source,
            int passes) throws Exception {
        // $agreement twice: with its defaults (1000 bootstrap replicates per interval) and without
        // intervals (ci=0), which leaves the reading of the labels and the point estimates.
        String[] operations = {"$agreement", "$agreement?ci=0", "$bias-report?ageAt=2026-01-01", "$class-balance"};
        for (String operation : operations) {
            if (operation.equals("$agreement") && labels > BOOTSTRAP_MAX_LABELS) {
                // Its bootstrap intervals cost replicates x statistics x units: minutes per call
                // above this size on the shared machine (see docs/performance.md).
                System.out.printf("| %s | %,d | %s | %s | not timed (more than %,d labels) | | | |%n", operation,
                        labels, loaded, source, BOOTSTRAP_MAX_LABELS);
                continue;
            }
            String url = base + "/ResearchStudy/" + project + "/" + operation
                    + (operation.contains("?") ? "&" : "?") + "labelSource=" + source;
            send("GET", url, token, null);
            double[] seconds = new double[passes];
            double[] cpu = new double[passes];
            int bytes = 0;
            for (int i = 0; i < passes; i++) {
                long start = System.nanoTime();
                long cpuStart = processCpuNanos();
                bytes = send("GET", url, token, null).body().length();
                seconds[i] = (System.nanoTime() - start) / 1e9;
                cpu[i] = (processCpuNanos() - cpuStart) / 1e9;
            }
            Arrays.sort(seconds);
            Arrays.sort(cpu);
            System.out.printf("| %s | %,d | %s | %s | %.2f | %s | %.2f | %,d |%n", operation.replace("?", " "), labels,
                    loaded, source,
                    seconds[passes / 2], Arrays.toString(Arrays.stream(seconds)
                            .mapToObj(s -> String.format("%.2f", s)).toArray()), cpu[passes / 2], bytes);
        }
    }
}
