package org.quorum.workflow.policy;

import java.util.Optional;
import org.quorum.workflow.Stage;

/**
 * A qualification a project requires for one stage, for every case or for one case type.
 *
 * @param stage annotate, review or adjudicate
 * @param qualification the code required, {@code system|code}
 * @param display its display, for messages (may be the code)
 * @param caseType the case type it applies to ({@code system|code}), or empty for every case
 */
public record QualificationRequirement(
        Stage stage, String qualification, String display, Optional<String> caseType) {

    /** Whether the requirement applies to a case with these type codes. */
    public boolean appliesTo(java.util.Set<String> caseTypes) {
        return caseType.isEmpty() || caseTypes.contains(caseType.get());
    }
}
