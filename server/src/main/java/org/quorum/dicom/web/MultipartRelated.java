package org.quorum.dicom.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code multipart/related} bodies (RFC 2387, framing of RFC 2046 §5.1.1) as DICOMweb uses them
 * (PS3.18 §8.7.1): parsing a received body into parts, writing parts with a fresh boundary.
 */
final class MultipartRelated {

    private static final byte[] CRLF = {'\r', '\n'};

    private MultipartRelated() {}

    /** One body part: its headers (names lower-cased) and its bytes. */
    record Part(Map<String, String> headers, byte[] body) {
        String contentType() {
            return headers.get("content-type");
        }
    }

    /** Where the bytes of one part go while it is read. */
    interface PartSink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    /** Chooses the sink of each part from its headers (names lower-cased). */
    interface PartHandler {
        PartSink start(Map<String, String> headers) throws IOException;
    }

    /** Thrown when a body is longer than the limit given to {@link #read}. */
    static final class TooLargeException extends IOException {
        TooLargeException() {
            super("the multipart body is longer than the limit");
        }
    }

    /**
     * Splits a body at {@code boundary} in memory: each part's headers and bytes. Text before the
     * first and after the last delimiter is ignored (RFC 2046 preamble and epilogue).
     *
     * @throws DicomWebException 400 when the body does not contain a well-formed closing delimiter
     */
    static List<Part> parse(byte[] body, String boundary) {
        List<Map<String, String>> headers = new ArrayList<>();
        List<java.io.ByteArrayOutputStream> bodies = new ArrayList<>();
        try {
            read(
                    new java.io.ByteArrayInputStream(body),
                    boundary,
                    Long.MAX_VALUE,
                    partHeaders -> {
                        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                        headers.add(partHeaders);
                        bodies.add(bytes);
                        return bytes::write;
                    });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            parts.add(new Part(headers.get(i), bodies.get(i).toByteArray()));
        }
        return parts;
    }

    /**
     * Reads a body as it arrives and hands each part's bytes to the sink {@code handler} chooses
     * for it, holding no more than a buffer of the body in memory. Text before the first and after
     * the last delimiter is ignored (RFC 2046 preamble and epilogue; the epilogue is read to its
     * end).
     *
     * @return how many parts the body had
     * @throws DicomWebException 400 when the body has no delimiter or no closing delimiter
     * @throws TooLargeException when more than {@code maxBytes} arrive (the rest is not read)
     */
    static int read(InputStream body, String boundary, long maxBytes, PartHandler handler)
            throws IOException {
        Reader reader = new Reader(body, boundary, maxBytes);
        // A leading CRLF lets the first delimiter match like the others (RFC 2046: the CRLF
        // before a delimiter belongs to it).
        if (!reader.skipToDelimiter()) {
            throw DicomWebException.badRequest(
                    "The multipart body does not contain its boundary delimiter");
        }
        int parts = 0;
        while (true) {
            int first = reader.next();
            int second = first < 0 ? -1 : reader.next();
            if (first == '-' && second == '-') {
                reader.drain();
                return parts;
            }
            // Transport padding, then CRLF, ends the delimiter line.
            int previous = second;
            int current = first;
            if (!(first == '\r' && second == '\n')) {
                previous = first;
                current = second;
                while (current >= 0 && !(previous == '\r' && current == '\n')) {
                    previous = current;
                    current = reader.next();
                }
            }
            if (current < 0) {
                break;
            }
            Map<String, String> headers = reader.headers();
            if (headers == null) {
                break;
            }
            PartSink sink = handler.start(headers);
            parts++;
            if (!reader.copyTo(sink)) {
                break;
            }
        }
        throw DicomWebException.badRequest(
                "The multipart body is truncated: the closing boundary delimiter is missing");
    }

    /** A buffered scan of the body for the delimiter CRLF "--" boundary. */
    private static final class Reader {
        private static final int HEADER_LIMIT = 16 * 1024;

        private final InputStream in;
        private final byte[] delimiter;
        private final long maxBytes;
        private final byte[] buffer;
        private int start;
        private int end;
        private long total;
        private boolean eof;

        Reader(InputStream in, String boundary, long maxBytes) {
            this.in = in;
            this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
            this.maxBytes = maxBytes;
            this.buffer = new byte[Math.max(64 * 1024, delimiter.length * 4)];
            buffer[0] = '\r';
            buffer[1] = '\n';
            end = 2;
        }

        /** Reads more into the buffer, keeping what is unread; false at the end of the body. */
        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buffer.length) {
                return true;
            }
            int read = in.read(buffer, end, buffer.length - end);
            if (read < 0) {
                eof = true;
                return false;
            }
            total += read;
            if (total > maxBytes) {
                throw new TooLargeException();
            }
            end += read;
            return true;
        }

        int next() throws IOException {
            while (start >= end) {
                if (!fill()) {
                    return -1;
                }
            }
            return buffer[start++] & 0xff;
        }

        /** Skips up to and past the next delimiter; false if there is none. */
        boolean skipToDelimiter() throws IOException {
            return scan(null);
        }

        /** Copies the bytes up to the next delimiter to the sink, skips it; false if none. */
        boolean copyTo(PartSink sink) throws IOException {
            return scan(sink);
        }

        private boolean scan(PartSink sink) throws IOException {
            while (true) {
                int found = indexOf(buffer, start, end, delimiter);
                if (found >= 0) {
                    if (sink != null && found > start) {
                        sink.write(buffer, start, found - start);
                    }
                    start = found + delimiter.length;
                    return true;
                }
                // Everything but a possible beginning of the delimiter at the end is part data.
                int safe = Math.max(start, end - (delimiter.length - 1));
                if (sink != null && safe > start) {
                    sink.write(buffer, start, safe - start);
                }
                start = safe;
                if (!fill()) {
                    return false;
                }
            }
        }

        /** The header lines up to the empty line; null when the body ends first. */
        Map<String, String> headers() throws IOException {
            Map<String, String> headers = new LinkedHashMap<>();
            StringBuilder line = new StringBuilder();
            int read = 0;
            int previous = -1;
            while (true) {
                int current = next();
                if (current < 0) {
                    return null;
                }
                if (++read > HEADER_LIMIT) {
                    throw DicomWebException.badRequest(
                            "The headers of a multipart part are longer than "
                                    + HEADER_LIMIT
                                    + " bytes");
                }
                if (previous == '\r' && current == '\n') {
                    line.setLength(line.length() - 1);
                    if (line.length() == 0) {
                        return headers;
                    }
                    String text = line.toString();
                    int colon = text.indexOf(':');
                    if (colon > 0) {
                        headers.put(
                                text.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                text.substring(colon + 1).trim());
                    }
                    line.setLength(0);
                    previous = -1;
                    continue;
                }
                line.append((char) current);
                previous = current;
            }
        }

        /** Reads the epilogue to the end, so that the connection can take the next request. */
        void drain() throws IOException {
            start = end;
            while (fill()) {
                start = end;
            }
        }
    }

    private static int indexOf(byte[] data, int from, int to, byte[] pattern) {
        outer:
        for (int i = from; i <= to - pattern.length; i++) {
            if (data[i] != pattern[0]) {
                continue;
            }
            for (int j = 1; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Writes parts one at a time with one boundary. */
    static final class Writer {
        private final OutputStream out;
        private final String boundary;

        Writer(OutputStream out, String boundary) {
            this.out = out;
            this.boundary = boundary;
        }

        /** Starts a part: the delimiter line and the headers; the caller writes the body. */
        OutputStream startPart(String contentType) throws IOException {
            out.write(
                    ("--" + boundary + "\r\nContent-Type: " + contentType + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return out;
        }

        /** Ends the current part. */
        void endPart() throws IOException {
            out.write(CRLF);
        }

        /** The closing delimiter. */
        void finish() throws IOException {
            out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    /** A fresh boundary for a response whose Content-Type must name it before the body. */
    static String newBoundary() {
        return UUID.randomUUID().toString();
    }
}
