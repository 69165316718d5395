package org.quorum.dicom.web;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UniversalResourceAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.quorum.dicom.render.DicomRenderer;
import org.quorum.dicom.render.RenderOptions;
import org.quorum.dicom.store.DicomQuery;
import org.quorum.dicom.store.DicomStore;
import org.quorum.dicom.store.DicomStoreException;
import org.quorum.dicom.store.InvalidDicomQueryException;
import org.quorum.dicom.store.QueryLevel;
import org.quorum.dicom.store.StoreOutcome;
import org.quorum.dicom.store.index.InstanceEntity;
import org.quorum.security.Operation;

/**
 * DICOMweb (PS3.18) over the DICOM store: STOW-RS (§10.5), QIDO-RS (§10.6) and WADO-RS (§10.4)
 * retrieve, metadata and bulk data. A thin adapter: it negotiates media types, asks {@link
 * DicomWebAccess}, calls the store and maps the result to the wire.
 */
@Path("/")
public final class DicomWebResource {

    static final String DICOM = "application/dicom";
    static final String DICOM_JSON = "application/dicom+json";
    static final String OCTET_STREAM = "application/octet-stream";

    // PS3.6 tags PixelMed's dictionary of 2022 does not name.
    private static final AttributeTag RETRIEVE_URL = new AttributeTag(0x0008, 0x1190);
    private static final AttributeTag FAILED_SOP_SEQUENCE = new AttributeTag(0x0008, 0x1198);
    private static final AttributeTag FAILURE_REASON = new AttributeTag(0x0008, 0x1197);

    private final DicomStore store;
    private final DicomWebAccess access;
    private final long maxStowBytes;
    private final DicomRenderer renderer = new DicomRenderer();

    DicomWebResource(DicomStore store, DicomWebAccess access, long maxStowBytes) {
        this.store = store;
        this.access = access;
        this.maxStowBytes = maxStowBytes;
    }

    // ---- STOW-RS ------------------------------------------------------------------------------

    @POST
    @Path("studies")
    public Response stow(
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            InputStream body,
            @Context UriInfo uri) {
        return store(contentType, body, Optional.empty(), uri);
    }

    @POST
    @Path("studies/{study}")
    public Response stowToStudy(
            @PathParam("study") String study,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            InputStream body,
            @Context UriInfo uri) {
        return store(contentType, body, Optional.of(uid(study)), uri);
    }

    private Response store(
            String contentType, InputStream body, Optional<String> study, UriInfo uri) {
        access.check(Operation.CREATE);
        String boundary = stowBoundary(contentType);
        // Each application/dicom part goes to a file in the store's incoming directory as it
        // arrives, hashed on the way: the heap holds a buffer, never the body.
        List<DicomStore.Upload> uploads = new ArrayList<>();
        List<Boolean> isDicom = new ArrayList<>();
        try {
            int parts;
            try {
                parts =
                        MultipartRelated.read(
                                body,
                                boundary,
                                maxStowBytes,
                                headers -> {
                                    String partType = headers.get("content-type");
                                    if (partType == null
                                            || MediaRange.parse(partType)
                                                    .admits("application", "dicom")) {
                                        DicomStore.Upload upload = store.upload();
                                        uploads.add(upload);
                                        isDicom.add(true);
                                        return upload::write;
                                    }
                                    isDicom.add(false);
                                    return (bytes, offset, length) -> {};
                                });
                for (DicomStore.Upload upload : uploads) {
                    upload.finish();
                }
            } catch (MultipartRelated.TooLargeException e) {
                try {
                    // Read the rest without keeping it, so that the client gets the answer (a
                    // request left half read ends with an empty response on a closed connection).
                    body.transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // The client stopped sending; it gets the same answer.
                }
                throw DicomWebException.payloadTooLarge(
                        "The STOW-RS request is larger than "
                                + (maxStowBytes >> 20)
                                + " MiB (QUORUM_HTTP_MAX_STOW_MB): send the instances in"
                                + " several requests");
            } catch (IOException e) {
                throw DicomWebException.badRequest("The request body could not be read to its end");
            }
            if (parts == 0) {
                throw DicomWebException.badRequest("The multipart body has no parts");
            }
            // The AuditEvent commits with the last instance's index row when that one is new: a
            // one-instance STOW commits once.
            boolean otherParts = isDicom.contains(false);
            DicomStore.WithLastInstance withLast =
                    access.requestAudit()
                            .<DicomStore.WithLastInstance>map(
                                    audit ->
                                            all ->
                                                    audit.recordInTransaction(
                                                            stowStatus(all, otherParts)))
                            .orElse(all -> {});
            List<StoreOutcome> outcomes = new ArrayList<>(store.storeAll(uploads, study, withLast));
            for (boolean dicom : isDicom) {
                if (!dicom) {
                    outcomes.add(
                            new StoreOutcome.Failed(
                                    Optional.empty(),
                                    Optional.empty(),
                                    StoreOutcome.CANNOT_UNDERSTAND,
                                    "The part is not application/dicom"));
                }
            }
            return stowResponse(outcomes, study, base(uri));
        } finally {
            // Removes the received files that were not stored.
            uploads.forEach(DicomStore.Upload::close);
        }
    }

    /** PS3.18 §10.5.1: multipart/related; type="application/dicom"; boundary=... */
    private static String stowBoundary(String contentType) {
        if (contentType == null) {
            throw DicomWebException.unsupportedMediaType(
                    "STOW-RS needs Content-Type multipart/related; type=\"application/dicom\"");
        }
        MediaRange type = MediaRange.parse(contentType);
        if (!type.type().equals("multipart") || !type.subtype().equals("related")) {
            throw DicomWebException.unsupportedMediaType(
                    "STOW-RS takes multipart/related; type=\"application/dicom\", not "
                            + type.type()
                            + "/"
                            + type.subtype());
        }
        String partType = type.parameter("type");
        if (partType != null && !partType.equalsIgnoreCase(DICOM)) {
            throw DicomWebException.unsupportedMediaType(
                    "Only type=\"application/dicom\" parts are accepted (the DICOM JSON and XML"
                            + " forms with bulk data parts are not supported)");
        }
        String boundary = type.parameter("boundary");
        if (boundary == null || boundary.isEmpty()) {
            throw DicomWebException.badRequest(
                    "The multipart/related Content-Type has no boundary");
        }
        return boundary;
    }

    private static Response stowResponse(
            List<StoreOutcome> outcomes, Optional<String> study, String base) {
        AttributeList response = new AttributeList();
        SequenceAttribute referenced = new SequenceAttribute(TagFromName.ReferencedSOPSequence);
        SequenceAttribute failed = new SequenceAttribute(FAILED_SOP_SEQUENCE);
        Set<String> studies = new LinkedHashSet<>();
        for (StoreOutcome outcome : outcomes) {
            AttributeList item = new AttributeList();
            if (outcome instanceof StoreOutcome.Stored stored) {
                var instance = stored.instance();
                studies.add(instance.studyInstanceUid());
                put(
                        item,
                        new UniqueIdentifierAttribute(TagFromName.ReferencedSOPClassUID),
                        instance.sopClassUid());
                put(
                        item,
                        new UniqueIdentifierAttribute(TagFromName.ReferencedSOPInstanceUID),
                        instance.sopInstanceUid());
                put(
                        item,
                        new UniversalResourceAttribute(RETRIEVE_URL),
                        base
                                + "studies/"
                                + instance.studyInstanceUid()
                                + "/series/"
                                + instance.seriesInstanceUid()
                                + "/instances/"
                                + instance.sopInstanceUid());
                referenced.addItem(new SequenceItem(item));
            } else if (outcome instanceof StoreOutcome.Failed failure) {
                failure.sopClassUid()
                        .ifPresent(
                                v ->
                                        put(
                                                item,
                                                new UniqueIdentifierAttribute(
                                                        TagFromName.ReferencedSOPClassUID),
                                                v));
                failure.sopInstanceUid()
                        .ifPresent(
                                v ->
                                        put(
                                                item,
                                                new UniqueIdentifierAttribute(
                                                        TagFromName.ReferencedSOPInstanceUID),
                                                v));
                UnsignedShortAttribute reason = new UnsignedShortAttribute(FAILURE_REASON);
                try {
                    reason.addValue(failure.failureReason());
                } catch (DicomException e) {
                    throw new IllegalStateException(e);
                }
                item.put(reason);
                failed.addItem(new SequenceItem(item));
            }
        }
        if (studies.size() == 1 || study.isPresent()) {
            put(
                    response,
                    new UniversalResourceAttribute(RETRIEVE_URL),
                    base + "studies/" + study.orElseGet(() -> studies.iterator().next()));
        }
        if (referenced.getNumberOfItems() > 0) {
            response.put(referenced);
        }
        if (failed.getNumberOfItems() > 0) {
            response.put(failed);
        }
        int status = stowStatus(outcomes, false);
        try {
            return Response.status(status)
                    .type(DICOM_JSON)
                    .entity(DicomJson.object(response))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * PS3.18 §10.5.3: 200 all stored, 202 some failed, 409 none stored.
     *
     * @param otherFailed whether parts not among {@code outcomes} failed too
     */
    static int stowStatus(List<StoreOutcome> outcomes, boolean otherFailed) {
        boolean anyFailed =
                otherFailed || outcomes.stream().anyMatch(o -> o instanceof StoreOutcome.Failed);
        boolean anyStored = outcomes.stream().anyMatch(o -> o instanceof StoreOutcome.Stored);
        return !anyFailed ? 200 : anyStored ? 202 : 409;
    }

    private static void put(AttributeList list, Attribute attribute, String value) {
        try {
            attribute.addValue(value);
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        }
        list.put(attribute);
    }

    // ---- QIDO-RS ------------------------------------------------------------------------------

    @GET
    @Path("studies")
    public Response searchStudies(@Context UriInfo uri, @Context HttpHeaders headers) {
        return search(QueryLevel.STUDY, Optional.empty(), Optional.empty(), uri, headers);
    }

    @GET
    @Path("series")
    public Response searchSeries(@Context UriInfo uri, @Context HttpHeaders headers) {
        return search(QueryLevel.SERIES, Optional.empty(), Optional.empty(), uri, headers);
    }

    @GET
    @Path("instances")
    public Response searchInstances(@Context UriInfo uri, @Context HttpHeaders headers) {
        return search(QueryLevel.INSTANCE, Optional.empty(), Optional.empty(), uri, headers);
    }

    @GET
    @Path("studies/{study}/series")
    public Response searchSeriesOfStudy(
            @PathParam("study") String study, @Context UriInfo uri, @Context HttpHeaders headers) {
        return search(QueryLevel.SERIES, Optional.of(uid(study)), Optional.empty(), uri, headers);
    }

    @GET
    @Path("studies/{study}/instances")
    public Response searchInstancesOfStudy(
            @PathParam("study") String study, @Context UriInfo uri, @Context HttpHeaders headers) {
        return search(QueryLevel.INSTANCE, Optional.of(uid(study)), Optional.empty(), uri, headers);
    }

    @GET
    @Path("studies/{study}/series/{series}/instances")
    public Response searchInstancesOfSeries(
            @PathParam("study") String study,
            @PathParam("series") String series,
            @Context UriInfo uri,
            @Context HttpHeaders headers) {
        return search(
                QueryLevel.INSTANCE,
                Optional.of(uid(study)),
                Optional.of(uid(series)),
                uri,
                headers);
    }

    private Response search(
            QueryLevel level,
            Optional<String> study,
            Optional<String> series,
            UriInfo uri,
            HttpHeaders headers) {
        requireJson(headers);
        Optional<Set<String>> allowed = access.check(Operation.SEARCH);
        DicomQuery query;
        try {
            query = DicomQuery.parse(level, study, series, uri.getQueryParameters());
        } catch (InvalidDicomQueryException e) {
            throw DicomWebException.badRequest(e.getMessage());
        }
        if (allowed.isPresent()) {
            query = query.restrictedTo(allowed.get());
        }
        List<AttributeList> results = store.search(query);
        String base = base(uri);
        for (AttributeList result : results) {
            put(
                    result,
                    new UniversalResourceAttribute(RETRIEVE_URL),
                    retrieveUrl(base, level, result));
        }
        Response.ResponseBuilder response =
                Response.ok(
                        (StreamingOutput)
                                out -> DicomJson.writeArray(results, r -> Optional.empty(), out),
                        DICOM_JSON);
        if (!query.warnings().isEmpty()) {
            // PS3.18 §8.3.4.6: unsupported keys are ignored and reported in a Warning header.
            response.header(
                    "Warning",
                    "299 Quorum: \"The following attributes are not supported as matching keys"
                            + " or include fields and were ignored: "
                            + String.join(", ", query.warnings()).replace("\"", "'")
                            + "\"");
        }
        return response.build();
    }

    private static String retrieveUrl(String base, QueryLevel level, AttributeList result) {
        String url = base + "studies/" + value(result, TagFromName.StudyInstanceUID);
        if (level != QueryLevel.STUDY) {
            url += "/series/" + value(result, TagFromName.SeriesInstanceUID);
        }
        if (level == QueryLevel.INSTANCE) {
            url += "/instances/" + value(result, TagFromName.SOPInstanceUID);
        }
        return url;
    }

    private static String value(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag);
    }

    // ---- WADO-RS ------------------------------------------------------------------------------

    @GET
    @Path("studies/{study}")
    public Response retrieveStudy(@PathParam("study") String study, @Context HttpHeaders headers) {
        return retrieve(uid(study), Optional.empty(), Optional.empty(), headers);
    }

    @GET
    @Path("studies/{study}/series/{series}")
    public Response retrieveSeries(
            @PathParam("study") String study,
            @PathParam("series") String series,
            @Context HttpHeaders headers) {
        return retrieve(uid(study), Optional.of(uid(series)), Optional.empty(), headers);
    }

    @GET
    @Path("studies/{study}/series/{series}/instances/{instance}")
    public Response retrieveInstance(
            @PathParam("study") String study,
            @PathParam("series") String series,
            @PathParam("instance") String instance,
            @Context HttpHeaders headers) {
        return retrieve(uid(study), Optional.of(uid(series)), Optional.of(uid(instance)), headers);
    }

    private Response retrieve(
            String study, Optional<String> series, Optional<String> instance, HttpHeaders headers) {
        access.checkStudy(Operation.READ, study);
        List<InstanceEntity> instances = instances(study, series, instance);
        requireDicom(headers, instances);
        String boundary = MultipartRelated.newBoundary();
        StreamingOutput body =
                out -> {
                    MultipartRelated.Writer writer = new MultipartRelated.Writer(out, boundary);
                    for (InstanceEntity stored : instances) {
                        OutputStream part =
                                writer.startPart(
                                        DICOM + "; transfer-syntax=" + stored.transferSyntaxUid());
                        try (InputStream file = store.open(stored)) {
                            file.transferTo(part);
                        }
                        writer.endPart();
                    }
                    writer.finish();
                };
        return Response.ok(body)
                .header(
                        HttpHeaders.CONTENT_TYPE,
                        "multipart/related; type=\"" + DICOM + "\"; boundary=" + boundary)
                .build();
    }

    // ---- rendered resources (PS3.18 §9.5.1.2.1: instance and frame)
    // -------------------------------

    @GET
    @Path("studies/{study}/series/{series}/instances/{instance}/rendered")
    public Response renderedInstance(
            @PathParam("study") String study,
            @PathParam("series") String series,
            @PathParam("instance") String instance,
            @Context UriInfo uri,
            @Context HttpHeaders headers) {
        return rendered(uid(study), uid(series), uid(instance), "1", uri, headers);
    }

    @GET
    @Path("studies/{study}/series/{series}/instances/{instance}/frames/{frames}/rendered")
    public Response renderedFrame(
            @PathParam("study") String study,
            @PathParam("series") String series,
            @PathParam("instance") String instance,
            @PathParam("frames") String frames,
            @Context UriInfo uri,
            @Context HttpHeaders headers) {
        return rendered(uid(study), uid(series), uid(instance), frames, uri, headers);
    }

    private Response rendered(
            String study,
            String series,
            String instance,
            String frames,
            UriInfo uri,
            HttpHeaders headers) {
        String mediaType = renderedMediaType(uri, headers);
        int frame;
        try {
            frame = Integer.parseInt(frames);
        } catch (NumberFormatException e) {
            throw DicomWebException.badRequest(
                    "Give one frame number (1-based): several frames are not rendered into one"
                            + " image here");
        }
        RenderOptions options;
        try {
            var query = uri.getQueryParameters();
            options =
                    RenderOptions.parse(
                            mediaType,
                            query.getFirst("window"),
                            query.getFirst("viewport"),
                            query.getFirst("quality"));
        } catch (IllegalArgumentException e) {
            throw DicomWebException.badRequest(e.getMessage());
        }
        access.checkStudy(Operation.READ, study);
        InstanceEntity stored = instances(study, Optional.of(series), Optional.of(instance)).get(0);
        try {
            byte[] image = renderer.render(dataset(stored), frame, options);
            return Response.ok(image).header(HttpHeaders.CONTENT_TYPE, mediaType).build();
        } catch (DicomRenderer.RenderException e) {
            throw DicomWebException.notFound(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw DicomWebException.badRequest(e.getMessage());
        }
    }

    /**
     * PS3.18 §8.3.5.1: image/jpeg by default; image/png on request (Accept header or the {@code
     * accept} query parameter).
     */
    private static String renderedMediaType(UriInfo uri, HttpHeaders headers) {
        String query = uri.getQueryParameters().getFirst("accept");
        List<MediaRange> ranges =
                query != null ? MediaRange.parseList(List.of(query)) : acceptable(headers);
        if (ranges.isEmpty()) {
            return RenderOptions.JPEG;
        }
        for (MediaRange range : ranges) {
            if (range.admits("image", "jpeg")) {
                return RenderOptions.JPEG;
            }
            if (range.admits("image", "png")) {
                return RenderOptions.PNG;
            }
        }
        throw DicomWebException.notAcceptable(
                "Rendered images are served as image/jpeg or image/png");
    }

    @GET
    @Path("studies/{study}/metadata")
    public Response studyMetadata(
            @PathParam("study") String study, @Context UriInfo uri, @Context HttpHeaders headers) {
        return metadata(uid(study), Optional.empty(), Optional.empty(), uri, headers);
    }

    @GET
    @Path("studies/{study}/series/{series}/metadata")
    public Response seriesMetadata(
            @PathParam("study") String study,
            @PathParam("series") String series,
            @Context UriInfo uri,
            @Context HttpHeaders headers) {
        return metadata(uid(study), Optional.of(uid(series)), Optional.empty(), uri, headers);
    }

    @GET
    @Path("studies/{study}/series/{series}/instances/{instance}/metadata")
    public Response instanceMetadata(
            @PathParam("study") String study,
            @PathParam("series") String series,
            @PathParam("instance") String instance,
            @Context UriInfo uri,
            @Context HttpHeaders headers) {
        return metadata(
                uid(study), Optional.of(uid(series)), Optional.of(uid(instance)), uri, headers);
    }

    private Response metadata(
            String study,
            Optional<String> series,
            Optional<String> instance,
            UriInfo uri,
            HttpHeaders headers) {
        requireJson(headers);
        access.checkStudy(Operation.READ, study);
        List<InstanceEntity> instances = instances(study, series, instance);
        List<AttributeList> datasets = new ArrayList<>();
        for (InstanceEntity stored : instances) {
            datasets.add(dataset(stored));
        }
        String base = base(uri);
        StreamingOutput body =
                out ->
                        DicomJson.writeArray(
                                datasets,
                                dataset ->
                                        Optional.of(
                                                base
                                                        + "studies/"
                                                        + value(
                                                                dataset,
                                                                TagFromName.StudyInstanceUID)
                                                        + "/series/"
                                                        + value(
                                                                dataset,
                                                                TagFromName.SeriesInstanceUID)
                                                        + "/instances/"
                                                        + value(dataset, TagFromName.SOPInstanceUID)
                                                        + "/bulkdata/"),
                                out);
        return Response.ok(body, DICOM_JSON).build();
    }

    @GET
    @Path("studies/{study}/series/{series}/instances/{instance}/bulkdata/{tag}")
    public Response bulkData(
            @PathParam("study") String study,
            @PathParam("series") String series,
            @PathParam("instance") String instance,
            @PathParam("tag") String tag,
            @Context HttpHeaders headers) {
        if (!tag.matches("[0-9A-Fa-f]{8}")) {
            throw DicomWebException.badRequest("The bulk data path must be an 8-digit hex tag");
        }
        access.checkStudy(Operation.READ, uid(study));
        InstanceEntity stored =
                instances(uid(study), Optional.of(uid(series)), Optional.of(uid(instance))).get(0);
        boolean single = bulkAccept(headers);
        long value = Long.parseLong(tag, 16);
        Attribute attribute =
                dataset(stored).get(new AttributeTag((int) (value >>> 16), (int) (value & 0xFFFF)));
        if (attribute == null || attribute.getVL() == 0) {
            throw DicomWebException.notFound(
                    "The instance has no value for " + tag.toUpperCase(Locale.ROOT));
        }
        byte[] bytes;
        try {
            bytes = DicomJson.bytes(attribute);
        } catch (DicomException | RuntimeException e) {
            throw DicomWebException.notFound(
                    "The attribute " + tag.toUpperCase(Locale.ROOT) + " is not a bulk data value");
        }
        if (single) {
            return Response.ok(bytes, OCTET_STREAM).build();
        }
        String boundary = MultipartRelated.newBoundary();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            MultipartRelated.Writer writer = new MultipartRelated.Writer(out, boundary);
            writer.startPart(OCTET_STREAM).write(bytes);
            writer.endPart();
            writer.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Response.ok(out.toByteArray())
                .header(
                        HttpHeaders.CONTENT_TYPE,
                        "multipart/related; type=\"" + OCTET_STREAM + "\"; boundary=" + boundary)
                .build();
    }

    private List<InstanceEntity> instances(
            String study, Optional<String> series, Optional<String> instance) {
        List<InstanceEntity> instances = store.instances(study, series);
        if (instance.isPresent()) {
            instances =
                    instances.stream()
                            .filter(i -> i.sopInstanceUid().equals(instance.get()))
                            .toList();
        }
        if (instances.isEmpty()) {
            throw DicomWebException.notFound(
                    instance.isPresent()
                            ? "No such instance in this series and study"
                            : series.isPresent()
                                    ? "No such series in this study"
                                    : "No such study");
        }
        return instances;
    }

    private AttributeList dataset(InstanceEntity stored) {
        try {
            return store.read(stored.sopInstanceUid())
                    .orElseThrow(() -> DicomWebException.notFound("No such instance"));
        } catch (DicomStoreException e) {
            throw new DicomWebException(500, "A stored instance cannot be read");
        }
    }

    // ---- media types --------------------------------------------------------------------------

    /** QIDO and metadata answer DICOM JSON (PS3.18 §8.7.3; XML is not offered). */
    private static void requireJson(HttpHeaders headers) {
        for (MediaRange accepted : acceptable(headers)) {
            if (accepted.admits("application", "dicom+json")
                    || accepted.admits("application", "json")) {
                return;
            }
        }
        throw DicomWebException.notAcceptable(
                "This resource is served as application/dicom+json only");
    }

    /**
     * Retrieve answers {@code multipart/related; type="application/dicom"} with the instances as
     * stored: a transfer-syntax parameter must be absent, {@code *}, or the stored one (no
     * transcoding, PS3.18 §8.7.3.5.2).
     */
    private static void requireDicom(HttpHeaders headers, List<InstanceEntity> instances) {
        for (MediaRange accepted : acceptable(headers)) {
            if (accepted.isWildcard()) {
                return;
            }
            if (!accepted.admits("multipart", "related")) {
                continue;
            }
            String type = accepted.parameter("type");
            if (type != null && !type.equalsIgnoreCase(DICOM)) {
                continue;
            }
            String syntax = accepted.parameter("transfer-syntax");
            if (syntax == null
                    || syntax.equals("*")
                    || instances.stream().allMatch(i -> i.transferSyntaxUid().equals(syntax))) {
                return;
            }
        }
        throw DicomWebException.notAcceptable(
                "Instances are served as multipart/related; type=\"application/dicom\" in their"
                        + " stored transfer syntax (transfer-syntax=* or "
                        + instances.get(0).transferSyntaxUid()
                        + ")");
    }

    /** Whether bulk data goes out as a single application/octet-stream body (else multipart). */
    private static boolean bulkAccept(HttpHeaders headers) {
        for (MediaRange accepted : acceptable(headers)) {
            if (accepted.isWildcard()) {
                return false;
            }
            if (accepted.admits("multipart", "related")) {
                String type = accepted.parameter("type");
                if (type == null || type.equalsIgnoreCase(OCTET_STREAM)) {
                    return false;
                }
            }
            if (accepted.admits("application", "octet-stream")) {
                return true;
            }
        }
        throw DicomWebException.notAcceptable(
                "Bulk data is served as multipart/related; type=\"application/octet-stream\" or"
                        + " application/octet-stream");
    }

    private static List<MediaRange> acceptable(HttpHeaders headers) {
        return MediaRange.parseList(headers.getRequestHeader(HttpHeaders.ACCEPT));
    }

    private static String uid(String value) {
        if (!DicomStore.isUid(value)) {
            throw DicomWebException.badRequest(
                    "'" + value.replaceAll("[^0-9A-Za-z.]", "?") + "' is not a valid UID");
        }
        return value;
    }

    private static String base(UriInfo uri) {
        String base = uri.getBaseUri().toString();
        return base.endsWith("/") ? base : base + "/";
    }
}
