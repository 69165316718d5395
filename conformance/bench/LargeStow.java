// Writes a STOW-RS body of one large DICOM instance to a file: CT_small.dcm's header with fresh UIDs
// and NumberOfFrames raised so that the Pixel Data (zeros, streamed) fills the requested size, in a
// multipart/related body with the given boundary. Run by large-stow-check.sh.
//
// Usage: java -cp pixelmed.jar LargeStow.java <source.dcm> <out> <MiB> <boundary>
// Prints the Study, Series and SOP Instance UIDs.

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

public class LargeStow {
    public static void main(String[] args) throws Exception {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new FileInputStream(args[0]))) {
            list.read(in);
        }
        long target = Long.parseLong(args[2]) << 20;
        String boundary = args[3];
        int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
        int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
        int bits = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 16);
        long frame = (long) rows * columns * bits / 8;
        long frames = (target - 4096) / frame;
        String study = uid(), series = uid(), sop = uid();
        set(list, TagFromName.StudyInstanceUID, study);
        set(list, TagFromName.SeriesInstanceUID, series);
        set(list, TagFromName.SOPInstanceUID, sop);
        set(list, TagFromName.MediaStorageSOPInstanceUID, sop);
        set(list, TagFromName.NumberOfFrames, Long.toString(frames));
        list.remove(TagFromName.PixelData);
        String syntax = "1.2.840.10008.1.2.1";
        list.removeMetaInformationHeaderAttributes();
        list.removeGroupLengthAttributes();
        FileMetaInformation.addFileMetaInformation(list, syntax, "QUORUMBENCH");
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        list.write(header, syntax, true, true);
        long pixels = frames * frame;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[1])), 1 << 20)) {
            out.write(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(header.toByteArray());
            // (7FE0,0010) OW, explicit VR little endian: tag, VR, 2 reserved bytes, 4-byte length.
            out.write(new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'W', 0, 0,
                (byte) pixels, (byte) (pixels >> 8), (byte) (pixels >> 16), (byte) (pixels >> 24)});
            byte[] zeros = new byte[1 << 20];
            for (long left = pixels; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        System.out.println(study + " " + series + " " + sop);
    }

    static String uid() {
        UUID u = UUID.randomUUID();
        byte[] b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
        return "2.25." + new BigInteger(1, b);
    }

    static void set(AttributeList list, AttributeTag tag, String value) throws Exception {
        Attribute attribute = list.get(tag);
        if (attribute == null) {
            attribute = AttributeFactory.newAttribute(tag);
            list.put(attribute);
        }
        attribute.removeValues();
        attribute.addValue(value);
    }
}
