// DICOMweb benchmark: the same kind of instances STOWed to two DICOMweb servers, then the same QIDO
// queries and WADO retrieves against each, interleaved pass by pass. Run by dicomweb-bench.sh
// (single-file source launch, PixelMed on the class path).
//
// Per pass and server: STOW-RS instances/s with 1, 4 and 16 concurrent clients, once with one
// instance per request (as modalities and gateways send them) and once with one study (10
// instances) per request; QIDO-RS p50/p95; WADO-RS study retrieve MB/s with 4 clients; and, when
// the servers' process ids are given (-Dpid.<name>=<pid>), the CPU time each server spent per
// STOWed instance, counted until the process is quiet again (so work done after the answer, such
// as Quorum's ImagingStudy mirror and audit writer, counts). CPU time is the figure least disturbed
// by other load on a shared machine. Every STOW measurement stores fresh UIDs. After a warm-up pass (not reported), the median of the passes is
// printed per server with the ratio first/second.
//
// Usage: java -cp pixelmed.jar DicomWebBench.java <studies> <queries> <passes> <name>=<url>[|<bearer>] ...

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

public class DicomWebBench {

    static final String[] SOURCES = {
        "pydicom/CT_small.dcm", "pydicom/MR_small.dcm", "pydicom/test-SR.dcm", "pydicom/reportsi.dcm",
        "highdicom/dx_image.dcm", "highdicom/sr_document.dcm", "highdicom/seg_image_ct_binary.dcm",
        "dcmqi/ct-3slice/01.dcm", "dcmqi/ct-3slice/02.dcm", "dcmqi/ct-3slice/03.dcm"
    };

    static final int[] CLIENTS = {1, 4, 16};

    record Server(String name, URI root, String token) {}

    record Study(String uid, String patientId, List<byte[]> files) {}

    static List<byte[]> sources = new ArrayList<>();
    static HttpClient client;

    public static void main(String[] args) throws Exception {
        int studies = Integer.parseInt(args[0]);
        int queries = Integer.parseInt(args[1]);
        int passes = Integer.parseInt(args[2]);
        Path data = Path.of(System.getProperty("dicom.data", "testdata/dicom"));
        List<Server> servers = new ArrayList<>();
        for (String spec : Arrays.copyOfRange(args, 3, args.length)) {
            String[] nameRest = spec.split("=", 2);
            String[] urlToken = nameRest[1].split("\\|", 2);
            servers.add(new Server(nameRest[0], URI.create(urlToken[0]), urlToken.length > 1 ? urlToken[1] : null));
        }
        for (String source : SOURCES) {
            sources.add(Files.readAllBytes(data.resolve(source)));
        }
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
        int instances = studies * SOURCES.length;
        System.out.printf("per measurement: %d studies, %d instances (%d shared files with fresh UIDs);"
                + " %d QIDO queries; WADO retrieves every study of the last set with 4 clients;"
                + " 1 warm-up pass + %d measured passes, servers interleaved%n",
                studies, instances, SOURCES.length, queries, passes);

        // metric name -> per server -> values over passes
        Map<String, List<List<Double>>> results = new LinkedHashMap<>();
        for (int pass = 0; pass <= passes; pass++) {
            boolean warmup = pass == 0;
            for (int k = 0; k < servers.size(); k++) {
                // Alternate the order so neither server always runs first.
                int i = (pass % 2 == 0) ? k : servers.size() - 1 - k;
                Server server = servers.get(i);
                Map<String, Double> m = runPass(server, studies, queries, pass);
                System.out.printf("%s pass %d %s: %s%n", warmup ? "warm-up" : "measured", pass, server.name(), m);
                if (warmup) {
                    continue;
                }
                for (Map.Entry<String, Double> e : m.entrySet()) {
                    List<List<Double>> perServer = results.computeIfAbsent(e.getKey(), x -> {
                        List<List<Double>> l = new ArrayList<>();
                        for (int s = 0; s < servers.size(); s++) {
                            l.add(new ArrayList<>());
                        }
                        return l;
                    });
                    perServer.get(i).add(e.getValue());
                }
            }
        }
        System.out.println();
        StringBuilder header = new StringBuilder(String.format("| %-34s", "median of " + passes + " passes"));
        for (Server s : servers) {
            header.append(String.format(" | %10s", s.name()));
        }
        if (servers.size() == 2) {
            header.append(String.format(" | %s/%s", servers.get(0).name(), servers.get(1).name()));
        }
        System.out.println(header + " |");
        for (Map.Entry<String, List<List<Double>>> e : results.entrySet()) {
            StringBuilder row = new StringBuilder(String.format("| %-34s", e.getKey()));
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

    static Map<String, Double> runPass(Server server, int studies, int queries, int pass) throws Exception {
        Map<String, Double> m = new LinkedHashMap<>();
        Map<String, Double> cpu = new LinkedHashMap<>();
        List<Study> last = null;
        for (boolean perStudy : new boolean[] {false, true}) {
            for (int clients : CLIENTS) {
                List<Study> set = studies(studies, "P" + pass + (perStudy ? "S" : "I") + clients);
                List<byte[]> bodies = new ArrayList<>();
                List<String> boundaries = new ArrayList<>();
                for (Study study : set) {
                    if (perStudy) {
                        String b = "bench-" + UUID.randomUUID();
                        boundaries.add(b);
                        bodies.add(multipart(b, study.files()));
                    } else {
                        for (byte[] f : study.files()) {
                            String b = "bench-" + UUID.randomUUID();
                            boundaries.add(b);
                            bodies.add(multipart(b, List.of(f)));
                        }
                    }
                }
                String pid = System.getProperty("pid." + server.name());
                quiet(pid);
                long cpuBefore = cpuTicks(pid);
                long start = System.nanoTime();
                parallel(clients, bodies.size(), n -> stow(server, bodies.get(n), boundaries.get(n)));
                double seconds = (System.nanoTime() - start) / 1e9;
                String mode = (perStudy ? "10/request" : "1/request") + ", " + clients + " client" + (clients > 1 ? "s" : "");
                m.put("STOW inst/s " + mode, studies * SOURCES.length / seconds);
                if (pid != null) {
                    // The server's CPU time for these instances, including the work it does after
                    // answering (index, mirrors, audit): counted until the process is quiet again.
                    quiet(pid);
                    cpu.put("STOW CPU ms/inst " + mode,
                            (cpuTicks(pid) - cpuBefore) * 1000.0 / TICKS / (studies * SOURCES.length));
                }
                last = set;
            }
        }
        List<Study> set = last;
        Random random = new Random(42 + pass);
        double[] latencies = new double[queries];
        for (int q = 0; q < queries; q++) {
            Study study = set.get(random.nextInt(set.size()));
            String query = switch (q % 3) {
                case 0 -> "studies?PatientID=" + study.patientId();
                case 1 -> "studies?StudyInstanceUID=" + study.uid();
                default -> "studies/" + study.uid() + "/instances?Modality=CT";
            };
            long t = System.nanoTime();
            HttpResponse<String> response = client.send(
                    request(server, query).header("Accept", "application/dicom+json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            latencies[q] = (System.nanoTime() - t) / 1e6;
            if (response.statusCode() != 200 || !response.body().contains(study.uid())) {
                throw new IllegalStateException(server.name() + " QIDO " + query + " answered " + response.statusCode());
            }
        }
        Arrays.sort(latencies);
        m.put("QIDO p50 ms", percentile(latencies, 50));
        m.put("QIDO p95 ms", percentile(latencies, 95));

        long[] bytes = new long[1];
        long start = System.nanoTime();
        parallel(4, set.size(), n -> {
            HttpResponse<InputStream> response = client.send(
                    request(server, "studies/" + set.get(n).uid())
                            .header("Accept", "multipart/related; type=\"application/dicom\"").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long read = 0;
            try (InputStream in = response.body()) {
                byte[] buffer = new byte[65536];
                for (int r; (r = in.read(buffer)) > 0; ) {
                    read += r;
                }
            }
            if (response.statusCode() != 200 || read < 100_000) {
                throw new IllegalStateException(server.name() + " WADO answered " + response.statusCode() + ", " + read + " bytes");
            }
            synchronized (bytes) {
                bytes[0] += read;
            }
        });
        m.put("WADO study MB/s, 4 clients", bytes[0] / 1e6 / ((System.nanoTime() - start) / 1e9));
        m.putAll(cpu);
        return m;
    }

    /** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
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

    static List<Study> studies(int count, String tag) throws Exception {
        List<Study> set = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            String study = uid();
            String patient = "BENCH-" + tag + "-" + s;
            List<byte[]> files = new ArrayList<>();
            String series = uid();
            for (byte[] source : sources) {
                files.add(copy(source, study, series, patient));
            }
            set.add(new Study(study, patient, files));
        }
        return set;
    }

    static void stow(Server server, byte[] body, String boundary) throws Exception {
        HttpResponse<String> response = client.send(
                request(server, "studies")
                        .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                        .header("Accept", "application/dicom+json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(server.name() + " STOW answered " + response.statusCode() + ": " + response.body());
        }
    }

    static HttpRequest.Builder request(Server server, String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.root().resolve(path)).timeout(Duration.ofSeconds(300));
        if (server.token() != null) {
            builder.header("Authorization", "Bearer " + server.token());
        }
        return builder;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double percentile(double[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
    }

    static String uid() {
        UUID u = UUID.randomUUID();
        byte[] bytes = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
        return "2.25." + new BigInteger(1, bytes);
    }

    static byte[] copy(byte[] source, String study, String series, String patient) throws Exception {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(source))) {
            list.read(in);
        }
        String sop = uid();
        set(list, TagFromName.StudyInstanceUID, study);
        set(list, TagFromName.SeriesInstanceUID, uid());
        set(list, TagFromName.SOPInstanceUID, sop);
        set(list, TagFromName.MediaStorageSOPInstanceUID, sop);
        set(list, TagFromName.PatientID, patient);
        // A fresh meta header: the copied one's group length no longer fits the new UIDs.
        String syntax = Attribute.getSingleStringValueOrNull(list, TagFromName.TransferSyntaxUID);
        list.removeMetaInformationHeaderAttributes();
        list.removeGroupLengthAttributes();
        com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(list, syntax, "QUORUMBENCH");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        list.write(out, syntax, true, true);
        return out.toByteArray();
    }

    static void set(AttributeList list, com.pixelmed.dicom.AttributeTag tag, String value) throws Exception {
        Attribute attribute = list.get(tag);
        if (attribute == null) {
            attribute = com.pixelmed.dicom.AttributeFactory.newAttribute(tag);
            list.put(attribute);
        }
        attribute.removeValues();
        attribute.addValue(value);
    }

    static byte[] multipart(String boundary, List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(part);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
