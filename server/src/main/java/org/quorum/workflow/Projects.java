package org.quorum.workflow;

import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.param.UriParam;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.ValueSet;
import org.quorum.quality.QualityException;
import org.quorum.quality.QualityService;
import org.quorum.quality.data.SchemaVersion;
import org.quorum.workflow.WorkflowException.Problem;
import org.quorum.workflow.policy.ReviewPolicy;
import org.quorum.workflow.policy.ReviewPolicyReader;
import org.quorum.workflow.store.WorkflowStore;

/**
 * Loads a {@link ProjectContext}: the study, its policy, its schema version and allowed codes. The
 * study is read on every request (its policy may change); a schema version (CodeSystem url and
 * version, published once) is kept for a minute, since every claim and submission needs it.
 */
final class Projects {

    private static final Duration SCHEMA_TTL = Duration.ofMinutes(1);

    private record Cached(SchemaVersion schema, Instant until) {}

    private final WorkflowStore store;
    private final QualityService quality;
    private final Map<String, Cached> schemas = new ConcurrentHashMap<>();

    Projects(WorkflowStore store, QualityService quality) {
        this.store = store;
        this.quality = quality;
    }

    private SchemaVersion schema(String url, String version) {
        String key = url + "|" + version;
        Instant now = quality.clock().instant();
        Cached cached = schemas.get(key);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.schema();
        }
        SchemaVersion schema = quality.schemaVersion(url, version);
        schemas.put(key, new Cached(schema, now.plus(SCHEMA_TTL)));
        return schema;
    }

    ProjectContext load(String projectId) {
        ResearchStudy study = store.study(projectId);
        ReviewPolicy policy = ReviewPolicyReader.read(study);
        SchemaVersion schema;
        try {
            schema = schema(policy.schemaUrl(), policy.schemaVersion());
        } catch (QualityException e) {
            throw new WorkflowException(
                    Problem.BAD_POLICY,
                    "quorum-review-policy.labelSchema "
                            + policy.schemaCanonical()
                            + " is not stored; store that CodeSystem version first");
        }
        Set<String> allowed = new LinkedHashSet<>();
        schema.concepts().values().stream()
                .filter(c -> !c.retired())
                .forEach(c -> allowed.add(c.code()));
        policy.valueSet().ifPresent(url -> allowed.retainAll(valueSetCodes(url, policy)));
        if (allowed.isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_POLICY,
                    "the label schema "
                            + policy.schemaCanonical()
                            + " leaves annotators no code to choose; check the schema and"
                            + " quorum-review-policy.labelValueSet");
        }
        return new ProjectContext(
                "ResearchStudy/" + study.getIdElement().getIdPart(),
                study,
                policy,
                schema,
                allowed);
    }

    /**
     * The codes of the schema that a ValueSet includes: compose.include of the schema's system
     * (whole system, or its concept list), minus compose.exclude. Filters are not expanded.
     */
    private Set<String> valueSetCodes(String canonical, ReviewPolicy policy) {
        int bar = canonical.indexOf('|');
        String url = bar < 0 ? canonical : canonical.substring(0, bar);
        Optional<String> version =
                bar < 0 ? Optional.empty() : Optional.of(canonical.substring(bar + 1));
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(ValueSet.SP_URL, new UriParam(url));
        List<ValueSet> found =
                store.search(ValueSet.class, query).stream()
                        .filter(v -> version.isEmpty() || version.get().equals(v.getVersion()))
                        .toList();
        if (found.isEmpty()) {
            throw new WorkflowException(
                    Problem.BAD_POLICY,
                    "quorum-review-policy.labelValueSet " + canonical + " is not stored");
        }
        ValueSet valueSet = found.get(0);
        Set<String> codes = new LinkedHashSet<>();
        for (ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
            if (!policy.schemaUrl().equals(include.getSystem())) {
                continue;
            }
            if (include.hasFilter()) {
                throw new WorkflowException(
                        Problem.BAD_POLICY,
                        "quorum-review-policy.labelValueSet "
                                + canonical
                                + " uses compose filters; list the codes instead");
            }
            if (include.hasConcept()) {
                include.getConcept().forEach(c -> codes.add(c.getCode()));
            } else {
                codes.add("*");
            }
        }
        if (codes.remove("*")) {
            codes.addAll(schema(policy.schemaUrl(), policy.schemaVersion()).concepts().keySet());
        }
        for (ValueSet.ConceptSetComponent exclude : valueSet.getCompose().getExclude()) {
            if (policy.schemaUrl().equals(exclude.getSystem())) {
                exclude.getConcept().forEach(c -> codes.remove(c.getCode()));
            }
        }
        return codes;
    }
}
