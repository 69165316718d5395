package org.quorum.labels;

import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.quorum.profiles.QuorumProfiles;

/**
 * Which Observations are labels. A label is an Observation that claims the QuorumLabel profile
 * <em>or</em> belongs to an annotation project (carries the {@code quorum-project} extension): a
 * client that leaves {@code meta.profile} out does not thereby escape validation, the consistency
 * check, the final-label SR or the review workflow. Every capability asks this one predicate.
 */
public final class LabelRecognition {

    private LabelRecognition() {}

    /** Whether {@code resource} is a label. */
    public static boolean isLabel(IBaseResource resource) {
        return resource instanceof Observation observation
                && (claimsProfile(observation)
                        || observation.getExtensionByUrl(QuorumProfiles.EXT_PROJECT) != null);
    }

    /** Whether the Observation names the QuorumLabel profile in {@code meta.profile}. */
    public static boolean claimsProfile(Observation observation) {
        return observation.getMeta().getProfile().stream()
                .anyMatch(p -> QuorumProfiles.LABEL.equals(p.getValue()));
    }

    /** The label's project ({@code ResearchStudy/…}, versionless), if it names one. */
    public static Optional<String> project(Observation label) {
        Extension extension = label.getExtensionByUrl(QuorumProfiles.EXT_PROJECT);
        if (extension == null
                || !(extension.getValue() instanceof Reference reference)
                || !reference.hasReference()) {
            return Optional.empty();
        }
        return Optional.of(
                new IdType(reference.getReference()).toUnqualifiedVersionless().getValue());
    }
}
