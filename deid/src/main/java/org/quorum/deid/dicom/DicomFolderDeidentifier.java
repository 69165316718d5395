package org.quorum.deid.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * De-identifies DICOM Part 10 files: one file, or a folder tree mirrored into another folder.
 * Instances the {@link BurnedInTextScreen} flags go, header-de-identified like the others, to
 * {@code quarantine/} under the output folder, listed with their reason in {@code
 * quarantine/reasons.tsv}; they are never written beside the de-identified ones. Files that are not
 * DICOM Part 10 (no {@code DICM} at byte 128) are skipped with a note.
 *
 * <p>Pixel data is not held in memory when it ends the file (the usual layout): the header is read
 * up to Pixel Data, de-identified and written, and the pixel bytes are copied from the input file
 * as they are (the transfer syntax does not change, so neither do they). Files with elements after
 * Pixel Data, or deflated ones, are read and written whole. A folder is processed by several
 * threads when asked; the outcomes are in the order of the files' paths either way.
 */
public final class DicomFolderDeidentifier {

    /** Folder under the output folder that holds quarantined instances. */
    public static final String QUARANTINE = "quarantine";

    /** Tab-separated list of quarantined files: relative path, reason. */
    public static final String REASONS = "reasons.tsv";

    /** Source AE title written into the new File Meta Information. */
    public static final String SOURCE_AE = "QUORUM";

    /** What happened to one file. */
    public enum Status {
        DEIDENTIFIED,
        QUARANTINED,
        SKIPPED,
        FAILED
    }

    /**
     * @param relativePath the file's path under the input folder
     * @param note the quarantine reason, or why it was skipped or failed (never file content)
     */
    public record FileOutcome(
            String relativePath, Status status, String note, Map<String, Integer> counts) {}

    /** A folder run: every file's outcome and the totals per category. */
    public record Summary(List<FileOutcome> files, Map<String, Integer> totals, long nanos) {
        public long count(Status status) {
            return files.stream().filter(f -> f.status() == status).count();
        }
    }

    private final DicomDeidentifier deidentifier;
    private final BurnedInTextScreen screen = new BurnedInTextScreen();
    private final int threads;

    /** One thread: files are de-identified one after the other. */
    public DicomFolderDeidentifier(DicomDeidentifier deidentifier) {
        this(deidentifier, 1);
    }

    /**
     * @param threads how many files of a folder are de-identified at once (at least 1)
     */
    public DicomFolderDeidentifier(DicomDeidentifier deidentifier, int threads) {
        this.deidentifier = Objects.requireNonNull(deidentifier, "deidentifier");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        this.threads = threads;
    }

    /**
     * De-identifies every file under {@code in} into {@code out}, mirroring relative paths.
     *
     * @throws IllegalArgumentException if {@code out} is {@code in} or inside it
     * @throws UncheckedIOException if the folders cannot be walked or written
     */
    public Summary deidentifyFolder(Path in, Path out) {
        Path input = in.toAbsolutePath().normalize();
        Path output = out.toAbsolutePath().normalize();
        if (output.startsWith(input)) {
            throw new IllegalArgumentException(
                    "The output folder must not be the input folder or inside it.");
        }
        long started = System.nanoTime();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(input)) {
            paths = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot walk the input folder", e);
        }
        List<FileOutcome> outcomes = deidentifyAll(paths, input, output);
        Map<String, Integer> totals = new TreeMap<>();
        List<String> reasons = new ArrayList<>();
        for (FileOutcome outcome : outcomes) {
            String relative = outcome.relativePath();
            outcome.counts().forEach((k, v) -> totals.merge(k, v, Integer::sum));
            if (outcome.status() == Status.QUARANTINED) {
                reasons.add(relative + "\t" + outcome.note());
            }
        }
        if (!reasons.isEmpty()) {
            try {
                Path file = output.resolve(QUARANTINE).resolve(REASONS);
                Files.createDirectories(file.getParent());
                List<String> lines = new ArrayList<>();
                lines.add("file\treason");
                lines.addAll(reasons);
                Files.write(file, lines, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write the quarantine reasons", e);
            }
        }
        return new Summary(
                List.copyOf(outcomes),
                Collections.unmodifiableMap(totals),
                System.nanoTime() - started);
    }

    private List<FileOutcome> deidentifyAll(List<Path> paths, Path input, Path output) {
        if (threads == 1 || paths.size() < 2) {
            List<FileOutcome> outcomes = new ArrayList<>(paths.size());
            for (Path path : paths) {
                outcomes.add(deidentifyUnder(path, input, output));
            }
            return outcomes;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, paths.size()));
        try {
            List<Future<FileOutcome>> futures = new ArrayList<>(paths.size());
            for (Path path : paths) {
                futures.add(pool.submit(() -> deidentifyUnder(path, input, output)));
            }
            List<FileOutcome> outcomes = new ArrayList<>(paths.size());
            for (Future<FileOutcome> future : futures) {
                outcomes.add(future.get());
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while de-identifying a folder", e);
        } catch (ExecutionException e) {
            // deidentifyFile turns every problem with a file into a FAILED outcome; what gets
            // here is an Error (out of memory) or a bug, and must not be taken for a result.
            throw new IllegalStateException("De-identification of a file broke", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private FileOutcome deidentifyUnder(Path path, Path input, Path output) {
        String relative = input.relativize(path).toString().replace('\\', '/');
        return deidentifyFile(
                path,
                relative,
                output.resolve(relative),
                output.resolve(QUARANTINE).resolve(relative));
    }

    /**
     * De-identifies one file to {@code target}, or to {@code quarantineTarget} if its pixels may
     * carry text.
     */
    public FileOutcome deidentifyFile(
            Path source, String relativePath, Path target, Path quarantineTarget) {
        try {
            if (!isPart10(source)) {
                return new FileOutcome(
                        relativePath, Status.SKIPPED, "not a DICOM Part 10 file", Map.of());
            }
            Part10Structure.Layout layout = Part10Structure.inspect(source);
            Optional<String> broken = layout.problem();
            if (broken.isPresent()) {
                // PixelMed would read the part before the break and say nothing.
                return new FileOutcome(
                        relativePath,
                        Status.FAILED,
                        "unreadable DICOM: not a whole file, " + broken.get(),
                        Map.of());
            }
            long pixelData = layout.pixelDataOffset();
            AttributeList list = new AttributeList();
            list.setDecompressPixelData(false); // pixels pass through in their transfer syntax
            if (pixelData < 0) {
                list.read(source.toFile());
            } else {
                readHeader(source, pixelData, list);
            }
            String transferSyntax = transferSyntax(list);
            Optional<String> reason = screen.quarantineReason(list, pixelData >= 0);
            DicomDeidentifier.Result result = deidentifier.deidentify(list);
            Path destination = reason.isPresent() ? quarantineTarget : target;
            Files.createDirectories(destination.getParent());
            FileMetaInformation.addFileMetaInformation(list, transferSyntax, SOURCE_AE);
            if (pixelData < 0) {
                list.write(destination.toFile(), transferSyntax, true, true);
            } else {
                writeWithPixelData(list, transferSyntax, source, pixelData, destination);
            }
            return reason.map(
                            r ->
                                    new FileOutcome(
                                            relativePath, Status.QUARANTINED, r, result.counts()))
                    .orElseGet(
                            () ->
                                    new FileOutcome(
                                            relativePath,
                                            Status.DEIDENTIFIED,
                                            "",
                                            result.counts()));
        } catch (DicomException e) {
            // PixelMed's messages can quote attribute values: report only the kind of problem.
            return new FileOutcome(
                    relativePath, Status.FAILED, "unreadable DICOM (DicomException)", Map.of());
        } catch (IOException e) {
            return new FileOutcome(
                    relativePath,
                    Status.FAILED,
                    "I/O error (" + e.getClass().getSimpleName() + ")",
                    Map.of());
        } catch (RuntimeException e) {
            // PixelMed throws unchecked exceptions on some malformed input.
            return new FileOutcome(
                    relativePath,
                    Status.FAILED,
                    "unreadable DICOM (" + e.getClass().getSimpleName() + ")",
                    Map.of());
        }
    }

    // The header is exactly the bytes before the Pixel Data element: PixelMed reads to their end.
    private static void readHeader(Path source, long pixelData, AttributeList list)
            throws IOException, DicomException {
        try (InputStream file = Files.newInputStream(source);
                InputStream header = new BufferedInputStream(new Bounded(file, pixelData), 65536)) {
            list.read(new DicomInputStream(header), TagFromName.PixelData);
        }
    }

    // The de-identified header, then the Pixel Data element copied byte for byte from the input
    // (tag, VR, length and value, or the fragments of encapsulated data) by the kernel.
    private static void writeWithPixelData(
            AttributeList list,
            String transferSyntax,
            Path source,
            long pixelData,
            Path destination)
            throws IOException, DicomException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel out =
                        FileChannel.open(
                                destination,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.TRUNCATE_EXISTING,
                                StandardOpenOption.WRITE)) {
            OutputStream header = new BufferedOutputStream(Channels.newOutputStream(out), 65536);
            // PixelMed closes the stream it writes to: keep the channel open for the pixels.
            list.write(new KeepOpen(header), transferSyntax, true, false, false);
            header.flush();
            long position = pixelData;
            long end = in.size();
            while (position < end) {
                position += in.transferTo(position, end - position, out);
            }
        }
    }

    /** Reads at most {@code limit} bytes of the stream it wraps. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** Flushes instead of closing. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    /** PS3.10 §7.1: a 128-byte preamble, then the four bytes {@code DICM}. */
    public static boolean isPart10(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(132);
            return head.length == 132
                    && head[128] == 'D'
                    && head[129] == 'I'
                    && head[130] == 'C'
                    && head[131] == 'M';
        }
    }

    private static String transferSyntax(AttributeList list) throws DicomException {
        Attribute attribute = list.get(TagFromName.TransferSyntaxUID);
        String uid = attribute == null ? "" : attribute.getSingleStringValueOrEmptyString().strip();
        if (uid.isEmpty()) {
            throw new DicomException("no transfer syntax");
        }
        return uid;
    }
}
