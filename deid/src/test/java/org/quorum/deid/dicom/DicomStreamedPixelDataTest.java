package org.quorum.deid.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.deid.dicom.DicomFolderDeidentifier.FileOutcome;
import org.quorum.deid.dicom.DicomFolderDeidentifier.Status;
import org.quorum.deid.dicom.DicomFolderDeidentifier.Summary;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * The folder de-identifier reads only the header of a file whose Pixel Data ends it and copies the
 * pixel bytes as they are, with several threads: its output must be what reading the whole instance
 * into memory, de-identifying and writing it gave before (the reference below is that code), byte
 * for byte, on every shared DICOM file (native, JPEG, implicit and explicit VR, SR, segmentations).
 */
class DicomStreamedPixelDataTest {

    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);
    private static final DeidKeyService KEYS =
            new DeidKeyService("stream-test-secret".getBytes(StandardCharsets.UTF_8));

    @TempDir static Path work;

    private static List<Path> inputs;
    private static Path input;
    private static Summary streamed;
    private static DicomDeidentifier deidentifier;

    @BeforeAll
    static void deidentifyTheSharedFilesWithTwoThreads() throws IOException {
        Path data = TestData.require();
        input = data;
        inputs = new ArrayList<>();
        for (String folder : List.of("deid-dicom", "dicom")) {
            try (Stream<Path> walk = Files.walk(data.resolve(folder))) {
                for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                    if (DicomFolderDeidentifier.isPart10(file)) {
                        inputs.add(file);
                    }
                }
            }
        }
        deidentifier =
                new DicomDeidentifier(KEYS, PhiLexicon::standard, DatePolicy.DATE_SHIFT, CLOCK);
        Path copy = work.resolve("in");
        for (Path file : inputs) {
            Path target = copy.resolve(data.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target);
        }
        streamed =
                new DicomFolderDeidentifier(deidentifier, 2)
                        .deidentifyFolder(copy, work.resolve("streamed"));
    }

    @Test
    void most_shared_files_take_the_header_only_path() throws IOException {
        long withTrailingPixelData = 0;
        for (Path file : inputs) {
            if (Part10Structure.inspect(file).pixelDataOffset() > 0) {
                withTrailingPixelData++;
            }
        }
        // Native and JPEG images and segmentations end with Pixel Data; SRs and RWVM have none,
        // three pydicom/highdicom images have Data Set Trailing Padding after it, and highdicom's
        // DX has an odd length (PixelMed pads it when it writes): those are read whole.
        assertThat(withTrailingPixelData).isEqualTo(16);
        assertThat(inputs).hasSizeGreaterThanOrEqualTo(27);
    }

    @Test
    void output_is_byte_for_byte_what_the_whole_instance_read_gives() throws Exception {
        assertThat(streamed.files()).hasSize(inputs.size());
        assertThat(streamed.count(Status.FAILED)).isZero();
        for (FileOutcome outcome : streamed.files()) {
            Path source = input.resolve(outcome.relativePath());
            Path written =
                    work.resolve("streamed")
                            .resolve(
                                    outcome.status() == Status.QUARANTINED
                                            ? DicomFolderDeidentifier.QUARANTINE
                                                    + "/"
                                                    + outcome.relativePath()
                                            : outcome.relativePath());
            Path reference = work.resolve("reference").resolve(outcome.relativePath());
            Optional<String> reason = wholeInstanceReference(source, reference);
            assertThat(reason.isPresent())
                    .as("quarantined: %s", outcome.relativePath())
                    .isEqualTo(outcome.status() == Status.QUARANTINED);
            byte[] expected = Files.readAllBytes(reference);
            byte[] actual = Files.readAllBytes(written);
            if (!Arrays.equals(expected, actual)) {
                // Say which attribute differs before failing on the bytes.
                assertThat(read(written).toString()).isEqualTo(read(reference).toString());
            }
            assertThat(Arrays.mismatch(expected, actual))
                    .as("first differing byte of %s", outcome.relativePath())
                    .isEqualTo(-1);
        }
    }

    @Test
    void pixel_data_is_copied_unchanged() throws Exception {
        Path image = input.resolve("dicom/dcmqi/ct-3slice/01.dcm");
        Path written = work.resolve("streamed/dicom/dcmqi/ct-3slice/01.dcm");
        assertThat(Part10Structure.inspect(image).pixelDataOffset()).isPositive();
        assertThat(Arrays.equals(pixels(written), pixels(image))).isTrue();
        assertThat(pixels(image)).hasSizeGreaterThan(1000);
        Path jpeg = input.resolve("deid-dicom/ctbrain1.dcm");
        Path quarantined = work.resolve("streamed/quarantine/deid-dicom/ctbrain1.dcm");
        assertThat(Files.size(quarantined)).isGreaterThan(1000);
        long fromPixels = Part10Structure.inspect(jpeg).pixelDataOffset();
        long inOutput = Part10Structure.inspect(quarantined).pixelDataOffset();
        byte[] original = Files.readAllBytes(jpeg);
        byte[] copied = Files.readAllBytes(quarantined);
        assertThat(Arrays.copyOfRange(copied, (int) inOutput, copied.length))
                .isEqualTo(Arrays.copyOfRange(original, (int) fromPixels, original.length));
    }

    @Test
    void images_without_free_text_never_load_the_dictionaries() throws IOException {
        DicomDeidentifier withoutDictionaries =
                new DicomDeidentifier(
                        KEYS,
                        () -> {
                            throw new AssertionError("the dictionaries were loaded");
                        },
                        DatePolicy.DATE_SHIFT,
                        CLOCK);
        Path images = work.resolve("images");
        for (String image :
                List.of(
                        "dicom/dcmqi/ct-3slice/01.dcm",
                        "dicom/highdicom/ct_image.dcm",
                        "dicom/pydicom/CT_small.dcm",
                        "deid-dicom/dicom-cookies/image1.dcm")) {
            Path target = images.resolve(image);
            Files.createDirectories(target.getParent());
            Files.copy(input.resolve(image), target);
        }
        Summary summary =
                new DicomFolderDeidentifier(withoutDictionaries, 2)
                        .deidentifyFolder(images, work.resolve("images-out"));
        assertThat(summary.count(Status.FAILED)).isZero();
        assertThat(summary.files()).hasSize(4);
    }

    // What DicomFolderDeidentifier.deidentifyFile did before Pixel Data was streamed.
    private static Optional<String> wholeInstanceReference(Path source, Path target)
            throws IOException, DicomException {
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        list.read(source.toFile());
        String transferSyntax =
                list.get(TagFromName.TransferSyntaxUID).getSingleStringValueOrEmptyString().strip();
        Optional<String> reason = new BurnedInTextScreen().quarantineReason(list);
        deidentifier.deidentify(list);
        Files.createDirectories(target.getParent());
        FileMetaInformation.addFileMetaInformation(
                list, transferSyntax, DicomFolderDeidentifier.SOURCE_AE);
        list.write(target.toFile(), transferSyntax, true, true);
        return reason;
    }

    private static AttributeList read(Path file) throws IOException, DicomException {
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        list.read(file.toFile());
        list.remove(TagFromName.PixelData);
        return list;
    }

    private static byte[] pixels(Path file) throws IOException, DicomException {
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        list.read(file.toFile());
        Attribute pixels = list.get(TagFromName.PixelData);
        // OW (implicit VR CT) as little-endian bytes, OB as they are.
        if (pixels instanceof com.pixelmed.dicom.OtherWordAttribute words) {
            short[] values = words.getShortValues();
            java.nio.ByteBuffer bytes =
                    java.nio.ByteBuffer.allocate(values.length * 2)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bytes.asShortBuffer().put(values);
            return bytes.array();
        }
        return pixels == null ? new byte[0] : pixels.getByteValues();
    }
}
