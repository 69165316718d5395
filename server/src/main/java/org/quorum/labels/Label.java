package org.quorum.labels;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A label (a QuorumLabel Observation: one that claims the profile or belongs to a project, see
 * {@link LabelRecognition}) reduced to what quality, SR and the review workflow use. References are
 * relative and versionless ({@code Observation/12}). {@link LabelReadModel} reads them.
 *
 * @param id the Observation
 * @param project the ResearchStudy (extension quorum-project)
 * @param status Observation.status code
 * @param code the first coding of Observation.code
 * @param subject the Patient
 * @param sources Observation.derivedFrom references, sorted
 * @param performer the annotator's PractitionerRole, if any
 * @param device the AI model's Device, if any
 * @param textSpan {@code start-end} of the text span extension, if any
 * @param imageRegion {@code sopInstanceUid#frame} of the image region extension, if any
 * @param bodySite Observation.bodySite codings as {@code system|code}
 * @param laterality the SNOMED CT laterality code (extension quorum-laterality), if any
 * @param encounter Observation.encounter, if any
 * @param lastUpdated meta.lastUpdated
 * @param method Observation.method code (human, ai, ai-assisted), or {@code "unknown"}
 * @param confidence the quorum-confidence extension, if any
 * @param span the text span's offsets, if it has one with both
 * @param region the image region's shape, if it has one with a SOP Instance UID
 */
public record Label(
        String id,
        String project,
        String status,
        LabelCode code,
        String subject,
        List<String> sources,
        Optional<String> performer,
        Optional<String> device,
        Optional<String> textSpan,
        Optional<String> imageRegion,
        List<String> bodySite,
        Optional<String> laterality,
        Optional<String> encounter,
        Instant lastUpdated,
        String method,
        Optional<Double> confidence,
        Optional<Span> span,
        Optional<Region> region) {

    /** Statuses of labels that are in use (not entered in error or cancelled). */
    public static final Set<String> ACTIVE_STATUSES =
            Set.of("preliminary", "final", "amended", "corrected");

    /** Statuses of finalised labels: final and its later corrections. */
    public static final Set<String> FINAL_STATUSES = Set.of("final", "amended", "corrected");

    public Label {
        sources = List.copyOf(sources);
        bodySite = List.copyOf(bodySite);
    }

    /** A label without method, confidence or shapes (tests and callers that need none). */
    public Label(
            String id,
            String project,
            String status,
            LabelCode code,
            String subject,
            List<String> sources,
            Optional<String> performer,
            Optional<String> device,
            Optional<String> textSpan,
            Optional<String> imageRegion,
            List<String> bodySite,
            Optional<String> laterality,
            Optional<String> encounter,
            Instant lastUpdated) {
        this(
                id,
                project,
                status,
                code,
                subject,
                sources,
                performer,
                device,
                textSpan,
                imageRegion,
                bodySite,
                laterality,
                encounter,
                lastUpdated,
                "unknown",
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /**
     * Character offsets of a text span: 0-based, end exclusive.
     *
     * @param start first character
     * @param end after the last character
     */
    public record Span(int start, int end) {

        /** Characters in the span (0 when end is not after start). */
        public int length() {
            return Math.max(0, end - start);
        }
    }

    /**
     * An image region: the image (SOP Instance UID and frame), the DICOM graphic type and the
     * column/row pairs of its coordinates.
     *
     * @param sopInstanceUid the image
     * @param frame the frame, 1 when the label names none
     * @param graphicType POINT, MULTIPOINT, POLYLINE, CIRCLE, ELLIPSE (PS3.3 C.18.6.1.2)
     * @param coordinates column, row, column, row, …
     */
    public record Region(
            String sopInstanceUid, int frame, String graphicType, List<Double> coordinates) {

        public Region {
            coordinates = List.copyOf(coordinates);
        }
    }

    /** Whether an AI model made the label alone (method ai). */
    public boolean isAi() {
        return "ai".equals(method);
    }

    /** Who made the label: the performer (PractitionerRole) or, for AI labels, the Device. */
    public String rater() {
        return performer.or(() -> device).orElse("unknown");
    }

    /**
     * What was labelled: subject, sources and, when present, the text span or image region. Two
     * labels with the same unit key are ratings of the same unit.
     */
    public String unitKey() {
        return subject
                + " "
                + String.join(",", sources)
                + textSpan.map(s -> " span " + s).orElse("")
                + imageRegion.map(r -> " region " + r).orElse("");
    }

    /** The labelled case without span or region: subject and sources. */
    public String caseKey() {
        return subject + " " + String.join(",", sources);
    }

    /** The first source (derivedFrom) or, when there is none, {@code null}. */
    public String source() {
        return sources.isEmpty() ? null : sources.get(0);
    }

    /** Note, image, or other, from the types of the derivedFrom references. */
    public Modality modality() {
        boolean note = sources.stream().anyMatch(s -> s.startsWith("DocumentReference/"));
        boolean image = sources.stream().anyMatch(s -> s.startsWith("ImagingStudy/"));
        if (note == image) {
            return Modality.OTHER;
        }
        return note ? Modality.NOTE : Modality.IMAGE;
    }

    public boolean isActive() {
        return ACTIVE_STATUSES.contains(status);
    }
}
