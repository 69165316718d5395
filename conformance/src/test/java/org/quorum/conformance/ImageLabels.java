package org.quorum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.StringType;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.Examples;
import org.quorum.testing.RunningServer;

/**
 * Source images stored by STOW-RS and image labels on them, as a labelling tool would write them:
 * the profile examples ({@code fhir-profiles/examples}) with the image region moved onto a stored
 * instance. Final labels get their TID 1500 SR from Quorum on write; {@code $dicom-sr} makes one
 * for any label.
 */
final class ImageLabels {

    static final String IMAGE_REGION =
            "https://quorum.dev/fhir/StructureDefinition/quorum-image-region";

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private ImageLabels() {}

    /** A stored source image: its UIDs. */
    record StoredImage(String study, String series, String sop) {}

    /** The resources the examples reference (PUT with fixed ids: repeatable). */
    static void storeExampleFixtures(RunningServer server) {
        HttpResponse<String> fixtures =
                server.http()
                        .postFhir("/fhir", Examples.read("fixtures/referenced-resources.json"));
        assertThat(fixtures.statusCode()).as(fixtures.body()).isEqualTo(200);
    }

    /** STOWs a copy of a shared test image with fresh UIDs (and the given attributes). */
    static StoredImage storeImage(
            RunningServer server, String testFile, Map<String, String> attributes) {
        StoredImage image =
                new StoredImage(DicomFiles.newUid(), DicomFiles.newUid(), DicomFiles.newUid());
        Map<String, String> values = new java.util.HashMap<>(attributes);
        values.put("StudyInstanceUID", image.study());
        values.put("SeriesInstanceUID", image.series());
        values.put("SOPInstanceUID", image.sop());
        String boundary = "quorum-conformance-" + image.sop().hashCode();
        HttpResponse<String> stow =
                send(
                        server,
                        HttpRequest.newBuilder(server.baseUrl().resolve("/dicomweb/studies"))
                                .header(
                                        "Content-Type",
                                        "multipart/related; type=\"application/dicom\"; boundary="
                                                + boundary)
                                .header("Accept", "application/dicom+json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofByteArray(
                                                DicomFiles.multipart(
                                                        boundary,
                                                        DicomFiles.copy(testFile, values)))));
        assertThat(stow.statusCode()).as(stow.body()).isEqualTo(200);
        return image;
    }

    /**
     * A profile example label (e.g. {@code valid/image-label.json}) with a new id and status, its
     * image region on {@code sop}.
     */
    static Observation label(
            IParser parser,
            String example,
            String id,
            String status,
            String sop,
            String graphicType,
            String coordinates) {
        Observation label = parser.parseResource(Observation.class, Examples.read(example));
        label.setId(id);
        label.setStatus(Observation.ObservationStatus.fromCode(status));
        Extension region = label.getExtensionByUrl(IMAGE_REGION);
        region.getExtension()
                .removeIf(e -> !List.of("sopInstanceUid", "frame").contains(e.getUrl()));
        region.getExtensionByUrl("sopInstanceUid").setValue(new IdType(sop));
        region.addExtension("graphicType", new CodeType(graphicType));
        region.addExtension("coordinates", new StringType(coordinates));
        return label;
    }

    /** PUTs a label; returns the stored label as the server answers it. */
    static String put(RunningServer server, IParser parser, Observation label) {
        HttpResponse<String> put =
                server.http()
                        .putFhir(
                                "/fhir/Observation/" + label.getIdElement().getIdPart(),
                                parser.encodeResourceToString(label));
        assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
        return put.body();
    }

    /** {@code $dicom-sr} on a stored label: the Parameters Quorum answers. */
    static String dicomSr(RunningServer server, String labelId) {
        HttpResponse<String> response =
                server.http()
                        .postFhir(
                                "/fhir/Observation/" + labelId + "/$dicom-sr",
                                "{\"resourceType\":\"Parameters\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static HttpResponse<String> send(RunningServer server, HttpRequest.Builder request) {
        try {
            return CLIENT.send(
                    request.header("Authorization", "Bearer " + server.adminToken()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
    }

    static URI wado(RunningServer server, String study, String series, String sop) {
        return server.baseUrl()
                .resolve("/dicomweb/studies/" + study + "/series/" + series + "/instances/" + sop);
    }
}
