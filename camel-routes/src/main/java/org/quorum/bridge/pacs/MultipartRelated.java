package org.quorum.bridge.pacs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The {@code multipart/related} bodies of WADO-RS answers and STOW-RS requests (PS3.18 §8.6.1.2,
 * RFC 2387), read and written whole: the bridge moves one instance or one bounded batch at a time.
 */
final class MultipartRelated {

    private static final byte[] CRLF = {'\r', '\n'};

    private MultipartRelated() {}

    /** The boundary parameter of a {@code multipart/related} Content-Type, unquoted. */
    static String boundaryOf(String contentType) {
        if (contentType == null
                || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/related")) {
            throw new UncheckedIOException(
                    new IOException("not multipart/related: " + contentType));
        }
        for (String parameter : contentType.split(";")) {
            String p = parameter.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String value = p.substring("boundary=".length()).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                if (!value.isEmpty()) {
                    return value;
                }
            }
        }
        throw new UncheckedIOException(
                new IOException("multipart/related without a boundary: " + contentType));
    }

    /**
     * The bodies of the parts, in order.
     *
     * @throws UncheckedIOException when the body is cut short (no closing delimiter): the caller
     *     retries, like any broken transfer
     */
    static List<byte[]> parts(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        List<byte[]> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new UncheckedIOException(new IOException("no multipart delimiter in the body"));
        }
        while (true) {
            int afterDelimiter = at + delimiter.length;
            if (afterDelimiter + 1 < body.length
                    && body[afterDelimiter] == '-'
                    && body[afterDelimiter + 1] == '-') {
                return parts; // close-delimiter
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), at);
            if (headersEnd < 0) {
                throw new UncheckedIOException(new IOException("a part without headers' end"));
            }
            int start = headersEnd + 4;
            byte[] next = new byte[delimiter.length + 2];
            System.arraycopy(CRLF, 0, next, 0, 2);
            System.arraycopy(delimiter, 0, next, 2, delimiter.length);
            int end = indexOf(body, next, start);
            if (end < 0) {
                throw new UncheckedIOException(
                        new IOException("the multipart body ends inside a part"));
            }
            byte[] part = new byte[end - start];
            System.arraycopy(body, start, part, 0, part.length);
            parts.add(part);
            at = end + 2;
        }
    }

    /** A body and its Content-Type for STOW-RS. */
    record Body(String contentType, byte[] bytes) {}

    /** PS3.18 §10.5.1.1: one {@code application/dicom} part per instance. */
    static Body ofDicom(List<byte[]> instances) {
        String boundary = "quorum-bridge-" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head =
                ("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
        for (byte[] instance : instances) {
            out.writeBytes(head);
            out.writeBytes(instance);
            out.writeBytes(CRLF);
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return new Body(
                "multipart/related; type=\"application/dicom\"; boundary=" + boundary,
                out.toByteArray());
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - pattern.length; i++) {
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
