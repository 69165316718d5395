// DICOMweb benchmark: the same instances STOWed to two DICOMweb servers, then the same QIDO
// queries against each. Run by dicomweb-bench.sh (single-file source launch, PixelMed on the class
// path); prints STOW instances/s and QIDO p50/p95 per server and the ratio of the first to the second.
//
// Usage: java -cp pixelmed.jar DicomWebBench.java <studies> <queries> <name>=<url>[|<bearer>] ...

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.List;
import java.util.Random;
import java.util.UUID;

public class DicomWebBench {

    static final String[] SOURCES = {
        "pydicom/CT_small.dcm", "pydicom/MR_small.dcm", "pydicom/test-SR.dcm", "pydicom/reportsi.dcm",
        "highdicom/dx_image.dcm", "highdicom/sr_document.dcm", "highdicom/seg_image_ct_binary.dcm",
        "dcmqi/ct-3slice/01.dcm", "dcmqi/ct-3slice/02.dcm", "dcmqi/ct-3slice/03.dcm"
    };

    record Server(String name, URI root, String token) {}

    record Study(String uid, String patientId, List<byte[]> files) {}

    public static void main(String[] args) throws Exception {
        int studies = Integer.parseInt(args[0]);
        int queries = Integer.parseInt(args[1]);
        Path data = Path.of(System.getProperty("dicom.data", "testdata/dicom"));
        List<Server> servers = new ArrayList<>();
        for (String spec : Arrays.copyOfRange(args, 2, args.length)) {
            String[] nameRest = spec.split("=", 2);
            String[] urlToken = nameRest[1].split("\\|", 2);
            servers.add(new Server(nameRest[0], URI.create(urlToken[0]), urlToken.length > 1 ? urlToken[1] : null));
        }
        List<byte[]> sources = new ArrayList<>();
        for (String source : SOURCES) {
            sources.add(Files.readAllBytes(data.resolve(source)));
        }
        List<Study> set = new ArrayList<>();
        for (int s = 0; s < studies; s++) {
            String study = uid();
            String patient = "BENCH-" + s;
            List<byte[]> files = new ArrayList<>();
            String series = uid();
            for (byte[] source : sources) {
                files.add(copy(source, study, series, patient));
            }
            set.add(new Study(study, patient, files));
        }
        // Warm-up (not timed): a few studies and queries first, so both servers are measured in
        // steady state (the JVM's JIT, Orthanc's caches), not during start-up.
        int warmup = Math.max(1, studies / 10);
        List<Study> warm = new ArrayList<>();
        for (int s = 0; s < warmup; s++) {
            String study = uid();
            List<byte[]> files = new ArrayList<>();
            for (byte[] source : sources) {
                files.add(copy(source, study, uid(), "WARMUP-" + s));
            }
            warm.add(new Study(study, "WARMUP-" + s, files));
        }
        int instances = studies * SOURCES.length;
        System.out.printf("%d studies, %d instances (%d shared files with fresh UIDs), %d QIDO queries,"
                + " after a warm-up of %d studies%n", studies, instances, SOURCES.length, queries, warmup);

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        double[] stowRates = new double[servers.size()];
        double[][] qido = new double[servers.size()][];
        for (int i = 0; i < servers.size(); i++) {
            Server server = servers.get(i);
            stow(client, server, warm);
            for (Study study : warm) {
                client.send(request(server, "studies?PatientID=" + study.patientId()).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            long start = System.nanoTime();
            stow(client, server, set);
            double seconds = (System.nanoTime() - start) / 1e9;
            stowRates[i] = instances / seconds;

            Random random = new Random(42);
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
            qido[i] = latencies;
        }
        System.out.printf("%-10s %14s %12s %12s%n", "server", "STOW inst/s", "QIDO p50 ms", "QIDO p95 ms");
        for (int i = 0; i < servers.size(); i++) {
            System.out.printf("%-10s %14.1f %12.2f %12.2f%n", servers.get(i).name(), stowRates[i],
                    percentile(qido[i], 50), percentile(qido[i], 95));
        }
        if (servers.size() == 2) {
            System.out.printf("%-10s %14.2f %12.2f %12.2f%n", "ratio " + servers.get(0).name() + "/" + servers.get(1).name(),
                    stowRates[0] / stowRates[1],
                    percentile(qido[0], 50) / percentile(qido[1], 50),
                    percentile(qido[0], 95) / percentile(qido[1], 95));
        }
    }

    static void stow(HttpClient client, Server server, List<Study> studies) throws Exception {
        for (Study study : studies) {
            String boundary = "bench-" + UUID.randomUUID();
            HttpResponse<String> response = client.send(
                    request(server, "studies")
                            .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                            .header("Accept", "application/dicom+json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, study.files())))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(server.name() + " STOW answered " + response.statusCode() + ": " + response.body());
            }
        }
    }

    static HttpRequest.Builder request(Server server, String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.root().resolve(path)).timeout(Duration.ofSeconds(120));
        if (server.token() != null) {
            builder.header("Authorization", "Bearer " + server.token());
        }
        return builder;
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
