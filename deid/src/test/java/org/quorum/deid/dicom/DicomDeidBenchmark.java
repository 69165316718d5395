package org.quorum.deid.dicom;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.quorum.deid.dicom.DicomFolderDeidentifier.Status;
import org.quorum.deid.dicom.DicomFolderDeidentifier.Summary;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Files per second of DICOM de-identification against {@code gdcmanon} (Debian {@code
 * libgdcm-tools}) on the same files: the DICOM files of {@code testdata/deid-dicom} and {@code
 * testdata/dicom} that gdcmanon accepts, copied {@code copies} times into a temporary folder.
 *
 * <p>Per pass, interleaved: {@code gdcmanon -e} (its PS3.15 E.1.1 Basic Application Level
 * Confidentiality Profile de-identifier, with a throw-away self-signed certificate for the
 * Encrypted Attributes Sequence; wall time, one process for the whole tree), Quorum in-process with
 * one thread and with one per processor (one JVM, dictionaries loaded before), and Quorum's CLI
 * ({@code java [QUORUM_JAVA_OPTS] -jar quorum-server.jar deid dicom}, wall time, JVM start and
 * dictionary loading included) with {@code --threads 1} and with its default. One warm-up pass,
 * then the median of three. Run by {@code conformance/bench/deid-bench.sh}.
 *
 * <p>Usage: {@code DicomDeidBenchmark [shared-data-folder] [copies] [quorum-server.jar]} (default:
 * nearest {@code testdata}, 50 copies = 1,000 files, {@code server/target/quorum-server.jar} or
 * {@code target/quorum-server.jar}).
 */
public final class DicomDeidBenchmark {

    private static final String SECRET = "benchmark-secret-not-for-production";
    private static final int PASSES = 3;

    private DicomDeidBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path data = args.length > 0 ? Path.of(args[0]) : TestData.require();
        int copies = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path jar = args.length > 2 ? Path.of(args[2]) : defaultJar();
        Path work = Files.createTempDirectory("deid-dicom-bench");
        try {
            run(data, copies, jar, work);
        } finally {
            deleteTree(work);
        }
    }

    private static void run(Path data, int copies, Path jar, Path work) throws Exception {
        List<Path> sources = new ArrayList<>();
        for (String folder : List.of("deid-dicom", "dicom")) {
            try (Stream<Path> walk = Files.walk(data.resolve(folder))) {
                for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                    if (DicomFolderDeidentifier.isPart10(file)) {
                        sources.add(file);
                    }
                }
            }
        }
        // Both tools must run on the same files: leave out those gdcmanon refuses (gdcm 3.0
        // knows no SR, segmentation, RWVM or annotation storage classes).
        Path key = work.resolve("gdcm-key.pem");
        Path certificate = work.resolve("gdcm-cert.pem");
        wallSeconds(
                List.of(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        key.toString(),
                        "-out",
                        certificate.toString(),
                        "-subj",
                        "/CN=quorum-benchmark",
                        "-days",
                        "1"),
                Map.of());
        List<Path> refused = new ArrayList<>();
        for (Path source : sources) {
            Path probe = work.resolve("probe.dcm");
            List<String> command =
                    List.of(
                            "gdcmanon",
                            "-e",
                            "-c",
                            certificate.toString(),
                            "-i",
                            source.toString(),
                            "-o",
                            probe.toString());
            if (exitCode(command) != 0) {
                refused.add(source);
            }
            Files.deleteIfExists(probe);
        }
        sources.removeAll(refused);
        System.out.printf(
                Locale.ROOT,
                "gdcmanon refuses %d of the shared DICOM files (%s): left out for both tools%n",
                refused.size(),
                String.join(
                        ", ", refused.stream().map(p -> data.relativize(p).toString()).toList()));
        Path in = work.resolve("in");
        long bytes = 0;
        for (int copy = 0; copy < copies; copy++) {
            for (int i = 0; i < sources.size(); i++) {
                Path target = in.resolve(String.format(Locale.ROOT, "copy%02d/f%03d.dcm", copy, i));
                Files.createDirectories(target.getParent());
                Files.copy(sources.get(i), target);
                bytes += Files.size(target);
            }
        }
        int files = sources.size() * copies;
        System.out.printf(
                Locale.ROOT,
                "Corpus: %d DICOM files (%d shared files x %d copies), %.1f MB%n",
                files,
                sources.size(),
                copies,
                bytes / 1e6);

        int cores = Runtime.getRuntime().availableProcessors();
        long loadStart = System.nanoTime();
        PhiLexicon lexicon = PhiLexicon.standard();
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        DicomDeidentifier deidentifier =
                new DicomDeidentifier(
                        new DeidKeyService(SECRET.getBytes(StandardCharsets.UTF_8)),
                        () -> lexicon,
                        DatePolicy.DATE_SHIFT,
                        Clock.systemUTC());
        DicomFolderDeidentifier oneThread = new DicomFolderDeidentifier(deidentifier, 1);
        DicomFolderDeidentifier allCores = new DicomFolderDeidentifier(deidentifier, cores);
        boolean withCli = jar != null && Files.isRegularFile(jar);
        List<String> cli = new ArrayList<>();
        cli.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String javaOptions = System.getenv().getOrDefault("QUORUM_JAVA_OPTS", "").strip();
        if (!javaOptions.isEmpty()) {
            cli.addAll(List.of(javaOptions.split("\\s+")));
        }
        if (withCli) {
            cli.addAll(List.of("-jar", jar.toString(), "deid", "dicom", "--policy", "date-shift"));
        }
        List<String> gdcmanon =
                List.of("gdcmanon", "-e", "--continue", "-r", "-c", certificate.toString());

        // Pass 0 is the warm-up (page cache, JIT, the dictionaries in-process): not counted. Then
        // every tool once per pass, interleaved, so that the machine's load hits them alike.
        String[] names = {
            "gdcmanon -e (1 process)",
            "Quorum in-process, 1 thread",
            "Quorum in-process, " + cores + " threads",
            "Quorum CLI, --threads 1 (wall, JVM start included)",
            "Quorum CLI, " + cores + " threads (wall, JVM start included)"
        };
        double[][] seconds = new double[names.length][PASSES];
        Summary summary = null;
        for (int pass = 0; pass <= PASSES; pass++) {
            Path out = work.resolve("out-" + pass);
            double[] times = new double[names.length];
            times[0] =
                    wallSeconds(
                            concat(
                                    gdcmanon,
                                    "-i",
                                    in.toString(),
                                    "-o",
                                    out.resolve("g").toString()),
                            Map.of());
            summary = oneThread.deidentifyFolder(in, out.resolve("q1"));
            times[1] = summary.nanos() / 1e9;
            times[2] = allCores.deidentifyFolder(in, out.resolve("qn")).nanos() / 1e9;
            if (withCli) {
                times[3] =
                        wallSeconds(
                                concat(
                                        cli,
                                        "--threads",
                                        "1",
                                        "--in",
                                        in.toString(),
                                        "--out",
                                        out.resolve("c1").toString()),
                                Map.of(DeidKeyService.SECRET_ENV, SECRET));
                times[4] =
                        wallSeconds(
                                concat(
                                        cli,
                                        "--in",
                                        in.toString(),
                                        "--out",
                                        out.resolve("cn").toString()),
                                Map.of(DeidKeyService.SECRET_ENV, SECRET));
            }
            if (pass > 0) {
                for (int tool = 0; tool < names.length; tool++) {
                    seconds[tool][pass - 1] = times[tool];
                }
            }
            deleteTree(out);
        }
        System.out.printf(
                Locale.ROOT,
                "Quorum: %d de-identified, %d quarantined, %d failed per pass; dictionary load"
                        + " in-process %.2f s (before the warm-up, not counted)%n%n",
                summary.count(Status.DEIDENTIFIED),
                summary.count(Status.QUARANTINED),
                summary.count(Status.FAILED),
                loadSeconds);
        double gdcm = median(seconds[0]);
        System.out.println(
                "| tool | files/s (median of "
                        + PASSES
                        + ") | seconds per pass | ratio to gdcmanon |");
        System.out.println("|---|---:|---|---:|");
        for (int tool = 0; tool < names.length; tool++) {
            if (tool >= 3 && !withCli) {
                continue;
            }
            double median = median(seconds[tool]);
            StringBuilder each = new StringBuilder();
            for (double value : seconds[tool]) {
                each.append(each.length() == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%.2f", value));
            }
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.1f | %s | %.2f |%n",
                    names[tool],
                    files / median,
                    each,
                    gdcm / median);
        }
        if (!withCli) {
            System.out.println("(CLI skipped: no quorum-server.jar; run ./quorum build)");
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static double wallSeconds(List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process process = builder.start();
        int exit = process.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (exit != 0) {
            throw new IllegalStateException(command.get(0) + " exited " + exit);
        }
        return seconds;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static int exitCode(List<String> command) throws IOException, InterruptedException {
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }

    private static Path defaultJar() {
        for (Path candidate :
                List.of(
                        Path.of("server/target/quorum-server.jar"),
                        Path.of("target/quorum-server.jar"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
