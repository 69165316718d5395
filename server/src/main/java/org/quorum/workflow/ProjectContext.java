package org.quorum.workflow;

import java.util.Set;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.quorum.quality.data.SchemaVersion;
import org.quorum.workflow.policy.ReviewPolicy;

/**
 * A project as one request sees it: its ResearchStudy, review policy, schema version and the codes
 * annotators may use.
 *
 * @param reference {@code ResearchStudy/…}
 * @param allowedCodes codes of the schema version annotators may use (not retired, in the policy's
 *     ValueSet when it names one)
 */
public record ProjectContext(
        String reference,
        ResearchStudy study,
        ReviewPolicy policy,
        SchemaVersion schema,
        Set<String> allowedCodes) {

    public ProjectContext {
        allowedCodes = Set.copyOf(allowedCodes);
    }

    public String id() {
        return reference.substring(reference.indexOf('/') + 1);
    }

    /** Number of classes annotators choose from (for the calibration threshold). */
    public int classes() {
        return allowedCodes.size();
    }

    /** The display of a code in the schema version, or the code. */
    public String display(String code) {
        SchemaVersion.Concept concept = schema.concepts().get(code);
        return concept == null || concept.display() == null ? code : concept.display();
    }
}
