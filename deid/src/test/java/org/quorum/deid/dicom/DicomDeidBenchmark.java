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
 * <p>Three figures: Quorum in-process (one JVM, after a warm-up pass, median of three passes,
 * dictionary loading timed apart), Quorum's CLI ({@code java -jar quorum-server.jar deid dicom},
 * wall time, JVM start included) and {@code gdcmanon -e} (its PS3.15 E.1.1 Basic Application Level
 * Confidentiality Profile de-identifier, with a throw-away self-signed certificate for the
 * Encrypted Attributes Sequence), wall time, one process for the whole tree, median of three runs.
 *
 * <p>Usage: {@code DicomDeidBenchmark [shared-data-folder] [copies] [quorum-server.jar]} (default:
 * nearest {@code testdata}, 15 copies, {@code server/target/quorum-server.jar} or {@code
 * target/quorum-server.jar}).
 */
public final class DicomDeidBenchmark {

    private static final String SECRET = "benchmark-secret-not-for-production";
    private static final int PASSES = 3;

    private DicomDeidBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path data = args.length > 0 ? Path.of(args[0]) : TestData.require();
        int copies = args.length > 1 ? Integer.parseInt(args[1]) : 15;
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

        long loadStart = System.nanoTime();
        PhiLexicon lexicon = PhiLexicon.standard();
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        DicomFolderDeidentifier quorum =
                new DicomFolderDeidentifier(
                        new DicomDeidentifier(
                                new DeidKeyService(SECRET.getBytes(StandardCharsets.UTF_8)),
                                () -> lexicon,
                                DatePolicy.DATE_SHIFT,
                                Clock.systemUTC()));
        quorum.deidentifyFolder(in.resolve("copy00"), work.resolve("warm-up"));
        // The median of three timed passes: the machine is shared, single runs wander.
        Summary summary = null;
        double[] passes = new double[PASSES];
        for (int pass = 0; pass < PASSES; pass++) {
            summary = quorum.deidentifyFolder(in, work.resolve("out-quorum-" + pass));
            passes[pass] = summary.nanos() / 1e9;
        }
        double inProcess = median(passes);
        System.out.printf(
                Locale.ROOT,
                "Quorum in-process: %d files in %.2f s = %.1f files/s (%d de-identified, %d"
                        + " quarantined, %d failed; dictionary load %.2f s not counted)%n",
                files,
                inProcess,
                files / inProcess,
                summary.count(Status.DEIDENTIFIED),
                summary.count(Status.QUARANTINED),
                summary.count(Status.FAILED),
                loadSeconds);

        Double cli = null;
        if (jar != null && Files.isRegularFile(jar)) {
            cli =
                    wallSeconds(
                            List.of(
                                    Path.of(System.getProperty("java.home"), "bin", "java")
                                            .toString(),
                                    "-jar",
                                    jar.toString(),
                                    "deid",
                                    "dicom",
                                    "--in",
                                    in.toString(),
                                    "--out",
                                    work.resolve("out-cli").toString(),
                                    "--policy",
                                    "date-shift"),
                            Map.of(DeidKeyService.SECRET_ENV, SECRET));
            System.out.printf(
                    Locale.ROOT,
                    "Quorum CLI (quorum deid dicom, wall time incl. JVM start): %.2f s = %.1f"
                            + " files/s%n",
                    cli,
                    files / cli);
        } else {
            System.out.println("Quorum CLI: skipped (no quorum-server.jar; run ./quorum build)");
        }

        double[] gdcmPasses = new double[PASSES];
        for (int pass = 0; pass < PASSES; pass++) {
            gdcmPasses[pass] =
                    wallSeconds(
                            List.of(
                                    "gdcmanon",
                                    "-e",
                                    "--continue",
                                    "-r",
                                    "-c",
                                    certificate.toString(),
                                    "-i",
                                    in.toString(),
                                    "-o",
                                    work.resolve("out-gdcm-" + pass).toString()),
                            Map.of());
        }
        double gdcm = median(gdcmPasses);
        long gdcmFiles;
        try (Stream<Path> walk = Files.walk(work.resolve("out-gdcm-0"))) {
            gdcmFiles = walk.filter(Files::isRegularFile).count();
        }
        System.out.printf(
                Locale.ROOT,
                "gdcmanon -e (PS3.15 E.1.1 basic profile, wall time): %.2f s = %.1f files/s (%d"
                        + " files written)%n",
                gdcm,
                files / gdcm,
                gdcmFiles);
        System.out.printf(
                Locale.ROOT,
                "Ratio files/s Quorum in-process / gdcmanon: %.2f%n",
                (files / inProcess) / (files / gdcm));
        if (cli != null) {
            System.out.printf(
                    Locale.ROOT,
                    "Ratio files/s Quorum CLI / gdcmanon: %.2f%n",
                    (files / cli) / (files / gdcm));
        }
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
