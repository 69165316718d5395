package org.quorum.dicom.sr;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * UIDs derived from names, so that the same label version always yields the same SR. PS3.5 B.2: a
 * UID under the {@code 2.25} root is the decimal form of a UUID; we use name-based UUIDs (RFC 4122
 * version 3) of a Quorum-specific name, which stay within the 64-character limit.
 *
 * @see <a
 *     href="https://dicom.nema.org/medical/dicom/current/output/chtml/part05/sect_B.2.html">PS3.5
 *     B.2</a>
 */
public final class DerivedUids {

    private static final String NAMESPACE = "org.quorum.dicom.sr/";

    private DerivedUids() {}

    /** The {@code 2.25.} UID of the name made of {@code parts} joined by '|'. */
    public static String of(String... parts) {
        String name = NAMESPACE + String.join("|", parts);
        UUID uuid = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
        ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, bytes.array());
    }
}
