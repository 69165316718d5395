package org.quorum.quality.schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.quorum.quality.data.SchemaVersion;
import org.quorum.quality.data.SchemaVersion.Concept;

/**
 * The differences between two versions of a label schema (same CodeSystem url).
 *
 * <p><b>How a new version says what became of an old code.</b> The old code stays in the new
 * version as a retired concept (property {@code status} = {@code retired}, or {@code inactive} =
 * true) with one {@code replacedByCode} property per code that replaces it: the concept properties
 * FHIR defines for this ({@code http://hl7.org/fhir/concept-properties#status}, {@code
 * #replacedByCode}; R4 has no element for it and the older {@code codesystem-replacedby} extension
 * allows only one replacement, hence the properties). From that:
 *
 * <ul>
 *   <li>no replacement, or the code is missing from the new version: <b>removed</b>;
 *   <li>two or more replacements: <b>split</b>;
 *   <li>one replacement that also replaces another old code, or that existed in the old version:
 *       <b>merged</b>;
 *   <li>one replacement otherwise: <b>replaced</b> (re-coded);
 *   <li>still active with another display: <b>renamed</b>;
 *   <li>in the new version and not in the old, and not retired: <b>added</b>.
 * </ul>
 */
public final class SchemaDiff {

    private SchemaDiff() {}

    /** The changes from {@code from} to {@code to}, old codes in their order, then added ones. */
    public static List<SchemaChange> diff(SchemaVersion from, SchemaVersion to) {
        Map<String, Integer> replacementUses = new HashMap<>();
        for (Concept old : from.concepts().values()) {
            Concept now = to.concepts().get(old.code());
            if (now != null && now.retired()) {
                now.replacedBy().forEach(t -> replacementUses.merge(t, 1, Integer::sum));
            }
        }
        List<SchemaChange> changes = new ArrayList<>();
        for (Concept old : from.concepts().values()) {
            if (old.retired()) {
                continue; // retired before: no label should carry it, nothing changes
            }
            Concept now = to.concepts().get(old.code());
            if (now == null) {
                changes.add(change(SchemaChange.Type.REMOVED, old, null, List.of()));
            } else if (now.retired()) {
                List<String> targets = now.replacedBy();
                SchemaChange.Type type;
                if (targets.isEmpty()) {
                    type = SchemaChange.Type.REMOVED;
                } else if (targets.size() > 1) {
                    type = SchemaChange.Type.SPLIT;
                } else if (replacementUses.getOrDefault(targets.get(0), 0) > 1
                        || from.concepts().containsKey(targets.get(0))) {
                    type = SchemaChange.Type.MERGED;
                } else {
                    type = SchemaChange.Type.REPLACED;
                }
                changes.add(change(type, old, now.display(), targets));
            } else if (!Objects.equals(old.display(), now.display())) {
                changes.add(change(SchemaChange.Type.RENAMED, old, now.display(), List.of()));
            }
        }
        for (Concept now : to.concepts().values()) {
            if (!now.retired() && !from.concepts().containsKey(now.code())) {
                changes.add(
                        new SchemaChange(
                                SchemaChange.Type.ADDED,
                                now.code(),
                                now.display(),
                                now.display(),
                                List.of()));
            }
        }
        return changes;
    }

    private static SchemaChange change(
            SchemaChange.Type type, Concept old, String newDisplay, List<String> targets) {
        return new SchemaChange(type, old.code(), old.display(), newDisplay, targets);
    }
}
