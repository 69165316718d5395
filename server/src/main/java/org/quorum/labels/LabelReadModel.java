package org.quorum.labels;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.quorum.profiles.QuorumProfiles;

/**
 * The one read model of labels: which labels a project has, with their codes, annotators, sources
 * and shapes. Quality reports, the consistency check and the review workflow read labels through it
 * (HAPI's DAOs, as the system, page by page), and turn stored Observations into {@link Label}
 * records with {@link #toLabel}. Labels are found by their project link (search parameter {@code
 * project}), whether or not they claim the profile ({@link LabelRecognition}).
 */
public final class LabelReadModel {

    private static final int PAGE = 500;

    private final DaoRegistry daos;

    public LabelReadModel(DaoRegistry daos) {
        this.daos = daos;
    }

    /** The project's labels with one of {@code statuses}. */
    public List<Label> projectLabels(String project, Set<String> statuses) {
        SearchParameterMap query = new SearchParameterMap();
        query.add(QuorumProfiles.SP_PROJECT_CODE, new ReferenceParam(project));
        query.add(Observation.SP_STATUS, anyOf(statuses));
        return labels(query);
    }

    /** Labels of one project derived from any of {@code sources}, with one of {@code statuses}. */
    public List<Label> labelsOfSources(
            String project, Collection<String> sources, Set<String> statuses) {
        List<Label> labels = new ArrayList<>();
        for (List<String> chunk : chunks(sources)) {
            SearchParameterMap query = SearchParameterMap.newSynchronous();
            query.add(QuorumProfiles.SP_PROJECT_CODE, new ReferenceParam(project));
            ReferenceOrListParam anySource = new ReferenceOrListParam();
            chunk.forEach(source -> anySource.addOr(new ReferenceParam(source)));
            query.add(Observation.SP_DERIVED_FROM, anySource);
            query.add(Observation.SP_STATUS, anyOf(statuses));
            labels.addAll(labels(query));
        }
        return labels;
    }

    /** Labels of the given patients in one project with one of {@code statuses}. */
    public List<Label> labelsOfSubjects(
            String project, Collection<String> subjects, Set<String> statuses) {
        List<Label> labels = new ArrayList<>();
        for (List<String> chunk : chunks(subjects)) {
            SearchParameterMap query = SearchParameterMap.newSynchronous();
            query.add(QuorumProfiles.SP_PROJECT_CODE, new ReferenceParam(project));
            ReferenceOrListParam anySubject = new ReferenceOrListParam();
            chunk.forEach(subject -> anySubject.addOr(new ReferenceParam(subject)));
            query.add(Observation.SP_SUBJECT, anySubject);
            query.add(Observation.SP_STATUS, anyOf(statuses));
            labels.addAll(labels(query));
        }
        return labels;
    }

    /**
     * Labels with any of {@code codes} of {@code system} (any version) and one of {@code statuses},
     * in one project or in all.
     */
    public List<Label> labelsWithCodes(
            String system, Collection<String> codes, Set<String> statuses, Optional<String> in) {
        if (codes.isEmpty()) {
            return List.of();
        }
        SearchParameterMap query = new SearchParameterMap();
        TokenOrListParam anyCode = new TokenOrListParam();
        codes.forEach(code -> anyCode.addOr(new TokenParam(system, code)));
        query.add(Observation.SP_CODE, anyCode);
        query.add(Observation.SP_STATUS, anyOf(statuses));
        in.ifPresent(
                project -> query.add(QuorumProfiles.SP_PROJECT_CODE, new ReferenceParam(project)));
        return labels(query);
    }

    /**
     * The given labels, as stored now; missing ones and Observations that are not labels left out.
     */
    public List<Label> labelsById(Collection<String> references) {
        List<Label> labels = new ArrayList<>();
        for (List<String> chunk : chunks(references)) {
            SearchParameterMap query = SearchParameterMap.newSynchronous();
            TokenOrListParam ids = new TokenOrListParam();
            chunk.forEach(ref -> ids.addOr(new TokenParam(new IdType(ref).getIdPart())));
            query.add("_id", ids);
            labels.addAll(labels(query));
        }
        return labels;
    }

    private List<Label> labels(SearchParameterMap query) {
        List<Label> labels = new ArrayList<>();
        IFhirResourceDao<Observation> dao = daos.getResourceDao(Observation.class);
        IBundleProvider results = dao.search(query, new SystemRequestDetails());
        int from = 0;
        while (true) {
            List<IBaseResource> page = results.getResources(from, from + PAGE);
            if (page.isEmpty()) {
                return labels;
            }
            for (IBaseResource resource : page) {
                if (LabelRecognition.isLabel(resource)) {
                    labels.add(toLabel((Observation) resource));
                }
            }
            from += page.size();
        }
    }

    private static TokenOrListParam anyOf(Collection<String> codes) {
        return new TokenOrListParam(null, codes.stream().sorted().toArray(String[]::new));
    }

    private static List<List<String>> chunks(Collection<String> values) {
        List<String> distinct = values.stream().distinct().toList();
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < distinct.size(); i += PAGE) {
            chunks.add(distinct.subList(i, Math.min(distinct.size(), i + PAGE)));
        }
        return chunks;
    }

    /** The relative, versionless form of a reference ({@code Patient/1}), or {@code null}. */
    public static String relative(Reference reference) {
        if (reference == null || !reference.hasReference()) {
            return null;
        }
        return new IdType(reference.getReference()).toUnqualifiedVersionless().getValue();
    }

    /** A stored label Observation as a {@link Label}. */
    public static Label toLabel(Observation observation) {
        Coding coding = observation.getCode().getCodingFirstRep();
        LabelCode code =
                new LabelCode(
                        coding.getSystem(),
                        coding.getVersion(),
                        coding.getCode(),
                        coding.getDisplay());
        List<String> sources =
                observation.getDerivedFrom().stream()
                        .map(LabelReadModel::relative)
                        .filter(Objects::nonNull)
                        .sorted()
                        .toList();
        Optional<String> performer =
                observation.getPerformer().stream()
                        .map(LabelReadModel::relative)
                        .filter(Objects::nonNull)
                        .findFirst();
        Extension spanExtension = observation.getExtensionByUrl(QuorumProfiles.EXT_TEXT_SPAN);
        Optional<String> spanText =
                Optional.ofNullable(spanExtension)
                        .map(
                                e ->
                                        value(e, "start").orElse("?")
                                                + "-"
                                                + value(e, "end").orElse("?"));
        Optional<Label.Span> span =
                Optional.ofNullable(spanExtension)
                        .flatMap(
                                e ->
                                        integer(e, "start")
                                                .flatMap(
                                                        start ->
                                                                integer(e, "end")
                                                                        .map(
                                                                                end ->
                                                                                        new Label
                                                                                                .Span(
                                                                                                start,
                                                                                                end))));
        Extension regionExtension = observation.getExtensionByUrl(QuorumProfiles.EXT_IMAGE_REGION);
        Optional<String> regionText =
                Optional.ofNullable(regionExtension)
                        .map(
                                e ->
                                        value(e, "sopInstanceUid").orElse("?")
                                                + "#"
                                                + value(e, "frame").orElse("1"));
        Optional<Label.Region> region =
                Optional.ofNullable(regionExtension).flatMap(LabelReadModel::region);
        List<String> sites =
                observation.getBodySite().getCoding().stream()
                        .filter(Coding::hasCode)
                        .map(c -> c.getSystem() + "|" + c.getCode())
                        .toList();
        Optional<String> laterality =
                Optional.ofNullable(
                                observation
                                        .getBodySite()
                                        .getExtensionByUrl(QuorumProfiles.EXT_LATERALITY))
                        .map(Extension::getValue)
                        .filter(CodeableConcept.class::isInstance)
                        .map(v -> ((CodeableConcept) v).getCodingFirstRep())
                        .filter(Coding::hasCode)
                        .map(Coding::getCode);
        Optional<Double> confidence =
                Optional.ofNullable(observation.getExtensionByUrl(QuorumProfiles.EXT_CONFIDENCE))
                        .map(Extension::getValue)
                        .filter(DecimalType.class::isInstance)
                        .map(v -> ((DecimalType) v).getValue())
                        .map(BigDecimal::doubleValue);
        String method =
                observation.getMethod().getCoding().stream()
                        .filter(c -> QuorumProfiles.CS_LABEL_METHOD.equals(c.getSystem()))
                        .map(Coding::getCode)
                        .filter(Objects::nonNull)
                        .findFirst()
                        .orElse("unknown");
        return new Label(
                observation.getIdElement().toUnqualifiedVersionless().getValue(),
                LabelRecognition.project(observation).orElse(null),
                observation.hasStatus() ? observation.getStatus().toCode() : "unknown",
                code,
                relative(observation.getSubject()),
                sources,
                performer,
                Optional.ofNullable(relative(observation.getDevice())),
                spanText,
                regionText,
                sites,
                laterality,
                Optional.ofNullable(relative(observation.getEncounter())),
                observation.getMeta().getLastUpdated() == null
                        ? Instant.EPOCH
                        : observation.getMeta().getLastUpdated().toInstant(),
                method,
                confidence,
                span,
                region);
    }

    private static Optional<Label.Region> region(Extension extension) {
        Optional<String> uid = value(extension, "sopInstanceUid");
        if (uid.isEmpty()) {
            return Optional.empty();
        }
        int frame = integer(extension, "frame").orElse(1);
        String graphicType =
                Optional.ofNullable(extension.getExtensionByUrl("graphicType"))
                        .map(Extension::getValue)
                        .map(
                                v ->
                                        v instanceof Coding c
                                                ? c.getCode()
                                                : v instanceof CodeableConcept cc
                                                        ? cc.getCodingFirstRep().getCode()
                                                        : v.primitiveValue())
                        .orElse("POLYLINE");
        List<Double> coordinates = new ArrayList<>();
        for (Extension part : extension.getExtensionsByUrl("coordinates")) {
            String text = part.getValue() == null ? null : part.getValue().primitiveValue();
            if (text == null) {
                continue;
            }
            for (String number : text.trim().split("[\\s,\\\\]+")) {
                if (!number.isEmpty()) {
                    try {
                        coordinates.add(Double.parseDouble(number));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.of(new Label.Region(uid.get(), frame, graphicType, coordinates));
    }

    private static Optional<String> value(Extension complex, String part) {
        Extension sub = complex.getExtensionByUrl(part);
        return sub == null || sub.getValue() == null
                ? Optional.empty()
                : Optional.ofNullable(sub.getValue().primitiveValue());
    }

    private static Optional<Integer> integer(Extension complex, String part) {
        return value(complex, part)
                .flatMap(
                        text -> {
                            try {
                                return Optional.of(Integer.parseInt(text));
                            } catch (NumberFormatException e) {
                                return Optional.empty();
                            }
                        });
    }
}
