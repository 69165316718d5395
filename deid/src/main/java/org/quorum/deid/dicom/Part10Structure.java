package org.quorum.deid.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that a DICOM Part 10 file is whole before it is de-identified: every data element's
 * declared length fits in the file and the elements end exactly where the file does (PS3.5 §7.1,
 * PS3.10 §7.1). PixelMed reads a truncated file without complaint (it stops at the end of the
 * file), and a de-identified copy of half an instance must not leave the hospital as if it were
 * whole. Sequences and items of undefined length and encapsulated pixel data are walked to their
 * delimiters. Deflated data sets are not walked (their lengths are inside the deflate stream).
 *
 * <p>The walk also finds where a top-level Pixel Data element starts when it is the last element of
 * the file ({@link Layout#pixelDataOffset()}), so that a de-identifier can read and rewrite the
 * header only and copy the pixel bytes as they are. The file is mapped, not read: only the pages
 * that hold element headers are touched, never the pixel values.
 */
public final class Part10Structure {

    private static final String IMPLICIT_LITTLE = "1.2.840.10008.1.2";
    private static final String EXPLICIT_BIG = "1.2.840.10008.1.2.2";
    private static final String DEFLATED = "1.2.840.10008.1.2.1.99";

    /** Explicit VRs whose length field is 4 bytes, after 2 reserved bytes (PS3.5 §7.1.2). */
    private static final Set<String> LONG_VRS =
            Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    private static final int UNDEFINED = 0xFFFFFFFF;
    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_END = 0xFFFEE00D;
    private static final int SEQUENCE_END = 0xFFFEE0DD;
    private static final int PIXEL_DATA = 0x7FE00010;

    /**
     * What the walk found.
     *
     * @param problem why the file is not a whole Part 10 file, or empty when it is
     * @param pixelDataOffset the byte offset of the top-level Pixel Data (7FE0,0010) element's tag
     *     when that element is the last one in the file, or -1 (no Pixel Data, another element
     *     after it, a deflated data set, or a problem)
     */
    public record Layout(Optional<String> problem, long pixelDataOffset) {
        static Layout broken(String problem) {
            return new Layout(Optional.of(problem), -1);
        }
    }

    private final ByteBuffer data;
    private final boolean explicit;
    private int lastPixelData = -1;

    private Part10Structure(ByteBuffer data, boolean explicit) {
        this.data = data;
        this.explicit = explicit;
    }

    /** Why the file is not a whole Part 10 file, or empty when it is. */
    public static Optional<String> problem(Path file) throws IOException {
        return inspect(file).problem();
    }

    /** Walks the file: whether it is whole, and where its Pixel Data starts if it ends the file. */
    public static Layout inspect(Path file) throws IOException {
        ByteBuffer buffer;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 132 + 12) {
                return Layout.broken("shorter than a Part 10 header");
            }
            if (size > Integer.MAX_VALUE) {
                return Layout.broken("larger than 2 GiB");
            }
            // A mapping stays valid after its channel is closed.
            buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(132);
        // File meta information: explicit VR little endian, group 0002 (PS3.10 §7.1).
        Part10Structure meta = new Part10Structure(buffer, true);
        String transferSyntax = null;
        try {
            while (buffer.remaining() >= 4 && buffer.getShort(buffer.position()) == 0x0002) {
                int start = buffer.position();
                int tag = meta.tag();
                long length = meta.lengthOf(meta.vr());
                if (length > buffer.remaining()) {
                    return Layout.broken("a file meta element runs past the end of the file");
                }
                if (tag == 0x00020010) {
                    byte[] uid = new byte[(int) length];
                    buffer.get(uid);
                    transferSyntax =
                            new String(uid, StandardCharsets.US_ASCII).replace("\0", "").strip();
                } else {
                    buffer.position(buffer.position() + (int) length);
                }
                if (buffer.position() <= start) {
                    return Layout.broken("malformed file meta information");
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            return Layout.broken("the file meta information is cut off");
        }
        if (transferSyntax == null) {
            return Layout.broken("no transfer syntax in the file meta information");
        }
        if (transferSyntax.equals(DEFLATED)) {
            return new Layout(Optional.empty(), -1);
        }
        if (transferSyntax.equals(EXPLICIT_BIG)) {
            buffer.order(ByteOrder.BIG_ENDIAN);
        }
        Part10Structure dataset =
                new Part10Structure(buffer, !transferSyntax.equals(IMPLICIT_LITTLE));
        try {
            Optional<String> problem = dataset.walk(buffer.limit(), false);
            return problem.isPresent()
                    ? Layout.broken(problem.get())
                    : new Layout(problem, dataset.lastPixelData);
        } catch (java.nio.BufferUnderflowException e) {
            return Layout.broken("the file ends inside a data element");
        }
    }

    /** Walks elements up to {@code end}, or to an item or sequence delimiter when delimited. */
    private Optional<String> walk(int end, boolean delimited) {
        while (data.position() < end) {
            int start = data.position();
            int tag = tag();
            if (!delimited) {
                lastPixelData = -1; // only a Pixel Data element that nothing follows counts
            }
            if (tag == ITEM_END || tag == SEQUENCE_END) {
                data.getInt(); // the delimiter's zero length
                return delimited ? Optional.empty() : Optional.of("a delimiter outside a sequence");
            }
            String vr = explicit && !isItemTag(tag) ? vr() : "";
            long length = isItemTag(tag) ? Integer.toUnsignedLong(data.getInt()) : lengthOf(vr);
            if (!delimited
                    && tag == PIXEL_DATA
                    && (length == Integer.toUnsignedLong(UNDEFINED) || length % 2 == 0)) {
                // An odd length breaks PS3.5 §7.1.1; a writer pads it, so it is not copied as is.
                lastPixelData = start;
            }
            if (length == Integer.toUnsignedLong(UNDEFINED)) {
                // A sequence, an item or encapsulated pixel data of undefined length: walk it to
                // its delimiter. UN of undefined length holds implicit VR (PS3.5 §6.2.2).
                Part10Structure inside = "UN".equals(vr) ? new Part10Structure(data, false) : this;
                Optional<String> inner = inside.walk(end, true);
                if (inner.isPresent()) {
                    return inner;
                }
                continue;
            }
            if (length > end - data.position()) {
                return Optional.of(
                        String.format(
                                "element (%04X,%04X) claims %d bytes, past the end of the file",
                                tag >>> 16, tag & 0xFFFF, length));
            }
            data.position(data.position() + (int) length);
        }
        return delimited ? Optional.of("the file ends inside a sequence") : Optional.empty();
    }

    private int tag() {
        int group = Short.toUnsignedInt(data.getShort());
        int element = Short.toUnsignedInt(data.getShort());
        return (group << 16) | element;
    }

    private String vr() {
        byte[] vr = new byte[2];
        data.get(vr);
        return new String(vr, StandardCharsets.US_ASCII);
    }

    private long lengthOf(String vr) {
        if (!explicit) {
            return Integer.toUnsignedLong(data.getInt());
        }
        if (LONG_VRS.contains(vr)) {
            data.getShort(); // reserved
            return Integer.toUnsignedLong(data.getInt());
        }
        return Short.toUnsignedInt(data.getShort());
    }

    private static boolean isItemTag(int tag) {
        return (tag >>> 16) == 0xFFFE;
    }
}
