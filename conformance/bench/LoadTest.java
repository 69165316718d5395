// Load test of one Quorum node: C concurrent clients for D seconds at a steady mix, each request
// drawn at random: 70 % label reads and searches (read by id, search by subject, by code, by
// project), 20 % label writes (one QuorumLabel per POST, profile-validated and audited), 10 %
// STOW-RS (one small instance from testdata/dicom per request, fresh Study/Series/SOP Instance
// UIDs). Run by load-test.sh (single-file source launch, PixelMed on the class path).
//
// Before the measurement: 10 projects, an annotator role, 200 patients each with a source
// document, 2,000 labels (transactions), then a warm-up of the same mix (not counted). Prints per
// kind: requests, requests/s, p50/p95/p99 ms and errors (any status other than the expected one,
// or a failed connection); the first failure of each kind is printed with its status and body.
//
// Usage: java -cp pixelmed.jar LoadTest.java <fhir-base> <dicomweb-base> <token> <clients> <seconds>
//        <warm-up-seconds> <dicom-dir>

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class LoadTest {

    static final String EXT = "https://quorum.dev/fhir/StructureDefinition/";
    static final String SCHEMA = "https://quorum.dev/fhir/CodeSystem/load-findings";
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern LOCATION = Pattern.compile("\"location\"\\s*:\\s*\"([A-Za-z]+/[^/\"]+)");
    static final String[] KINDS = {
        "read label by id", "search labels by subject", "search labels by code", "search labels by project",
        "write label", "STOW-RS 1 instance"
    };
    static final String[] SOURCES = {"pydicom/CT_small.dcm", "pydicom/MR_small.dcm", "pydicom/test-SR.dcm"};

    static HttpClient http;
    static String fhir;
    static String dicomweb;
    static String token;
    static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    static List<String> projects = new ArrayList<>();
    static String role;
    static List<String> patients = new ArrayList<>();
    static List<String> documents = new ArrayList<>();
    /** Recently written label ids, read back by the read kind. */
    static final AtomicReferenceArray<String> labels = new AtomicReferenceArray<>(4096);
    static final AtomicInteger labelCount = new AtomicInteger();
    static final AtomicInteger labelSerial = new AtomicInteger();
    static final Set<String> FAILURES = ConcurrentHashMap.newKeySet();
    static List<byte[]> sources = new ArrayList<>();

    /** Latencies and errors of one kind, per client thread (merged at the end). */
    static final class Stats {
        final List<Double> millis = new ArrayList<>();
        long errors;
    }

    public static void main(String[] args) throws Exception {
        fhir = args[0].replaceAll("/+$", "");
        dicomweb = args[1].replaceAll("/+$", "");
        token = args[2];
        int clients = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        Path dicom = Path.of(args[6]);
        for (String source : SOURCES) {
            sources.add(Files.readAllBytes(dicom.resolve(source)));
        }
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
        seed();
        System.out.printf("seeded: %d projects, %d patients with a source document, %d labels; %d clients, mix 70 %% "
                + "reads/searches (25 %% read by id, 25 %% by subject, 10 %% by code, 10 %% by project), 20 %% label "
                + "writes, 10 %% STOW-RS of one instance (%s with fresh UIDs)%n", projects.size(), patients.size(),
                labelCount.get(), clients, String.join(", ", SOURCES));
        run(clients, warmup);
        System.out.printf("warm-up: %d s%n", warmup);
        long start = System.nanoTime();
        List<Map<String, Stats>> perClient = run(clients, seconds);
        double elapsed = (System.nanoTime() - start) / 1e9;

        System.out.printf("%n| %-26s | %9s | %7s | %8s | %8s | %8s | %6s |%n", "kind (" + seconds + " s)", "requests",
                "req/s", "p50 ms", "p95 ms", "p99 ms", "errors");
        long total = 0;
        long errors = 0;
        List<Double> all = new ArrayList<>();
        for (String kind : KINDS) {
            List<Double> millis = new ArrayList<>();
            long kindErrors = 0;
            for (Map<String, Stats> c : perClient) {
                millis.addAll(c.get(kind).millis);
                kindErrors += c.get(kind).errors;
            }
            Collections.sort(millis);
            all.addAll(millis);
            total += millis.size();
            errors += kindErrors;
            System.out.printf("| %-26s | %9d | %7.1f | %8.1f | %8.1f | %8.1f | %6d |%n", kind, millis.size(),
                    millis.size() / elapsed, percentile(millis, 50), percentile(millis, 95), percentile(millis, 99),
                    kindErrors);
        }
        Collections.sort(all);
        System.out.printf("| %-26s | %9d | %7.1f | %8.1f | %8.1f | %8.1f | %6d |%n", "all", total, total / elapsed,
                percentile(all, 50), percentile(all, 95), percentile(all, 99), errors);
    }

    static List<Map<String, Stats>> run(int clients, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Map<String, Stats>> perClient = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread thread = new Thread(() -> {
                Map<String, Stats> stats = new LinkedHashMap<>();
                for (String kind : KINDS) {
                    stats.put(kind, new Stats());
                }
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    int draw = random.nextInt(100);
                    String kind = draw < 25 ? KINDS[0] : draw < 50 ? KINDS[1] : draw < 60 ? KINDS[2]
                            : draw < 70 ? KINDS[3] : draw < 90 ? KINDS[4] : KINDS[5];
                    Stats s = stats.get(kind);
                    long t = System.nanoTime();
                    String failure;
                    try {
                        failure = request(kind, random);
                    } catch (IOException | RuntimeException | com.pixelmed.dicom.DicomException e) {
                        failure = e.toString();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    s.millis.add((System.nanoTime() - t) / 1e6);
                    if (failure != null) {
                        s.errors++;
                        if (FAILURES.add(kind)) {
                            System.err.println(kind + " failed: " + failure);
                        }
                    }
                }
                perClient.add(stats);
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return perClient;
    }

    /** Sends one request of the kind; returns null when it succeeded, else what went wrong. */
    static String request(String kind, ThreadLocalRandom random)
            throws IOException, InterruptedException, com.pixelmed.dicom.DicomException {
        int patient = random.nextInt(patients.size());
        switch (kind) {
            case "read label by id" -> {
                String id = labels.get(random.nextInt(Math.min(labelCount.get(), labels.length())));
                return expect(send(get(fhir + "/" + id)), 200, "\"Observation\"");
            }
            case "search labels by subject" -> {
                return expect(send(get(fhir + "/Observation?subject=" + patients.get(patient) + "&_count=20")), 200,
                        "\"Bundle\"");
            }
            case "search labels by code" -> {
                return expect(send(get(fhir + "/Observation?code=" + enc(SCHEMA + "|finding-" + random.nextInt(20))
                        + "&_count=20")), 200, "\"Observation\"");
            }
            case "search labels by project" -> {
                return expect(send(get(fhir + "/Observation?project=" + projects.get(random.nextInt(projects.size()))
                        + "&status=preliminary&_count=20")), 200, "\"Observation\"");
            }
            case "write label" -> {
                HttpResponse<String> response = send(post(fhir + "/Observation", "application/fhir+json",
                        HttpRequest.BodyPublishers.ofString(label(labelSerial.getAndIncrement(), patient))));
                String failure = expect(response, 201, "\"Observation\"");
                if (failure == null) {
                    Matcher id = ID.matcher(response.body());
                    if (!id.find()) {
                        return "no id in the created label";
                    }
                    remember("Observation/" + id.group(1));
                }
                return failure;
            }
            default -> {
                String boundary = "load-" + UUID.randomUUID();
                byte[] instance = copy(sources.get(random.nextInt(sources.size())), "LOAD-" + RUN + "-" + patient);
                return expect(send(post(dicomweb + "/studies",
                        "multipart/related; type=\"application/dicom\"; boundary=" + boundary,
                        HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, instance)))
                        .header("Accept", "application/dicom+json")), 200, "00081199");
            }
        }
    }

    static void remember(String id) {
        int n = labelCount.getAndIncrement();
        labels.set(n % labels.length(), id);
    }

    static String expect(HttpResponse<String> response, int status, String content) {
        if (response.statusCode() != status || !response.body().contains(content)) {
            return "HTTP " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(500, response.body().length()));
        }
        return null;
    }

    // --- seed ----------------------------------------------------------------------------------

    static void seed() throws Exception {
        StringBuilder entries = new StringBuilder();
        for (int p = 0; p < 10; p++) {
            entries.append(entry("{\"resourceType\":\"ResearchStudy\",\"status\":\"active\",\"title\":\"Load project "
                    + p + "\"}", UUID.randomUUID().toString()));
        }
        String practitioner = UUID.randomUUID().toString();
        entries.append(entry("{\"resourceType\":\"Practitioner\",\"identifier\":[{\"system\":"
                + "\"https://quorum.dev/fhir/annotator-id\",\"value\":\"LOAD-" + RUN + "\"}]}", practitioner));
        entries.append(entry("{\"resourceType\":\"PractitionerRole\",\"practitioner\":{\"reference\":\"urn:uuid:"
                + practitioner + "\"}}", UUID.randomUUID().toString()));
        List<String> created = transaction(entries);
        projects.addAll(created.subList(0, 10));
        role = created.get(11);
        for (int from = 0; from < 200; from += 100) {
            StringBuilder batch = new StringBuilder();
            for (int p = from; p < from + 100; p++) {
                String patient = UUID.randomUUID().toString();
                batch.append(entry("{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
                        + "\"https://quorum.dev/fhir/pseudonym\",\"value\":\"LOAD-" + RUN + "-" + p + "\"}]}", patient));
                batch.append(entry("{\"resourceType\":\"DocumentReference\",\"status\":\"current\",\"subject\":"
                        + "{\"reference\":\"urn:uuid:" + patient + "\"},\"content\":[{\"attachment\":{\"contentType\":"
                        + "\"text/plain\",\"data\":\"SW1wcmVzc2lvbjogbm8gYWN1dGUgZmluZGluZy4=\"}}]}",
                        UUID.randomUUID().toString()));
            }
            List<String> ids = transaction(batch);
            for (int n = 0; n < ids.size(); n += 2) {
                patients.add(ids.get(n));
                documents.add(ids.get(n + 1));
            }
        }
        for (int b = 0; b < 20; b++) {
            StringBuilder batch = new StringBuilder();
            for (int n = 0; n < 100; n++) {
                int serial = labelSerial.getAndIncrement();
                batch.append(entry(label(serial, serial % patients.size()), UUID.randomUUID().toString()));
            }
            transaction(batch).forEach(LoadTest::remember);
        }
    }

    static String entry(String resource, String uuid) {
        String type = resource.substring(resource.indexOf(":\"") + 2, resource.indexOf("\"", resource.indexOf(":\"") + 2));
        return "{\"fullUrl\":\"urn:uuid:" + uuid + "\",\"resource\":" + resource + ",\"request\":{\"method\":\"POST\","
                + "\"url\":\"" + type + "\"}},";
    }

    static List<String> transaction(StringBuilder entries) throws Exception {
        String body = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + entries.substring(0, entries.length() - 1) + "]}";
        HttpResponse<String> response = send(post(fhir, "application/fhir+json", HttpRequest.BodyPublishers.ofString(body)));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("seed transaction answered " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(1000, response.body().length())));
        }
        List<String> ids = new ArrayList<>();
        Matcher m = LOCATION.matcher(response.body());
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    static String label(int serial, int patient) {
        return "{\"resourceType\":\"Observation\",\"meta\":{\"profile\":[\"" + EXT + "quorum-label\"]},"
                + "\"extension\":[{\"url\":\"" + EXT + "quorum-project\",\"valueReference\":{\"reference\":\""
                + projects.get(serial % projects.size()) + "\"}},"
                + "{\"url\":\"" + EXT + "quorum-confidence\",\"valueDecimal\":0." + (serial % 9 + 1) + "}],"
                + "\"identifier\":[{\"system\":\"urn:quorum:load\",\"value\":\"" + RUN + "-" + serial + "\"}],"
                + "\"status\":\"preliminary\","
                + "\"code\":{\"coding\":[{\"system\":\"" + SCHEMA + "\",\"version\":\"1.0.0\",\"code\":\"finding-"
                + (serial % 20) + "\"}]},"
                + "\"subject\":{\"reference\":\"" + patients.get(patient) + "\"},"
                + "\"performer\":[{\"reference\":\"" + role + "\"}],"
                + "\"method\":{\"coding\":[{\"system\":\"https://quorum.dev/fhir/CodeSystem/quorum-label-method\","
                + "\"code\":\"human\"}]},"
                + "\"derivedFrom\":[{\"reference\":\"" + documents.get(patient) + "\"}],"
                + "\"valueBoolean\":" + (serial % 3 == 0) + "}";
    }

    // --- HTTP ----------------------------------------------------------------------------------

    static HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/fhir+json").GET();
    }

    static HttpRequest.Builder post(String url, String contentType, HttpRequest.BodyPublisher body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .header("Accept", "application/fhir+json").POST(body);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
    }

    // --- DICOM ---------------------------------------------------------------------------------

    static String uid() {
        UUID u = UUID.randomUUID();
        byte[] bytes = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array();
        return "2.25." + new BigInteger(1, bytes);
    }

    static byte[] copy(byte[] source, String patient) throws IOException, com.pixelmed.dicom.DicomException {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(source))) {
            list.read(in);
        }
        String sop = uid();
        set(list, TagFromName.StudyInstanceUID, uid());
        set(list, TagFromName.SeriesInstanceUID, uid());
        set(list, TagFromName.SOPInstanceUID, sop);
        set(list, TagFromName.MediaStorageSOPInstanceUID, sop);
        set(list, TagFromName.PatientID, patient);
        String syntax = Attribute.getSingleStringValueOrNull(list, TagFromName.TransferSyntaxUID);
        list.removeMetaInformationHeaderAttributes();
        list.removeGroupLengthAttributes();
        com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(list, syntax, "QUORUMLOAD");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        list.write(out, syntax, true, true);
        return out.toByteArray();
    }

    static void set(AttributeList list, com.pixelmed.dicom.AttributeTag tag, String value)
            throws com.pixelmed.dicom.DicomException {
        Attribute attribute = list.get(tag);
        if (attribute == null) {
            attribute = com.pixelmed.dicom.AttributeFactory.newAttribute(tag);
            list.put(attribute);
        }
        attribute.removeValues();
        attribute.addValue(value);
    }

    static byte[] multipart(String boundary, byte[] part) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(part);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
