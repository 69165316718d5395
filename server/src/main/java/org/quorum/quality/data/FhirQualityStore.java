package org.quorum.quality.data;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.param.UriParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.quorum.labels.Label;
import org.quorum.labels.LabelReadModel;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.QualityException;
import org.quorum.quality.QualityException.Problem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the quality reports need from the FHIR store, through HAPI's DAOs with a system
 * request (no client, no HTTP), and writes DetectedIssues. Turns FHIR resources into the plain
 * records of this package; nothing above it sees HAPI's storage API.
 *
 * <p>Large results are read page by page from HAPI's search (never all resources at once), and only
 * the small records are kept.
 */
public final class FhirQualityStore implements LabelSource {

    /** US Core race and ethnicity extensions (US Core 3.1+, unchanged since). */
    public static final String US_CORE_RACE =
            "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";

    public static final String US_CORE_ETHNICITY =
            "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";

    /** CDC Race and Ethnicity code set, in which the OMB categories are coded. */
    public static final String OMB_SYSTEM = "urn:oid:2.16.840.1.113883.6.238";

    private static final Logger LOG = LoggerFactory.getLogger(FhirQualityStore.class);
    private static final int PAGE = 500;
    private static final String CONCEPT_PROPERTIES = "http://hl7.org/fhir/concept-properties#";

    private final DaoRegistry daos;
    private final LabelReadModel labels;

    public FhirQualityStore(DaoRegistry daos, LabelReadModel labels) {
        this.daos = daos;
        this.labels = labels;
    }

    /**
     * The project with this logical id.
     *
     * @throws QualityException ({@link Problem#UNKNOWN_PROJECT}) when there is none
     */
    public Project project(String id) {
        try {
            ResearchStudy study =
                    dao(ResearchStudy.class).read(new IdType("ResearchStudy", id), request());
            String reference = "ResearchStudy/" + study.getIdElement().getIdPart();
            return new Project(reference, study.hasTitle() ? study.getTitle() : reference);
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            throw new QualityException(
                    Problem.UNKNOWN_PROJECT,
                    "there is no ResearchStudy/" + id + "; give the id of an annotation project",
                    e);
        }
    }

    /** The project's labels with one of {@code statuses} ({@link LabelReadModel}). */
    @Override
    public List<Label> projectLabels(Project project, Set<String> statuses) {
        List<Label> found = new ArrayList<>(labels.projectLabels(project.reference(), statuses));
        found.sort(ORDER);
        return found;
    }

    /** Labels of the given patients in one project with one of {@code statuses}. */
    public List<Label> labelsOfSubjects(
            String project, Collection<String> subjects, Set<String> statuses) {
        return labels.labelsOfSubjects(project, subjects, statuses);
    }

    /** Labels with any of {@code codes} of {@code system}, any version, one of {@code statuses}. */
    public List<Label> labelsWithCodes(
            String system, Collection<String> codes, Set<String> statuses, Optional<Project> in) {
        return labels.labelsWithCodes(system, codes, statuses, in.map(Project::reference));
    }

    /** The given labels, as stored now; missing ones are left out. */
    public List<Label> labelsById(Collection<String> references) {
        return labels.labelsById(references);
    }

    /** The patients with these references, by reference; missing ones are left out. */
    @Override
    public Map<String, PatientRecord> patients(Collection<String> references) {
        Map<String, PatientRecord> patients = new HashMap<>();
        for (List<String> chunk : chunks(references)) {
            SearchParameterMap query = SearchParameterMap.newSynchronous();
            TokenOrListParam ids = new TokenOrListParam();
            chunk.forEach(ref -> ids.addOr(new TokenParam(new IdType(ref).getIdPart())));
            query.add("_id", ids);
            forEach(
                    Patient.class,
                    query,
                    patient -> {
                        PatientRecord record = toPatient(patient);
                        patients.put(record.id(), record);
                    });
        }
        return patients;
    }

    /**
     * One version of a label schema.
     *
     * @throws QualityException ({@link Problem#UNKNOWN_SCHEMA_VERSION}) when it is not stored
     */
    public SchemaVersion schemaVersion(String url, String version) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.add(CodeSystem.SP_URL, new UriParam(url));
        query.add(CodeSystem.SP_VERSION, new TokenParam(version));
        List<CodeSystem> found = new ArrayList<>();
        forEach(CodeSystem.class, query, found::add);
        found.removeIf(cs -> !version.equals(cs.getVersion()));
        if (found.isEmpty()) {
            throw new QualityException(
                    Problem.UNKNOWN_SCHEMA_VERSION,
                    "no CodeSystem with url "
                            + url
                            + " and version "
                            + version
                            + " is stored; store both schema versions first");
        }
        return toSchema(found.get(0));
    }

    /** The schema version stored under this CodeSystem id. */
    public SchemaVersion schemaVersionById(String id) {
        try {
            return toSchema(dao(CodeSystem.class).read(new IdType("CodeSystem", id), request()));
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            throw new QualityException(
                    Problem.UNKNOWN_SCHEMA_VERSION, "there is no CodeSystem/" + id, e);
        }
    }

    /** The schema version if it is stored, else empty. */
    public Optional<SchemaVersion> findSchemaVersion(String url, String version) {
        try {
            return Optional.of(schemaVersion(url, version));
        } catch (QualityException e) {
            return Optional.empty();
        }
    }

    /** DetectedIssues of the given type that belong to the project. */
    public List<DetectedIssue> projectIssues(Project project, Coding type) {
        SearchParameterMap query = new SearchParameterMap();
        query.add(QuorumProfiles.SP_PROJECT_CODE, new ReferenceParam(project.reference()));
        query.add(DetectedIssue.SP_CODE, new TokenParam(type.getSystem(), type.getCode()));
        List<DetectedIssue> issues = new ArrayList<>();
        forEach(DetectedIssue.class, query, issues::add);
        return issues;
    }

    /** DetectedIssues of the given type that implicate any of the labels. */
    public List<DetectedIssue> issuesImplicating(Collection<String> labels, Coding type) {
        List<DetectedIssue> issues = new ArrayList<>();
        for (List<String> chunk : chunks(labels)) {
            SearchParameterMap query = SearchParameterMap.newSynchronous();
            ReferenceOrListParam implicated = new ReferenceOrListParam();
            chunk.forEach(label -> implicated.addOr(new ReferenceParam(label)));
            query.add(DetectedIssue.SP_IMPLICATED, implicated);
            query.add(DetectedIssue.SP_CODE, new TokenParam(type.getSystem(), type.getCode()));
            forEach(DetectedIssue.class, query, issues::add);
        }
        return issues;
    }

    /** The DetectedIssue with this id, if it exists (and is not deleted). */
    public Optional<DetectedIssue> issue(String id) {
        try {
            return Optional.of(
                    dao(DetectedIssue.class).read(new IdType("DetectedIssue", id), request()));
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            return Optional.empty();
        }
    }

    /**
     * Creates or updates a DetectedIssue under its own (client-assigned) id. When another writer
     * created the same id at the same moment, theirs stands: both wrote the same finding.
     */
    public void save(DetectedIssue issue) {
        try {
            dao(DetectedIssue.class).update(issue, request());
        } catch (ResourceVersionConflictException e) {
            LOG.debug("{} was written concurrently; keeping the other write", issue.getId(), e);
        }
    }

    private <T extends IBaseResource> void forEach(
            Class<T> type, SearchParameterMap query, Consumer<T> consumer) {
        IBundleProvider results = dao(type).search(query, request());
        int from = 0;
        while (true) {
            List<IBaseResource> page = results.getResources(from, from + PAGE);
            if (page.isEmpty()) {
                return;
            }
            for (IBaseResource resource : page) {
                if (type.isInstance(resource)) {
                    consumer.accept(type.cast(resource));
                }
            }
            from += page.size();
        }
    }

    private <T extends IBaseResource> IFhirResourceDao<T> dao(Class<T> type) {
        return daos.getResourceDao(type);
    }

    private static SystemRequestDetails request() {
        return new SystemRequestDetails();
    }

    private static TokenOrListParam anyOf(String system, Collection<String> codes) {
        return new TokenOrListParam(system, codes.stream().sorted().toArray(String[]::new));
    }

    private static List<List<String>> chunks(Collection<String> values) {
        List<String> distinct = values.stream().distinct().toList();
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < distinct.size(); i += PAGE) {
            chunks.add(distinct.subList(i, Math.min(distinct.size(), i + PAGE)));
        }
        return chunks;
    }

    /** The demographic facts of a Patient that the bias report uses. */
    public static PatientRecord toPatient(Patient patient) {
        Optional<PartialDate> birth = Optional.empty();
        if (patient.hasBirthDateElement() && patient.getBirthDateElement().getValue() != null) {
            DateType date = patient.getBirthDateElement();
            birth =
                    Optional.of(
                            switch (date.getPrecision()) {
                                case YEAR -> new PartialDate(date.getYear(), 0, 0);
                                case MONTH ->
                                        new PartialDate(date.getYear(), date.getMonth() + 1, 0);
                                default ->
                                        new PartialDate(
                                                date.getYear(), date.getMonth() + 1, date.getDay());
                            });
        }
        return new PatientRecord(
                patient.getIdElement().toUnqualifiedVersionless().getValue(),
                patient.hasGender()
                                && patient.getGender()
                                        != org.hl7.fhir.r4.model.Enumerations.AdministrativeGender
                                                .NULL
                        ? Optional.of(patient.getGender().toCode())
                        : Optional.empty(),
                birth,
                ombCategories(patient, US_CORE_RACE),
                ombCategories(patient, US_CORE_ETHNICITY).stream().findFirst());
    }

    /** OMB category codes of a US Core race or ethnicity extension; null flavours left out. */
    private static List<String> ombCategories(Patient patient, String url) {
        Extension extension = patient.getExtensionByUrl(url);
        if (extension == null) {
            return List.of();
        }
        return extension.getExtensionsByUrl("ombCategory").stream()
                .map(Extension::getValue)
                .filter(Coding.class::isInstance)
                .map(Coding.class::cast)
                .filter(c -> OMB_SYSTEM.equals(c.getSystem()) && c.hasCode())
                .map(Coding::getCode)
                .distinct()
                .sorted()
                .toList();
    }

    static SchemaVersion toSchema(CodeSystem codeSystem) {
        Map<String, String> propertyUris = new HashMap<>();
        codeSystem
                .getProperty()
                .forEach(p -> propertyUris.put(p.getCode(), p.hasUri() ? p.getUri() : ""));
        Map<String, SchemaVersion.Concept> concepts = new LinkedHashMap<>();
        addConcepts(codeSystem.getConcept(), propertyUris, concepts);
        return new SchemaVersion(codeSystem.getUrl(), codeSystem.getVersion(), concepts);
    }

    private static void addConcepts(
            List<CodeSystem.ConceptDefinitionComponent> definitions,
            Map<String, String> propertyUris,
            Map<String, SchemaVersion.Concept> into) {
        for (CodeSystem.ConceptDefinitionComponent definition : definitions) {
            boolean retired = false;
            List<String> replacedBy = new ArrayList<>();
            for (CodeSystem.ConceptPropertyComponent property : definition.getProperty()) {
                String name = property.getCode();
                String uri = propertyUris.getOrDefault(name, "");
                if (is(name, uri, "status")
                        && property.getValue() instanceof CodeType status
                        && Set.of("retired", "deprecated").contains(status.getValue())) {
                    retired = true;
                } else if (is(name, uri, "inactive")
                        && "true".equals(property.getValue().primitiveValue())) {
                    retired = true;
                } else if (is(name, uri, "replacedByCode") || "replacedBy".equals(name)) {
                    Optional.ofNullable(property.getValue().primitiveValue())
                            .ifPresent(replacedBy::add);
                } else if (is(name, uri, "replacedByCoding")
                        && property.getValue() instanceof Coding target
                        && target.hasCode()) {
                    replacedBy.add(target.getCode());
                }
            }
            into.put(
                    definition.getCode(),
                    new SchemaVersion.Concept(
                            definition.getCode(), definition.getDisplay(), retired, replacedBy));
            addConcepts(definition.getConcept(), propertyUris, into);
        }
    }

    /**
     * A concept property is recognised by its standard URI ({@code
     * http://hl7.org/fhir/concept-properties#name}) or, when the CodeSystem declares none, by its
     * code.
     */
    private static boolean is(String code, String uri, String standardName) {
        return (CONCEPT_PROPERTIES + standardName).equals(uri)
                || (uri.isEmpty() && standardName.equals(code));
    }
}
