package org.quorum.deid.text;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.eval.SyntheaNotesCorpus;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * Throughput of detection and of full de-identification (surrogates, date shift) over the Synthea
 * notes, single-threaded: MB/s of UTF-8 text and notes/s, after one warm-up pass.
 *
 * <p>Usage: {@code TextDeidBenchmark [shared-data-folder] [passes]} (default: nearest {@code
 * testdata}, 5 passes).
 */
public final class TextDeidBenchmark {

    private TextDeidBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path data = args.length > 0 ? Path.of(args[0]) : TestData.require();
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> notes = SyntheaNotesCorpus.noteTexts(data.resolve("synthea-10pt"));
        long bytes = notes.stream().mapToLong(n -> n.getBytes(StandardCharsets.UTF_8).length).sum();

        long loadStart = System.nanoTime();
        PhiLexicon lexicon = PhiLexicon.standard();
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        PhiDetector detector = new PhiDetector(lexicon);
        DeidKeyService keys =
                new DeidKeyService(
                        "benchmark-secret-not-for-production".getBytes(StandardCharsets.UTF_8));
        TextDeidentifier deidentifier =
                new TextDeidentifier(
                        detector,
                        keys,
                        lexicon,
                        TextDeidentifier.Options.defaults().withDatePolicy(DatePolicy.DATE_SHIFT));
        KnownPhi patient = KnownPhi.builder().patientKey("benchmark-mrn").build();

        System.out.printf(Locale.ROOT, "Lexicon load: %.2f s%n", loadSeconds);
        System.out.printf(Locale.ROOT, "Corpus: %d notes, %.2f MB%n", notes.size(), bytes / 1e6);
        report(
                "detect",
                notes,
                bytes,
                passes,
                () -> {
                    long spans = 0;
                    for (String note : notes) {
                        spans += detector.detect(note).size();
                    }
                    return spans;
                });
        report(
                "de-identify (surrogates, date shift)",
                notes,
                bytes,
                passes,
                () -> {
                    long length = 0;
                    for (String note : notes) {
                        length += deidentifier.deidentify(note, patient).text().length();
                    }
                    return length;
                });
    }

    private interface Pass {
        long run();
    }

    private static void report(String what, List<String> notes, long bytes, int passes, Pass pass) {
        long sink = pass.run(); // warm-up: JIT, regex caches
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < passes; i++) {
            sink += pass.run();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // CPU time of this one thread: MB per CPU-second is the per-core figure, unlike wall time
        // not inflated by other processes on a shared machine.
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%-40s %7.2f MB/s wall %7.2f MB/s per CPU-second %9.0f notes/s   (%d passes, %.2f s"
                        + " wall, %.2f s CPU; checksum %d)%n",
                what,
                bytes * passes / 1e6 / seconds,
                bytes * passes / 1e6 / cpuSeconds,
                notes.size() * passes / seconds,
                passes,
                seconds,
                cpuSeconds,
                sink % 1000);
    }
}
