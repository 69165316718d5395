package org.quorum.quality.data;

import java.util.List;
import java.util.Map;

/**
 * One stored version of a label schema (a CodeSystem).
 *
 * @param url CodeSystem.url
 * @param version CodeSystem.version
 * @param concepts every concept (nested ones included), by code, in document order
 */
public record SchemaVersion(String url, String version, Map<String, Concept> concepts) {

    public SchemaVersion {
        concepts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(concepts));
    }

    /**
     * A concept of the schema.
     *
     * @param code the code
     * @param display its display, may be {@code null}
     * @param retired whether the concept is retired or deprecated (property {@code status} =
     *     retired|deprecated, or {@code inactive} = true)
     * @param replacedBy codes of this version that replace it (property {@code replacedByCode})
     */
    public record Concept(String code, String display, boolean retired, List<String> replacedBy) {

        public Concept {
            replacedBy = List.copyOf(replacedBy);
        }
    }
}
