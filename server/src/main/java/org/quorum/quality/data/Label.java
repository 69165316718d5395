package org.quorum.quality.data;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A label (an Observation claiming the QuorumLabel profile) reduced to what the quality reports
 * use. References are relative and versionless ({@code Observation/12}).
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
        Instant lastUpdated) {

    /** Statuses of labels that are in use (not entered in error or cancelled). */
    public static final Set<String> ACTIVE_STATUSES =
            Set.of("preliminary", "final", "amended", "corrected");

    /** Statuses of finalised labels: final and its later corrections. */
    public static final Set<String> FINAL_STATUSES = Set.of("final", "amended", "corrected");

    public Label {
        sources = List.copyOf(sources);
        bodySite = List.copyOf(bodySite);
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
