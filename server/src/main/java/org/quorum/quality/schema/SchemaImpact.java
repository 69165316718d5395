package org.quorum.quality.schema;

import java.util.List;
import java.util.Optional;
import org.quorum.quality.data.Project;

/**
 * What moving a label schema from one version to another changes, and which final labels it
 * affects.
 *
 * @param system the schema (CodeSystem url)
 * @param fromVersion the version the labels were made under
 * @param toVersion the new version
 * @param project the project the labels were limited to, if any
 * @param changes the differences ({@link SchemaDiff})
 * @param affected final labels made under {@code fromVersion} whose code changed, by label id
 */
public record SchemaImpact(
        String system,
        String fromVersion,
        String toVersion,
        Optional<Project> project,
        List<SchemaChange> changes,
        List<AffectedLabel> affected) {

    public SchemaImpact {
        changes = List.copyOf(changes);
        affected = List.copyOf(affected);
    }

    /**
     * A final label that needs re-evaluation.
     *
     * @param label {@code Observation/…}
     * @param project its project
     * @param subject its patient
     * @param code its code (of {@code fromVersion})
     * @param change what happened to the code
     */
    public record AffectedLabel(
            String label, String project, String subject, String code, SchemaChange change) {}
}
