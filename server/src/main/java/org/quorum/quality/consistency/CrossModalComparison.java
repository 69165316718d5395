package org.quorum.quality.consistency;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.quorum.labels.Label;
import org.quorum.labels.Modality;

/**
 * Compares a note label with an image label of the same finding and says whether, and how, they
 * contradict each other.
 *
 * <p><b>Which labels are compared.</b> Both active (preliminary, final, amended, corrected), same
 * project, same patient, same finding code (schema url and code; the schema version may differ),
 * one derived from a DocumentReference and the other from an ImagingStudy. When both labels name an
 * encounter (Observation.encounter), the encounters must be the same: findings of different
 * encounters may differ legitimately.
 *
 * <p><b>What contradicts.</b>
 *
 * <ul>
 *   <li>laterality (bodySite extension quorum-laterality, SNOMED CT): left (7771000) against right
 *       (24028007) is a contradiction of moderate severity; bilateral (51440002) against one side
 *       is one of low severity;
 *   <li>finding site (Observation.bodySite codings): both labels have site codes and share none
 *       (e.g. 266005 right lower lobe against 41224006 left lower lobe): moderate. Sites are
 *       compared by code, not by SNOMED CT hierarchy, so a site and a part of it (right lung, right
 *       lower lobe) also differ: label schemas should use one granularity of sites.
 * </ul>
 *
 * A label without laterality or site says nothing about them and contradicts nothing.
 */
public final class CrossModalComparison {

    public static final String LEFT = "7771000";
    public static final String RIGHT = "24028007";
    public static final String BILATERAL = "51440002";

    static final Map<String, String> LATERALITY_NAMES =
            Map.of(LEFT, "left", RIGHT, "right", BILATERAL, "bilateral");

    /** How serious a contradiction is, in DetectedIssue.severity terms. */
    public enum Severity {
        MODERATE,
        LOW
    }

    /**
     * A contradiction between a note label and an image label.
     *
     * @param note the label derived from a note
     * @param image the label derived from an image study
     * @param differences what differs, one sentence each
     * @param severity the most severe of the differences
     */
    public record Conflict(Label note, Label image, List<String> differences, Severity severity) {

        public Conflict {
            differences = List.copyOf(differences);
        }

        /** A human-readable account, for DetectedIssue.detail. */
        public String detail() {
            return "The note label "
                    + note.id()
                    + " (on "
                    + String.join(", ", note.sources())
                    + ") and the image label "
                    + image.id()
                    + " (on "
                    + String.join(", ", image.sources())
                    + ") of "
                    + note.subject()
                    + " disagree about "
                    + note.code().displayOrCode()
                    + ": "
                    + String.join("; ", differences)
                    + ".";
        }
    }

    private CrossModalComparison() {}

    /** Whether the two labels are a note label and an image label of the same finding. */
    public static boolean comparable(Label note, Label image) {
        return note.modality() == Modality.NOTE
                && image.modality() == Modality.IMAGE
                && note.isActive()
                && image.isActive()
                && Objects.equals(note.project(), image.project())
                && Objects.equals(note.subject(), image.subject())
                && note.code().key().equals(image.code().key())
                && (note.encounter().isEmpty()
                        || image.encounter().isEmpty()
                        || note.encounter().equals(image.encounter()));
    }

    /** The contradiction between a note label and an image label, if they contradict. */
    public static Optional<Conflict> compare(Label note, Label image) {
        if (!comparable(note, image)) {
            return Optional.empty();
        }
        List<String> differences = new ArrayList<>();
        Severity severity = null;
        if (note.laterality().isPresent()
                && image.laterality().isPresent()
                && !note.laterality().equals(image.laterality())) {
            String a = note.laterality().get();
            String b = image.laterality().get();
            differences.add(
                    "laterality: the note says "
                            + lateralityName(a)
                            + " ("
                            + a
                            + "), the image "
                            + lateralityName(b)
                            + " ("
                            + b
                            + ")");
            severity = Set.of(a, b).equals(Set.of(LEFT, RIGHT)) ? Severity.MODERATE : Severity.LOW;
        }
        if (!note.bodySite().isEmpty() && !image.bodySite().isEmpty()) {
            Set<String> common = new HashSet<>(note.bodySite());
            common.retainAll(image.bodySite());
            if (common.isEmpty()) {
                differences.add(
                        "finding site: the note says "
                                + String.join(", ", note.bodySite())
                                + ", the image "
                                + String.join(", ", image.bodySite()));
                severity = Severity.MODERATE;
            }
        }
        return differences.isEmpty()
                ? Optional.empty()
                : Optional.of(new Conflict(note, image, differences, severity));
    }

    private static String lateralityName(String code) {
        return LATERALITY_NAMES.getOrDefault(code, "laterality " + code);
    }
}
