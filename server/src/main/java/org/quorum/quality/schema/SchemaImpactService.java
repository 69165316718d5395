package org.quorum.quality.schema;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.quorum.labels.Label;
import org.quorum.quality.QualityException;
import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.data.Project;
import org.quorum.quality.data.SchemaVersion;

/**
 * {@code $schema-impact}: the differences between two stored versions of a label schema and the
 * final labels (status final, amended or corrected) made under the old version whose code was
 * removed, renamed, replaced, split or merged. Those are the labels a review workflow re-evaluates.
 */
public final class SchemaImpactService {

    private final FhirQualityStore store;

    public SchemaImpactService(FhirQualityStore store) {
        this.store = store;
    }

    /** Between two versions of the schema {@code url}. */
    public SchemaImpact impact(
            String url, String fromVersion, String toVersion, Optional<String> projectId) {
        return impact(
                store.schemaVersion(url, fromVersion),
                store.schemaVersion(url, toVersion),
                projectId);
    }

    /** From {@code fromVersion} to the version stored as {@code CodeSystem/codeSystemId}. */
    public SchemaImpact impactOf(
            String codeSystemId, String fromVersion, Optional<String> projectId) {
        SchemaVersion to = store.schemaVersionById(codeSystemId);
        if (to.version() == null) {
            throw QualityException.badParameter(
                    "CodeSystem/" + codeSystemId,
                    "no version",
                    "a label schema version needs CodeSystem.version");
        }
        return impact(store.schemaVersion(to.url(), fromVersion), to, projectId);
    }

    private SchemaImpact impact(SchemaVersion from, SchemaVersion to, Optional<String> projectId) {
        if (from.version().equals(to.version())) {
            throw QualityException.badParameter(
                    "fromVersion", from.version(), "compare two different versions");
        }
        Optional<Project> project = projectId.map(store::project);
        List<SchemaChange> changes = SchemaDiff.diff(from, to);
        Map<String, SchemaChange> byCode =
                changes.stream()
                        .filter(c -> c.type().affectsLabels())
                        .collect(Collectors.toMap(SchemaChange::code, Function.identity()));
        List<SchemaImpact.AffectedLabel> affected =
                store
                        .labelsWithCodes(from.url(), byCode.keySet(), Label.FINAL_STATUSES, project)
                        .stream()
                        .filter(l -> from.version().equals(l.code().version()))
                        .filter(l -> byCode.containsKey(l.code().code()))
                        .map(
                                l ->
                                        new SchemaImpact.AffectedLabel(
                                                l.id(),
                                                l.project(),
                                                l.subject(),
                                                l.code().code(),
                                                byCode.get(l.code().code())))
                        .sorted(Comparator.comparing(SchemaImpact.AffectedLabel::label))
                        .toList();
        return new SchemaImpact(
                from.url(), from.version(), to.version(), project, changes, affected);
    }
}
