package org.quorum.testing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.quorum.deid.text.eval.TestData;

/** The shared DICOM test files, and copies of them with fresh UIDs and chosen attributes. */
public final class DicomFiles {

    public static final Path ROOT = TestData.require().resolve("dicom");

    private DicomFiles() {}

    public static Path file(String relative) {
        Path file = ROOT.resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("Test data missing: " + file);
        }
        return file;
    }

    public static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh {@code 2.25.} UID (PS3.5 §B.2). */
    public static String newUid() {
        UUID uuid = UUID.randomUUID();
        BigInteger value =
                new BigInteger(
                        1,
                        java.nio.ByteBuffer.allocate(16)
                                .putLong(uuid.getMostSignificantBits())
                                .putLong(uuid.getLeastSignificantBits())
                                .array());
        return "2.25." + value;
    }

    public static AttributeList read(byte[] part10) {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
            list.read(in);
        } catch (IOException | DicomException e) {
            throw new AssertionError("Not readable as DICOM", e);
        }
        return list;
    }

    /**
     * A copy of a shared file with new values (keywords → values; SOPInstanceUID also updates the
     * meta header), written as Part 10 in the file's own transfer syntax.
     */
    public static byte[] copy(String relative, Map<String, String> values) {
        AttributeList list = read(bytes(relative));
        try {
            for (Map.Entry<String, String> entry : values.entrySet()) {
                AttributeTag tag =
                        com.pixelmed.dicom.DicomDictionary.StandardDictionary.getTagFromName(
                                entry.getKey());
                Attribute attribute = list.get(tag);
                if (attribute == null) {
                    attribute = com.pixelmed.dicom.AttributeFactory.newAttribute(tag);
                    list.put(attribute);
                }
                attribute.removeValues();
                attribute.addValue(entry.getValue());
                if (tag.equals(TagFromName.SOPInstanceUID)) {
                    Attribute meta = list.get(TagFromName.MediaStorageSOPInstanceUID);
                    meta.removeValues();
                    meta.addValue(entry.getValue());
                }
            }
            String syntax =
                    Attribute.getSingleStringValueOrNull(list, TagFromName.TransferSyntaxUID);
            // A fresh meta header: the copied one's group length no longer fits new UIDs (dcmtk and
            // Orthanc then refuse the file).
            list.removeMetaInformationHeaderAttributes();
            list.removeGroupLengthAttributes();
            com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(
                    list, syntax, "QUORUMTEST");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            list.write(out, syntax, true, true);
            return out.toByteArray();
        } catch (IOException | DicomException e) {
            throw new AssertionError("Cannot rewrite " + relative, e);
        }
    }

    /** Multi-frame Grayscale Word Secondary Capture Image Storage (PS3.4 B.5). */
    private static final String MULTI_FRAME_GRAYSCALE_WORD_SC = "1.2.840.10008.5.1.4.1.1.7.3";

    /**
     * A copy of a single-frame, 16-bit uncompressed image as an instance of {@code frames} frames
     * (Number of Frames), frame k (0-based) the original pixels rolled by {@code k * step} (in
     * pixels, row by row), so that the frames render differently even when each is windowed to its
     * own value range; attributes set as in {@link #copy}; its SOP Class is Multi-frame Grayscale
     * Word Secondary Capture.
     */
    public static byte[] multiFrame(
            String relative, int frames, int step, Map<String, String> values) {
        AttributeList list = read(copy(relative, values));
        try {
            short[] pixels = list.get(TagFromName.PixelData).getShortValues();
            short[] all = new short[pixels.length * frames];
            for (int k = 0; k < frames; k++) {
                for (int i = 0; i < pixels.length; i++) {
                    all[k * pixels.length + i] = pixels[(i + k * step) % pixels.length];
                }
            }
            Attribute data = new com.pixelmed.dicom.OtherWordAttribute(TagFromName.PixelData);
            data.setValues(all);
            list.put(data);
            Attribute count =
                    new com.pixelmed.dicom.IntegerStringAttribute(TagFromName.NumberOfFrames);
            count.addValue(frames);
            list.put(count);
            // A CT Image Storage instance cannot have several frames (a validator of an SR that
            // names one of its frames says so): the copy is a Multi-frame Grayscale Word
            // Secondary Capture instance, the simplest multi-frame class for 16-bit pixels.
            for (var tag :
                    java.util.List.of(
                            TagFromName.SOPClassUID, TagFromName.MediaStorageSOPClassUID)) {
                Attribute sopClass = new com.pixelmed.dicom.UniqueIdentifierAttribute(tag);
                sopClass.addValue(MULTI_FRAME_GRAYSCALE_WORD_SC);
                list.put(sopClass);
            }
            String syntax =
                    Attribute.getSingleStringValueOrNull(list, TagFromName.TransferSyntaxUID);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            list.write(out, syntax, true, true);
            return out.toByteArray();
        } catch (IOException | DicomException e) {
            throw new AssertionError("Cannot make a multi-frame copy of " + relative, e);
        }
    }

    /** A multipart/related body of application/dicom parts. */
    public static byte[] multipart(String boundary, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(
                    ("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.writeBytes(part);
            out.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        out.writeBytes(
                ("--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The bodies of a multipart/related response, given its Content-Type header. */
    public static java.util.List<byte[]> parts(byte[] body, String contentType) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
        if (!m.find()) {
            throw new AssertionError("No boundary in " + contentType);
        }
        byte[] delimiter =
                ("\r\n--" + m.group(1)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] first = ("--" + m.group(1)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.util.List<byte[]> parts = new java.util.ArrayList<>();
        int at = indexOf(body, first, 0);
        while (at >= 0) {
            int after = at + first.length;
            if (body[after] == '-' && body[after + 1] == '-') {
                break;
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(), after) + 4;
            int next = indexOf(body, delimiter, headersEnd);
            parts.add(java.util.Arrays.copyOfRange(body, headersEnd, next));
            at = next + 2;
        }
        return parts;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
