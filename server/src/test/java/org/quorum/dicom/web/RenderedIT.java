package org.quorum.dicom.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.Orthanc;
import org.quorum.testing.RunningServer;

/**
 * DICOMweb rendered resources (PS3.18 §9.5.1.2.1) checked against Orthanc's DICOMweb plugin on the
 * same CT file: the same window gives the same picture within a stated tolerance (mean absolute
 * difference under 1 grey level of 255, no pixel more than 2 apart), plus the media types, the
 * viewport and the bad parameters.
 */
@ExtendWith(RunningServer.class)
class RenderedIT {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static RunningServer server;
    private static Orthanc orthanc;
    private static String path;

    @BeforeAll
    static void oneCtSliceInBoth(RunningServer running) throws Exception {
        server = running;
        String study = DicomFiles.newUid();
        String series = DicomFiles.newUid();
        String sop = DicomFiles.newUid();
        byte[] file =
                DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        Map.of(
                                "StudyInstanceUID", study,
                                "SeriesInstanceUID", series,
                                "SOPInstanceUID", sop));
        HttpResponse<String> stow =
                server.http()
                        .post(
                                "/dicomweb/studies",
                                "multipart/related; type=\"application/dicom\"; boundary=r",
                                DicomFiles.multipart("r", file));
        assertThat(stow.statusCode()).as(stow.body()).isEqualTo(200);
        orthanc = Orthanc.start(Optional.empty());
        HttpResponse<byte[]> stored = orthanc.post("/instances", "application/dicom", file);
        assertThat(stored.statusCode()).isEqualTo(200);
        path = "studies/" + study + "/series/" + series + "/instances/" + sop;
    }

    @AfterAll
    static void stopOrthanc() {
        if (orthanc != null) {
            orthanc.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"40,400,linear", "300,1500,linear", "40,400,sigmoid", ""})
    void a_ct_slice_renders_as_orthanc_renders_it(String window) throws Exception {
        String query = window.isEmpty() ? "" : "?window=" + window;
        HttpResponse<byte[]> ours = quorum(path + "/rendered" + query, "image/png");
        HttpResponse<byte[]> theirs =
                get(
                        orthanc.baseUrl().resolve("/dicom-web/" + path + "/rendered" + query),
                        null,
                        "image/png");

        assertThat(ours.statusCode()).isEqualTo(200);
        assertThat(ours.headers().firstValue("Content-Type")).contains("image/png");
        assertThat(theirs.statusCode()).as(new String(theirs.body())).isEqualTo(200);
        BufferedImage a = ImageIO.read(new ByteArrayInputStream(ours.body()));
        BufferedImage b = ImageIO.read(new ByteArrayInputStream(theirs.body()));
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        assertThat(a.getHeight()).isEqualTo(b.getHeight());
        double total = 0;
        int worst = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int diff = Math.abs((a.getRGB(x, y) & 0xff) - (b.getRGB(x, y) & 0xff));
                total += diff;
                worst = Math.max(worst, diff);
            }
        }
        double mean = total / (a.getWidth() * a.getHeight());
        assertThat(mean).as("mean absolute difference, window " + window).isLessThan(1.0);
        assertThat(worst).as("largest difference, window " + window).isLessThanOrEqualTo(2);
    }

    @Test
    void the_comparison_tells_windows_apart() throws Exception {
        // The tolerance above means something: two different windows are far apart.
        BufferedImage soft =
                ImageIO.read(
                        new ByteArrayInputStream(
                                quorum(path + "/rendered?window=40,400,linear", "image/png")
                                        .body()));
        BufferedImage bone =
                ImageIO.read(
                        new ByteArrayInputStream(
                                get(
                                                orthanc.baseUrl()
                                                        .resolve(
                                                                "/dicom-web/"
                                                                        + path
                                                                        + "/rendered?window=300,1500,linear"),
                                                null,
                                                "image/png")
                                        .body()));
        double total = 0;
        for (int y = 0; y < soft.getHeight(); y++) {
            for (int x = 0; x < soft.getWidth(); x++) {
                total += Math.abs((soft.getRGB(x, y) & 0xff) - (bone.getRGB(x, y) & 0xff));
            }
        }
        assertThat(total / (soft.getWidth() * soft.getHeight())).isGreaterThan(10);
    }

    @Test
    void jpeg_is_the_default_and_the_viewport_scales() throws Exception {
        HttpResponse<byte[]> jpeg = quorum(path + "/rendered", null);
        assertThat(jpeg.statusCode()).isEqualTo(200);
        assertThat(jpeg.headers().firstValue("Content-Type")).contains("image/jpeg");
        HttpResponse<byte[]> small =
                quorum(path + "/frames/1/rendered?viewport=64,64", "image/png");
        assertThat(small.statusCode()).isEqualTo(200);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(small.body()));
        assertThat(image.getWidth()).isEqualTo(64);
        assertThat(image.getHeight()).isEqualTo(64);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/rendered?window=40",
                "/rendered?window=a,b",
                "/rendered?quality=0",
                "/rendered?viewport=0,10",
                "/frames/2/rendered",
                "/frames/1,2/rendered"
            })
    void bad_parameters_get_a_reason(String suffix) throws Exception {
        HttpResponse<byte[]> response = quorum(path + suffix, "image/png");
        assertThat(response.statusCode()).isIn(400, 404);
        assertThat(new String(response.body())).isNotBlank();
    }

    @Test
    void an_unsupported_media_type_is_406() throws Exception {
        HttpResponse<byte[]> response = quorum(path + "/rendered", "image/gif");
        assertThat(response.statusCode()).isEqualTo(406);
    }

    private static HttpResponse<byte[]> quorum(String relative, String accept) throws Exception {
        return get(server.baseUrl().resolve("/dicomweb/" + relative), server.adminToken(), accept);
    }

    private static HttpResponse<byte[]> get(URI uri, String token, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
