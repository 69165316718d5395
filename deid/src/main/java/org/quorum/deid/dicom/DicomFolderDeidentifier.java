package org.quorum.deid.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * De-identifies DICOM Part 10 files: one file, or a folder tree mirrored into another folder.
 * Instances the {@link BurnedInTextScreen} flags go, header-de-identified like the others, to
 * {@code quarantine/} under the output folder, listed with their reason in {@code
 * quarantine/reasons.tsv}; they are never written beside the de-identified ones. Files that are not
 * DICOM Part 10 (no {@code DICM} at byte 128) are skipped with a note.
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

    public DicomFolderDeidentifier(DicomDeidentifier deidentifier) {
        this.deidentifier = Objects.requireNonNull(deidentifier, "deidentifier");
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
        List<FileOutcome> outcomes = new ArrayList<>(paths.size());
        Map<String, Integer> totals = new TreeMap<>();
        List<String> reasons = new ArrayList<>();
        for (Path path : paths) {
            String relative = input.relativize(path).toString().replace('\\', '/');
            FileOutcome outcome =
                    deidentifyFile(
                            path,
                            relative,
                            output.resolve(relative),
                            output.resolve(QUARANTINE).resolve(relative));
            outcomes.add(outcome);
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
            Optional<String> broken = Part10Structure.problem(source);
            if (broken.isPresent()) {
                // PixelMed would read the part before the break and say nothing.
                return new FileOutcome(
                        relativePath,
                        Status.FAILED,
                        "unreadable DICOM: not a whole file, " + broken.get(),
                        Map.of());
            }
            AttributeList list = new AttributeList();
            list.setDecompressPixelData(false); // pixels pass through in their transfer syntax
            list.read(source.toFile());
            String transferSyntax = transferSyntax(list);
            Optional<String> reason = screen.quarantineReason(list);
            DicomDeidentifier.Result result = deidentifier.deidentify(list);
            Path destination = reason.isPresent() ? quarantineTarget : target;
            Files.createDirectories(destination.getParent());
            FileMetaInformation.addFileMetaInformation(list, transferSyntax, SOURCE_AE);
            list.write(destination.toFile(), transferSyntax, true, true);
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
