package org.quorum.dicom.web;

import java.io.IOException;
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

    /**
     * Splits a body at {@code boundary}. Text before the first and after the last delimiter is
     * ignored (RFC 2046 preamble and epilogue).
     *
     * @throws DicomWebException 400 when the body does not contain a well-formed closing delimiter
     */
    static List<Part> parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw DicomWebException.badRequest(
                    "The multipart body does not contain its boundary delimiter");
        }
        while (true) {
            int after = at + delimiter.length;
            if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
                return parts;
            }
            // Transport padding, then CRLF, ends the delimiter line.
            int lineEnd = indexOf(body, CRLF, after);
            if (lineEnd < 0) {
                break;
            }
            int headersStart = lineEnd + 2;
            byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
            int next = indexOf(body, nextDelimiter, headersStart);
            if (next < 0) {
                break;
            }
            parts.add(part(body, headersStart, next));
            at = next + 2;
        }
        throw DicomWebException.badRequest(
                "The multipart body is truncated: the closing boundary delimiter is missing");
    }

    private static Part part(byte[] body, int start, int end) {
        Map<String, String> headers = new LinkedHashMap<>();
        int position = start;
        while (position < end) {
            int lineEnd = indexOf(body, CRLF, position);
            if (lineEnd < 0 || lineEnd > end) {
                lineEnd = end;
            }
            if (lineEnd == position) {
                position += 2;
                return new Part(
                        headers, java.util.Arrays.copyOfRange(body, Math.min(position, end), end));
            }
            String line =
                    new String(body, position, lineEnd - position, StandardCharsets.ISO_8859_1);
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
            position = lineEnd + 2;
        }
        return new Part(headers, new byte[0]);
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(from, 0); i <= data.length - pattern.length; i++) {
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
