package org.quorum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.deid.cli.DeidDicomCommand;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.lexicon.PhiLexicon;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.RunningServer;
import picocli.CommandLine;

/**
 * Malformed DICOM input answered as PS3.18 says: STOW-RS bodies with non-DICOM or broken parts get
 * 409 (nothing stored) with a FailedSOPSequence whose FailureReason says why, a wrong or missing
 * multipart boundary 400, a body that is not multipart 415; bad QIDO-RS and WADO-RS parameters 400
 * naming the parameter, unacceptable media types 406. The store's instance count does not change.
 * Malformed files given to {@code quorum deid dicom} fail alone, and nothing is written for them.
 *
 * @see <a
 *     href="https://dicom.nema.org/medical/dicom/current/output/html/part18.html#sect_10.5">PS3.18
 *     §10.5 STOW-RS</a>
 */
@ExtendWith({RunningServer.class, ConformanceReport.class})
class MalformedDicomInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STOW_TYPE =
            "multipart/related; type=\"application/dicom\"; boundary=";
    private static final String FAILED_SOP_SEQUENCE = "00081198";
    private static final String FAILURE_REASON = "00081197";

    /** One malformed request; {@code failureReason} true: a STOW response with FailureReason. */
    record Case(
            String group,
            Requests request,
            Set<Integer> statuses,
            List<String> mentions,
            boolean failureReason,
            boolean write) {}

    private static RunningServer server;
    private static ConformanceReport report;
    private static byte[] image;
    private static ImageLabels.StoredImage stored;
    private static final List<String> rows = new ArrayList<>();
    private static String deidRow = "";

    @BeforeAll
    static void server(RunningServer running, ConformanceReport conformanceReport) {
        server = running;
        report = conformanceReport;
        image = DicomFiles.bytes("pydicom/CT_small.dcm");
        // WADO-RS parameter checks address an instance that exists: a 404 would say nothing
        // about how the parameter was read.
        stored = ImageLabels.storeImage(server, "pydicom/CT_small.dcm", Map.of());
    }

    @AfterAll
    static void writeSection() {
        report.section(
                ConformanceReport.MALFORMED_DICOM,
                "Malformed DICOM input",
                "Expected: the status, the reason (STOW-RS: FailedSOPSequence/FailureReason in the"
                        + " DICOM JSON response; QIDO-RS, WADO-RS: the reason text), and an unchanged"
                        + " instance count for STOW.\n\n"
                        + "| group | request | expected | answered | reason | store unchanged |\n"
                        + "|---|---|---|---:|---|---|\n"
                        + String.join("\n", rows)
                        + "\n\n"
                        + deidRow);
    }

    @TestFactory
    Stream<DynamicTest>
            every_malformed_dicomweb_request_gets_a_4xx_with_a_reason_and_stores_nothing() {
        return cases().stream()
                .map(
                        c ->
                                DynamicTest.dynamicTest(
                                        c.group() + ": " + c.request().description(),
                                        () -> check(c)));
    }

    @Test
    void malformed_files_given_to_deid_dicom_fail_alone_and_leave_nothing_behind()
            throws IOException {
        Path in = Files.createDirectories(EmittedResourcesIT.work().resolve("malformed-dicom-in"));
        Path out = EmittedResourcesIT.work().resolve("malformed-dicom-out");
        Files.write(in.resolve("good.dcm"), image);
        Files.write(in.resolve("truncated.dcm"), Arrays.copyOf(image, 600));
        byte[] badLength = image.clone();
        // The first element after the meta header claims a length far beyond the file.
        int at = indexOfTag(badLength);
        badLength[at + 6] = (byte) 0xFF;
        badLength[at + 7] = (byte) 0xFF;
        Files.write(in.resolve("bad-length.dcm"), badLength);
        Files.writeString(in.resolve("not-dicom.dcm"), "this is not DICOM");
        CommandLine cli =
                new CommandLine(
                        new DeidDicomCommand(
                                Map.of(DeidKeyService.SECRET_ENV, RunningServer.DEID_SECRET),
                                PhiLexicon::standard,
                                Clock.systemUTC()));
        StringWriter output = new StringWriter();
        cli.setOut(new PrintWriter(output));
        cli.setErr(new PrintWriter(output));
        int exit = cli.execute("--in", in.toString(), "--out", out.toString());
        String text = output.toString();
        deidRow =
                "`quorum deid dicom` on a folder with one good file, a truncated one (600 of "
                        + image.length
                        + " bytes), one whose first element claims 65,535 bytes and a text file"
                        + " named .dcm: exit "
                        + exit
                        + "; truncated.dcm "
                        + (Files.exists(out.resolve("truncated.dcm"))
                                ? "**written**"
                                : "not written")
                        + ", bad-length.dcm "
                        + (Files.exists(out.resolve("bad-length.dcm"))
                                ? "**written**"
                                : "not written")
                        + "; output: "
                        + ConformanceReport.cell(text.strip());
        assertThat(text).contains("not-dicom.dcm");
        assertThat(out.resolve("good.dcm")).isRegularFile();
        assertThat(out.resolve("not-dicom.dcm")).doesNotExist();
        // Half an instance must not leave the hospital as if it were whole.
        assertThat(out.resolve("truncated.dcm")).doesNotExist();
        assertThat(out.resolve("bad-length.dcm")).doesNotExist();
        assertThat(text).contains("truncated.dcm").contains("bad-length.dcm");
        assertThat(text).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static int indexOfTag(byte[] part10) {
        // The first element after the file meta information, whose end the group length
        // (0002,0000) gives (explicit VR little endian: 12 bytes of header, 4 of value).
        int groupLength =
                (part10[140] & 0xff)
                        | (part10[141] & 0xff) << 8
                        | (part10[142] & 0xff) << 16
                        | (part10[143] & 0xff) << 24;
        return 144 + groupLength;
    }

    private static void check(Case c) throws IOException {
        int before = c.write() ? instances() : 0;
        HttpResponse<String> response = c.request().send(server.baseUrl(), server.adminToken());
        int after = c.write() ? instances() : 0;
        String body = response.body();
        String reason = reason(body, c.failureReason());
        List<String> missing = new ArrayList<>();
        for (String term : c.mentions()) {
            if (!reason.toLowerCase(Locale.ROOT).contains(term.toLowerCase(Locale.ROOT))) {
                missing.add(term);
            }
        }
        rows.add(
                "| "
                        + c.group()
                        + " | "
                        + ConformanceReport.cell(c.request().description())
                        + " | "
                        + c.statuses()
                        + " | "
                        + (c.statuses().contains(response.statusCode())
                                ? response.statusCode()
                                : "**" + response.statusCode() + "**")
                        + " | "
                        + (reason.isBlank() || !missing.isEmpty()
                                ? "**"
                                        + ConformanceReport.cell(abbreviate(reason))
                                        + " (missing "
                                        + missing
                                        + ")**"
                                : ConformanceReport.cell(abbreviate(reason)))
                        + " | "
                        + (!c.write() ? "n/a (read)" : before == after ? "yes" : "**no**")
                        + " |");
        assertThat(response.statusCode())
                .as("%s %s\n%s", c.request().method(), c.request().path(), Scenarios.shorten(body))
                .isIn(c.statuses());
        assertThat(reason).as("a reason: %s", Scenarios.shorten(body)).isNotBlank();
        assertThat(missing).as("named in the reason: %s", reason).isEmpty();
        assertThat(body).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(after).as("instances stored").isEqualTo(before);
    }

    private static String abbreviate(String text) {
        return text.length() > 140 ? text.substring(0, 140) + "…" : text;
    }

    /** STOW: the FailureReason codes (hex) and any comment; otherwise the body text. */
    private static String reason(String body, boolean failureReason) {
        if (!failureReason) {
            return body.strip();
        }
        try {
            JsonNode failed = JSON.readTree(body).path(FAILED_SOP_SEQUENCE).path("Value");
            StringBuilder reasons = new StringBuilder();
            for (JsonNode item : failed) {
                int code = item.path(FAILURE_REASON).path("Value").path(0).asInt(-1);
                if (code >= 0) {
                    reasons.append(String.format("FailureReason %04X ", code));
                }
            }
            return reasons.toString().strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Instances in the store: NumberOfStudyRelatedInstances over every study. */
    private static int instances() throws IOException {
        HttpResponse<String> studies =
                server.http()
                        .get(
                                "/dicomweb/studies?includefield=00201208&limit=1000",
                                "application/dicom+json");
        assertThat(studies.statusCode()).isIn(200, 204);
        if (studies.statusCode() == 204 || studies.body().isBlank()) {
            return 0;
        }
        int total = 0;
        for (JsonNode study : JSON.readTree(studies.body())) {
            total += study.path("00201208").path("Value").path(0).asInt();
        }
        return total;
    }

    private static byte[] part(String boundary, String contentType, byte[] content) {
        byte[] head =
                ("--" + boundary + "\r\nContent-Type: " + contentType + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        System.arraycopy(tail, 0, all, head.length + content.length, tail.length);
        return all;
    }

    private static byte[] withAttributes(Map<String, String> values) {
        return DicomFiles.copy("pydicom/CT_small.dcm", values);
    }

    /** CT_small without one attribute, and with others set to any text (no UID checks). */
    private static byte[] without(String keyword, Map<String, String> values) {
        try {
            AttributeList list = DicomFiles.read(image);
            list.remove(DicomDictionary.StandardDictionary.getTagFromName(keyword));
            for (Map.Entry<String, String> value : values.entrySet()) {
                AttributeTag tag =
                        DicomDictionary.StandardDictionary.getTagFromName(value.getKey());
                Attribute attribute = AttributeFactory.newAttribute(tag);
                attribute.addValue(value.getValue());
                list.put(attribute);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            list.write(
                    out,
                    Attribute.getSingleStringValueOrEmptyString(
                            list, TagFromName.TransferSyntaxUID),
                    true,
                    true);
            return out.toByteArray();
        } catch (IOException | DicomException e) {
            throw new AssertionError("Cannot build the malformed instance", e);
        }
    }

    private static Requests stow(String description, String contentType, byte[] body) {
        return Requests.post(description, "/dicomweb/studies", contentType, body)
                .header("Accept", "application/dicom+json");
    }

    private static Case stowCase(
            String description,
            String contentType,
            byte[] body,
            Set<Integer> statuses,
            boolean failureReason,
            String... mentions) {
        return new Case(
                "STOW-RS",
                stow(description, contentType, body),
                statuses,
                List.of(mentions),
                failureReason,
                true);
    }

    private static Case query(
            String group,
            String description,
            String path,
            String accept,
            Set<Integer> statuses,
            String... mentions) {
        return new Case(
                group,
                Requests.get(description, path).header("Accept", accept),
                statuses,
                List.of(mentions),
                false,
                false);
    }

    static List<Case> cases() {
        Set<Integer> conflict = Set.of(409);
        Set<Integer> badRequest = Set.of(400);
        List<Case> cases = new ArrayList<>();
        String fresh = DicomFiles.newUid();
        byte[] freshImage =
                withAttributes(
                        Map.of(
                                "StudyInstanceUID",
                                DicomFiles.newUid(),
                                "SeriesInstanceUID",
                                DicomFiles.newUid(),
                                "SOPInstanceUID",
                                fresh));
        cases.add(
                stowCase(
                        "a part that is text, not DICOM",
                        STOW_TYPE + "b1",
                        part(
                                "b1",
                                "application/dicom",
                                "hello, not DICOM".getBytes(StandardCharsets.US_ASCII)),
                        conflict,
                        true,
                        "FailureReason C000"));
        cases.add(
                stowCase(
                        "a truncated DICOM file",
                        STOW_TYPE + "b2",
                        part("b2", "application/dicom", Arrays.copyOf(freshImage, 700)),
                        conflict,
                        true,
                        "FailureReason C000"));
        cases.add(
                stowCase(
                        "a dataset without Part 10 preamble and meta header",
                        STOW_TYPE + "b3",
                        part(
                                "b3",
                                "application/dicom",
                                Arrays.copyOfRange(freshImage, 132 + 4, freshImage.length)),
                        conflict,
                        true,
                        "FailureReason"));
        cases.add(
                stowCase(
                        "an instance without SOPInstanceUID",
                        STOW_TYPE + "b4",
                        part(
                                "b4",
                                "application/dicom",
                                without(
                                        "SOPInstanceUID",
                                        Map.of("StudyInstanceUID", DicomFiles.newUid()))),
                        conflict,
                        true,
                        "FailureReason"));
        cases.add(
                stowCase(
                        "an instance with StudyInstanceUID 'abc'",
                        STOW_TYPE + "b5",
                        part(
                                "b5",
                                "application/dicom",
                                without(
                                        "StudyInstanceUID",
                                        Map.of(
                                                "StudyInstanceUID",
                                                "abc",
                                                "SOPInstanceUID",
                                                DicomFiles.newUid()))),
                        conflict,
                        true,
                        "FailureReason"));
        cases.add(
                stowCase(
                        "boundary in the header differs from the body's",
                        STOW_TYPE + "other",
                        part("b6", "application/dicom", freshImage),
                        badRequest,
                        false,
                        "boundary"));
        cases.add(
                stowCase(
                        "no boundary parameter",
                        "multipart/related; type=\"application/dicom\"",
                        part("b7", "application/dicom", freshImage),
                        badRequest,
                        false,
                        "boundary"));
        cases.add(
                stowCase(
                        "no closing boundary",
                        STOW_TYPE + "b8",
                        Arrays.copyOf(part("b8", "application/dicom", freshImage), 3000),
                        badRequest,
                        false,
                        "boundary"));
        cases.add(
                stowCase(
                        "empty body",
                        STOW_TYPE + "b9",
                        new byte[0],
                        badRequest,
                        false,
                        "boundary"));
        cases.add(
                stowCase(
                        "a JSON body, not multipart",
                        "application/json",
                        "{}".getBytes(StandardCharsets.US_ASCII),
                        Set.of(415),
                        false,
                        "multipart/related"));
        cases.add(
                new Case(
                        "STOW-RS",
                        Requests.post(
                                        "an instance of another study posted to a study URL",
                                        "/dicomweb/studies/" + DicomFiles.newUid(),
                                        STOW_TYPE + "b10",
                                        part("b10", "application/dicom", freshImage))
                                .header("Accept", "application/dicom+json"),
                        conflict,
                        List.of("FailureReason A900"),
                        true,
                        true));

        String json = "application/dicom+json";
        cases.add(
                query(
                        "QIDO-RS",
                        "StudyDate=notadate",
                        "/dicomweb/studies?StudyDate=notadate",
                        json,
                        badRequest,
                        "StudyDate"));
        cases.add(
                query(
                        "QIDO-RS",
                        "StudyDate=20200101-2019 (bad range)",
                        "/dicomweb/studies?StudyDate=20200101-2019",
                        json,
                        badRequest,
                        "StudyDate"));
        cases.add(
                query(
                        "QIDO-RS",
                        "limit=abc",
                        "/dicomweb/studies?limit=abc",
                        json,
                        badRequest,
                        "limit"));
        cases.add(
                query(
                        "QIDO-RS",
                        "limit=-1",
                        "/dicomweb/studies?limit=-1",
                        json,
                        badRequest,
                        "limit"));
        cases.add(
                query(
                        "QIDO-RS",
                        "offset=-5",
                        "/dicomweb/studies?offset=-5",
                        json,
                        badRequest,
                        "offset"));
        cases.add(
                query(
                        "QIDO-RS",
                        "unknown attribute NoSuchKeyword=1",
                        "/dicomweb/studies?NoSuchKeyword=1",
                        json,
                        badRequest,
                        "NoSuchKeyword"));
        cases.add(
                query(
                        "QIDO-RS",
                        "includefield=NoSuchAttribute",
                        "/dicomweb/studies?includefield=NoSuchAttribute",
                        json,
                        badRequest,
                        "NoSuchAttribute"));
        cases.add(
                query(
                        "QIDO-RS",
                        "fuzzymatching=maybe",
                        "/dicomweb/studies?fuzzymatching=maybe",
                        json,
                        badRequest,
                        "fuzzymatching"));
        cases.add(
                query(
                        "QIDO-RS",
                        "StudyInstanceUID=1..2",
                        "/dicomweb/studies?StudyInstanceUID=1..2",
                        json,
                        badRequest,
                        "UID"));
        cases.add(
                query(
                        "QIDO-RS",
                        "Accept: application/dicom+xml",
                        "/dicomweb/studies",
                        "application/dicom+xml",
                        Set.of(406),
                        "application/dicom+json"));
        cases.add(
                query(
                        "WADO-RS",
                        "study UID 'not-a-uid'",
                        "/dicomweb/studies/not-a-uid",
                        "*/*",
                        badRequest,
                        "UID"));
        cases.add(
                query(
                        "WADO-RS",
                        "series UID '1..2'",
                        "/dicomweb/studies/" + stored.study() + "/series/1..2/metadata",
                        "application/dicom+json",
                        badRequest,
                        "UID"));
        cases.add(
                query(
                        "WADO-RS",
                        "unknown transfer syntax",
                        "/dicomweb/studies/" + stored.study(),
                        "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.3.4.5",
                        Set.of(406),
                        "transfer syntax"));
        return cases;
    }
}
