package org.quorum.dicom.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartRelatedTest {

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void parts_keep_their_bytes_including_crlf_and_dashes_inside() {
        byte[] body =
                ascii(
                        "preamble\r\n--b1\r\nContent-Type: application/dicom\r\n\r\nA\r\n--b\r\nB\r\n"
                                + "--b1\r\ncontent-type: Application/DICOM\r\n\r\n\r\n\r\n--b1--\r\nepilogue");
        List<MultipartRelated.Part> parts = MultipartRelated.parse(body, "b1");
        assertThat(parts).hasSize(2);
        assertThat(parts.get(0).body()).isEqualTo(ascii("A\r\n--b\r\nB"));
        assertThat(parts.get(0).contentType()).isEqualTo("application/dicom");
        assertThat(parts.get(1).body()).isEqualTo(ascii("\r\n"));
        assertThat(parts.get(1).contentType()).isEqualTo("Application/DICOM");
    }

    @Test
    void a_body_without_its_closing_delimiter_is_a_bad_request() {
        assertThatThrownBy(
                        () ->
                                MultipartRelated.parse(
                                        ascii("--b1\r\nContent-Type: application/dicom\r\n\r\nAB"),
                                        "b1"))
                .isInstanceOfSatisfying(
                        DicomWebException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> MultipartRelated.parse(ascii("no delimiter"), "b1"))
                .isInstanceOf(DicomWebException.class);
    }

    @Test
    void written_parts_parse_back() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MultipartRelated.Writer writer = new MultipartRelated.Writer(out, "xyz");
        writer.startPart("application/dicom").write(new byte[] {0, 13, 10, 45, 45});
        writer.endPart();
        writer.startPart("application/dicom").write(new byte[] {1});
        writer.endPart();
        writer.finish();
        List<MultipartRelated.Part> parts = MultipartRelated.parse(out.toByteArray(), "xyz");
        assertThat(parts)
                .extracting(MultipartRelated.Part::body)
                .containsExactly(new byte[] {0, 13, 10, 45, 45}, new byte[] {1});
    }

    @Test
    void a_body_read_byte_by_byte_splits_like_one_read_at_once() throws Exception {
        // Delimiters and CRLFs straddle every read: the reader's buffer handling is what splits.
        byte[] first = new byte[200_000];
        new java.util.Random(7).nextBytes(first);
        first[1000] = '\r';
        first[1001] = '\n';
        first[1002] = '-';
        first[1003] = '-';
        first[1004] = 'q';
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MultipartRelated.Writer writer = new MultipartRelated.Writer(out, "q1");
        writer.startPart("application/dicom").write(first);
        writer.endPart();
        writer.startPart("text/plain").write(ascii("x\r\n--q"));
        writer.endPart();
        writer.finish();
        byte[] body = out.toByteArray();
        java.io.InputStream trickle =
                new java.io.ByteArrayInputStream(body) {
                    @Override
                    public synchronized int read(byte[] b, int off, int len) {
                        return super.read(b, off, Math.min(len, 1));
                    }
                };
        List<ByteArrayOutputStream> parts = new java.util.ArrayList<>();
        List<String> types = new java.util.ArrayList<>();
        int count =
                MultipartRelated.read(
                        trickle,
                        "q1",
                        body.length,
                        headers -> {
                            ByteArrayOutputStream part = new ByteArrayOutputStream();
                            parts.add(part);
                            types.add(headers.get("content-type"));
                            return part::write;
                        });
        assertThat(count).isEqualTo(2);
        assertThat(types).containsExactly("application/dicom", "text/plain");
        assertThat(parts.get(0).toByteArray()).isEqualTo(first);
        assertThat(parts.get(1).toByteArray()).isEqualTo(ascii("x\r\n--q"));
    }

    @Test
    void a_body_over_the_limit_stops_reading() {
        byte[] body = ascii("--b1\r\n\r\n" + "A".repeat(100_000) + "\r\n--b1--\r\n");
        assertThatThrownBy(
                        () ->
                                MultipartRelated.read(
                                        new java.io.ByteArrayInputStream(body),
                                        "b1",
                                        50_000,
                                        headers -> (b, off, len) -> {}))
                .isInstanceOf(MultipartRelated.TooLargeException.class);
    }

    @Test
    void media_ranges_take_quoted_and_unquoted_type_parameters() {
        MediaRange quoted =
                MediaRange.parse("multipart/related; type=\"application/dicom\"; boundary=\"a;b\"");
        assertThat(quoted.parameter("type")).isEqualTo("application/dicom");
        assertThat(quoted.parameter("boundary")).isEqualTo("a;b");
        List<MediaRange> accept =
                MediaRange.parseList(
                        List.of(
                                "multipart/related; type=application/dicom; transfer-syntax=*,"
                                        + " application/dicom+json"));
        assertThat(accept).hasSize(2);
        assertThat(accept.get(0).parameter("type")).isEqualTo("application/dicom");
        assertThat(accept.get(0).parameter("transfer-syntax")).isEqualTo("*");
        assertThat(accept.get(1).admits("application", "dicom+json")).isTrue();
        assertThat(MediaRange.parseList(List.of()).get(0).isWildcard()).isTrue();
    }
}
