package org.quorum.quality.index;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IDao;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.SummaryEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.IResourcePersistentId;
import ca.uhn.fhir.rest.param.ReferenceParam;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.quorum.labels.Label;
import org.quorum.labels.LabelCode;
import org.quorum.labels.LabelReadModel;
import org.quorum.labels.LabelRecognition;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.data.LabelSource;
import org.quorum.quality.data.PartialDate;
import org.quorum.quality.data.PatientRecord;
import org.quorum.quality.data.Project;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The compact label index: one small row per label ({@link LabelIndexEntity}) and per Patient
 * ({@link LabelPatientEntity}) holding what the agreement, bias and class-balance reports read, so
 * that a project of a million labels is read with one indexed query instead of a million
 * Observations parsed from HAPI's store.
 *
 * <p><b>Maintained on write.</b> {@link LabelIndexInterceptor} calls {@link #labelWritten}, {@link
 * #labelDeleted}, {@link #patientWritten} and {@link #patientDeleted} from HAPI's pre-commit hooks,
 * so each row is written in the transaction of the FHIR write (a transaction Bundle's labels with
 * it): the index commits or rolls back with the label, and a crash cannot leave them apart.
 *
 * <p><b>Rebuilt on demand</b> ({@link #rebuild()}: {@code $rebuild-label-index}) and at start when
 * it was never built, was built by another format, or counts other labels or patients than the
 * store ({@link #rebuildIfStale()}). A rebuild may run while labels are written: it marks every row
 * unseen, reads the store page by page, writes what it read unless the row already holds a newer
 * version (deletions leave a tombstone with their version for that reason), and finally removes the
 * rows it did not meet. While it runs, the reports read the store ({@link #ready()} is false).
 */
public final class LabelIndex implements LabelSource {

    /** The entity classes, for the persistence unit. */
    public static final List<Class<?>> ENTITIES =
            List.of(LabelIndexEntity.class, LabelPatientEntity.class);

    /**
     * The row format. A server that finds an index built by another format rebuilds it: raise this
     * when the rows change meaning.
     */
    static final long FORMAT = 1;

    /** The marker row: present (with {@link #FORMAT}) when the index is complete. */
    static final String MARKER = "#quorum-label-index";

    private static final Logger LOG = LoggerFactory.getLogger(LabelIndex.class);
    private static final int PAGE = 500;
    private static final int IN_CHUNK = 1000;
    private static final String SEPARATOR = "\n";

    private final EntityManager entities;
    private final TransactionTemplate transactions;
    private final DataSource dataSource;
    private final DaoRegistry daos;
    private final FhirQualityStore store;

    /**
     * @param store where the reports read while the index is not complete (being rebuilt)
     */
    public LabelIndex(
            EntityManagerFactory factory,
            PlatformTransactionManager manager,
            DataSource dataSource,
            DaoRegistry daos,
            FhirQualityStore store) {
        this.entities = SharedEntityManagerCreator.createSharedEntityManager(factory);
        this.transactions = new TransactionTemplate(manager);
        this.dataSource = dataSource;
        this.daos = daos;
        this.store = store;
    }

    /** What a rebuild did. */
    public record Rebuilt(int labels, int patients, int removed, Duration took) {}

    // --- maintenance on write (joins the write's transaction) ---

    /** An Observation was created or updated: its row follows it (a non-label has none). */
    public void labelWritten(Observation observation) {
        transactions.executeWithoutResult(
                tx -> {
                    String id = observation.getIdElement().getIdPart();
                    LabelIndexEntity row = entities.find(LabelIndexEntity.class, id);
                    if (!indexable(observation) && row == null) {
                        return;
                    }
                    if (row == null) {
                        row = new LabelIndexEntity(id);
                        entities.persist(row);
                    }
                    fill(row, observation, version(observation));
                });
    }

    /**
     * Many Observations and Patients written at once (a bulk load that stores them by other means,
     * e.g. the quality benchmark's direct loader), in one transaction: what the write hooks do for
     * each.
     */
    public void written(List<Patient> patients, List<Observation> observations) {
        transactions.executeWithoutResult(
                tx -> {
                    // One query for the rows that exist, as the rebuild does, not one per row.
                    rebuildPatients(List.<IBaseResource>copyOf(patients));
                    rebuildLabels(List.<IBaseResource>copyOf(observations));
                });
    }

    /** A label (or any Observation) was deleted: a tombstone with the delete's version. */
    public void labelDeleted(Observation observation) {
        transactions.executeWithoutResult(
                tx -> {
                    String id = observation.getIdElement().getIdPart();
                    LabelIndexEntity row = entities.find(LabelIndexEntity.class, id);
                    if (row == null && !LabelRecognition.isLabel(observation)) {
                        return;
                    }
                    if (row == null) {
                        row = new LabelIndexEntity(id);
                        row.pid = pid(observation).orElse(0L);
                        entities.persist(row);
                    }
                    tombstone(row, version(observation) + 1);
                });
    }

    /** A Patient was created or updated. */
    public void patientWritten(Patient patient) {
        transactions.executeWithoutResult(
                tx ->
                        fill(
                                patientRow(patient.getIdElement().getIdPart()),
                                patient,
                                version(patient)));
    }

    /** A Patient was deleted. */
    public void patientDeleted(Patient patient) {
        transactions.executeWithoutResult(
                tx -> {
                    LabelPatientEntity row = patientRow(patient.getIdElement().getIdPart());
                    row.version = version(patient) + 1;
                    row.deleted = 1;
                    row.seen = 1;
                });
    }

    private LabelPatientEntity patientRow(String id) {
        LabelPatientEntity row = entities.find(LabelPatientEntity.class, id);
        if (row == null) {
            row = new LabelPatientEntity(id);
            entities.persist(row);
        }
        return row;
    }

    /** A label that belongs to a project: only those are in a project's reports. */
    private static boolean indexable(IBaseResource resource) {
        return LabelRecognition.isLabel(resource)
                && LabelRecognition.project((Observation) resource).isPresent();
    }

    private static void fill(LabelIndexEntity row, Observation observation, long version) {
        row.version = version;
        row.seen = 1;
        pid(observation).ifPresent(pid -> row.pid = pid);
        if (!indexable(observation)) {
            tombstone(row, version);
            return;
        }
        Label label = LabelReadModel.toLabel(observation);
        row.project = label.project();
        row.status = label.status();
        row.codeSystem = label.code().system();
        row.codeVersion = label.code().version();
        row.code = label.code().code();
        row.display = label.code().display();
        row.subject = label.subject();
        row.sources = label.sources().isEmpty() ? null : String.join(SEPARATOR, label.sources());
        row.performer = label.performer().orElse(null);
        row.device = label.device().orElse(null);
        row.textSpan = label.textSpan().orElse(null);
        row.imageRegion = label.imageRegion().orElse(null);
    }

    private static void tombstone(LabelIndexEntity row, long version) {
        row.version = version;
        row.seen = 1;
        row.project = null;
        row.status = null;
        row.codeSystem = null;
        row.codeVersion = null;
        row.code = null;
        row.display = null;
        row.subject = null;
        row.sources = null;
        row.performer = null;
        row.device = null;
        row.textSpan = null;
        row.imageRegion = null;
    }

    private static void fill(LabelPatientEntity row, Patient patient, long version) {
        PatientRecord record = FhirQualityStore.toPatient(patient);
        row.version = version;
        row.seen = 1;
        row.deleted = 0;
        row.gender = record.gender().orElse(null);
        row.birthYear = record.birthDate().map(PartialDate::year).orElse(0);
        row.birthMonth = record.birthDate().map(PartialDate::month).orElse(0);
        row.birthDay = record.birthDate().map(PartialDate::day).orElse(0);
        row.races =
                record.raceCategories().isEmpty()
                        ? null
                        : String.join(",", record.raceCategories());
        row.ethnicity = record.ethnicityCategory().orElse(null);
    }

    private static long version(IBaseResource resource) {
        Long version = resource.getIdElement().getVersionIdPartAsLong();
        return version == null ? 1 : version;
    }

    /** HAPI's resource PID, which HAPI puts on resources it stores or loads. */
    private static Optional<Long> pid(IBaseResource resource) {
        return resource.getUserData(IDao.RESOURCE_PID_KEY) instanceof IResourcePersistentId<?> pid
                        && pid.getId() instanceof Long id
                ? Optional.of(id)
                : Optional.empty();
    }

    // --- rebuild ---

    /** Whether the index is complete (built, in this format, not being rebuilt). */
    public boolean ready() {
        Long count =
                transactions.execute(
                        tx ->
                                entities.createQuery(
                                                "select count(e) from LabelIndexEntity e where"
                                                        + " e.id = :marker and e.version ="
                                                        + " :format",
                                                Long.class)
                                        .setParameter("marker", MARKER)
                                        .setParameter("format", FORMAT)
                                        .getSingleResult());
        return count != null && count > 0;
    }

    /**
     * Rebuilds the index when it is not complete or counts other labels or patients than the store
     * (a store written by a version without the index, or by a tool that bypassed HAPI's hooks).
     */
    public Optional<Rebuilt> rebuildIfStale() {
        String reason;
        if (!ready()) {
            reason = "it was not built (or not by this format)";
        } else {
            long storeLabels = storeCount("Observation", true);
            long indexLabels =
                    count("select count(e) from LabelIndexEntity e where e.project is not null");
            long storePatients = storeCount("Patient", false);
            long indexPatients =
                    count("select count(p) from LabelPatientEntity p where p.deleted = 0");
            if (storeLabels == indexLabels && storePatients == indexPatients) {
                return Optional.empty();
            }
            reason =
                    "it holds "
                            + indexLabels
                            + " labels and "
                            + indexPatients
                            + " patients, the store "
                            + storeLabels
                            + " and "
                            + storePatients;
        }
        LOG.info("Rebuilding the label index: {}", reason);
        return Optional.of(rebuild());
    }

    /** Builds the index from the store again (see the class comment for concurrent writes). */
    public Rebuilt rebuild() {
        Instant start = Instant.now();
        transactions.executeWithoutResult(
                tx -> {
                    entities.createQuery("delete from LabelIndexEntity e where e.id = :marker")
                            .setParameter("marker", MARKER)
                            .executeUpdate();
                    entities.createQuery("update LabelIndexEntity e set e.seen = 0")
                            .executeUpdate();
                    entities.createQuery("update LabelPatientEntity p set p.seen = 0")
                            .executeUpdate();
                });
        int labels = scan("Observation", this::rebuildLabels);
        int patients = scan("Patient", this::rebuildPatients);
        Integer removed =
                transactions.execute(
                        tx -> {
                            int gone =
                                    entities.createQuery(
                                                    "delete from LabelIndexEntity e where e.seen"
                                                            + " = 0")
                                            .executeUpdate();
                            gone +=
                                    entities.createQuery(
                                                    "delete from LabelPatientEntity p where"
                                                            + " p.seen = 0")
                                            .executeUpdate();
                            LabelIndexEntity marker = new LabelIndexEntity(MARKER);
                            marker.version = FORMAT;
                            marker.seen = 1;
                            entities.persist(marker);
                            return gone;
                        });
        Rebuilt rebuilt =
                new Rebuilt(
                        labels,
                        patients,
                        removed == null ? 0 : removed,
                        Duration.between(start, Instant.now()));
        LOG.info(
                "Label index rebuilt: {} labels, {} patients, {} rows removed, in {} s",
                rebuilt.labels(),
                rebuilt.patients(),
                rebuilt.removed(),
                rebuilt.took().toSeconds());
        return rebuilt;
    }

    /** Reads every resource of a type page by page; each page is applied in its own transaction. */
    private int scan(String type, Function<List<IBaseResource>, Integer> apply) {
        IFhirResourceDao<?> dao = daos.getResourceDao(type);
        IBundleProvider all = dao.search(new SearchParameterMap(), new SystemRequestDetails());
        int from = 0;
        int kept = 0;
        while (true) {
            List<IBaseResource> page = all.getResources(from, from + PAGE);
            if (page.isEmpty()) {
                return kept;
            }
            Integer applied = transactions.execute(tx -> apply.apply(page));
            kept += applied == null ? 0 : applied;
            from += page.size();
        }
    }

    private int rebuildLabels(List<IBaseResource> page) {
        Map<String, LabelIndexEntity> rows =
                entities
                        .createQuery(
                                "select e from LabelIndexEntity e where e.id in :ids",
                                LabelIndexEntity.class)
                        .setParameter("ids", ids(page))
                        .getResultList()
                        .stream()
                        .collect(Collectors.toMap(e -> e.id, e -> e));
        int labels = 0;
        for (IBaseResource resource : page) {
            Observation observation = (Observation) resource;
            String id = observation.getIdElement().getIdPart();
            long version = version(observation);
            LabelIndexEntity row = rows.get(id);
            labels += indexable(observation) ? 1 : 0;
            if (row == null) {
                if (!indexable(observation)) {
                    continue;
                }
                row = new LabelIndexEntity(id);
                entities.persist(row);
            } else if (row.version > version) {
                // Written (or deleted) after this page was read: the newer row stands.
                row.seen = 1;
                continue;
            }
            fill(row, observation, version);
        }
        return labels;
    }

    private int rebuildPatients(List<IBaseResource> page) {
        Map<String, LabelPatientEntity> rows =
                entities
                        .createQuery(
                                "select p from LabelPatientEntity p where p.id in :ids",
                                LabelPatientEntity.class)
                        .setParameter("ids", ids(page))
                        .getResultList()
                        .stream()
                        .collect(Collectors.toMap(p -> p.id, p -> p));
        for (IBaseResource resource : page) {
            Patient patient = (Patient) resource;
            String id = patient.getIdElement().getIdPart();
            long version = version(patient);
            LabelPatientEntity row = rows.get(id);
            if (row == null) {
                row = new LabelPatientEntity(id);
                entities.persist(row);
            } else if (row.version > version) {
                row.seen = 1;
                continue;
            }
            fill(row, patient, version);
        }
        return page.size();
    }

    private static List<String> ids(List<IBaseResource> page) {
        return page.stream().map(r -> r.getIdElement().getIdPart()).toList();
    }

    private long count(String query) {
        Long count =
                transactions.execute(
                        tx -> entities.createQuery(query, Long.class).getSingleResult());
        return count == null ? 0 : count;
    }

    /** How many resources of the type the store holds (labels: those with a project). */
    private long storeCount(String type, boolean labelsWithProject) {
        SearchParameterMap query = SearchParameterMap.newSynchronous();
        query.setSummaryMode(SummaryEnum.COUNT);
        if (labelsWithProject) {
            query.add(QuorumProfiles.SP_PROJECT_CODE, new ReferenceParam().setMissing(false));
        }
        Integer size = daos.getResourceDao(type).search(query, new SystemRequestDetails()).size();
        return size == null ? -1 : size;
    }

    // --- reads (the reports) ---

    @Override
    public List<Label> projectLabels(Project project, Set<String> statuses) {
        if (statuses.isEmpty()) {
            return List.of();
        }
        if (!ready()) {
            return store.projectLabels(project, statuses);
        }
        String sql =
                "SELECT "
                        + LabelRows.COLUMNS
                        + " FROM QRM_LABEL_INDEX WHERE PROJECT = ? AND STATUS IN ("
                        + placeholders(statuses.size())
                        + ")";
        // No ORDER BY: H2 cannot take "RES_PID, LABEL_ID" from the (PROJECT, RES_PID) index and
        // sorted a million rows in a temporary result on disk (half the time of the reports at
        // 1M labels). The rows come in that index's order on H2 (an index scan), and are sorted
        // here into ORDER whatever order the database returns.
        List<String> statusList = statuses.stream().sorted().toList();
        return query(
                sql,
                statement -> {
                    statement.setString(1, project.reference());
                    for (int i = 0; i < statusList.size(); i++) {
                        statement.setString(i + 2, statusList.get(i));
                    }
                },
                rows -> {
                    LabelRows read = new LabelRows(project.reference());
                    List<Label> labels = new ArrayList<>();
                    while (rows.next()) {
                        labels.add(read.label(rows));
                    }
                    // From an index scan, PID order is nearly id order: the sort is close to
                    // linear.
                    labels.sort(ORDER);
                    return labels;
                });
    }

    /**
     * The labels of these patients in one project with one of {@code statuses}, looked up by the
     * (PROJECT, SUBJECT) index: with the fields the index holds (as {@link #projectLabels}: id,
     * project, status, code, subject, sources, performer, device, span, region), in no particular
     * order. While the index is not complete, the store's labels (all fields).
     */
    public List<Label> labelsOfSubjects(
            String project, Collection<String> subjects, Set<String> statuses) {
        if (statuses.isEmpty() || subjects.isEmpty()) {
            return List.of();
        }
        if (!ready()) {
            return store.labelsOfSubjects(project, subjects, statuses);
        }
        List<String> statusList = statuses.stream().sorted().toList();
        List<String> distinct = subjects.stream().distinct().sorted().toList();
        List<Label> labels = new ArrayList<>();
        LabelRows read = new LabelRows(project);
        for (int i = 0; i < distinct.size(); i += IN_CHUNK) {
            List<String> chunk = distinct.subList(i, Math.min(distinct.size(), i + IN_CHUNK));
            String sql =
                    "SELECT "
                            + LabelRows.COLUMNS
                            + " FROM QRM_LABEL_INDEX WHERE PROJECT = ? AND SUBJECT IN ("
                            + placeholders(chunk.size())
                            + ") AND STATUS IN ("
                            + placeholders(statusList.size())
                            + ")";
            query(
                    sql,
                    statement -> {
                        int n = 1;
                        statement.setString(n++, project);
                        for (String subject : chunk) {
                            statement.setString(n++, subject);
                        }
                        for (String status : statusList) {
                            statement.setString(n++, status);
                        }
                    },
                    rows -> {
                        while (rows.next()) {
                            labels.add(read.label(rows));
                        }
                        return null;
                    });
        }
        return labels;
    }

    private static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
    }

    /**
     * Index rows of one project as {@link Label}s. Many rows share a few hundred distinct values:
     * one String, Optional, code and source list per distinct value rather than per row.
     */
    private static final class LabelRows {

        static final String COLUMNS =
                "LABEL_ID, STATUS, CODE_SYSTEM, CODE_VERSION, CODE, CODE_DISPLAY, SUBJECT, SOURCES,"
                        + " PERFORMER, DEVICE, TEXT_SPAN, IMAGE_REGION";

        private final String project;
        private final Map<String, String> interned = new HashMap<>();
        private final Map<String, Optional<String>> optionals = new HashMap<>();
        private final Map<String, List<String>> sourceLists = new HashMap<>();
        private final Map<LabelCode, LabelCode> codes = new HashMap<>();

        LabelRows(String project) {
            this.project = project;
        }

        Label label(ResultSet rows) throws SQLException {
            String sources = rows.getString(8);
            LabelCode code =
                    new LabelCode(
                            rows.getString(3),
                            rows.getString(4),
                            rows.getString(5),
                            rows.getString(6));
            return new Label(
                    "Observation/" + rows.getString(1),
                    project,
                    intern(rows.getString(2)),
                    codes.computeIfAbsent(code, Function.identity()),
                    intern(rows.getString(7)),
                    sources == null
                            ? List.of()
                            : sourceLists.computeIfAbsent(
                                    sources, all -> List.of(all.split(SEPARATOR))),
                    optional(rows.getString(9)),
                    optional(rows.getString(10)),
                    // Spans and regions are mostly distinct.
                    Optional.ofNullable(rows.getString(11)),
                    Optional.ofNullable(rows.getString(12)),
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    Instant.EPOCH);
        }

        private String intern(String s) {
            return s == null ? null : interned.computeIfAbsent(s, Function.identity());
        }

        private Optional<String> optional(String s) {
            return s == null ? Optional.empty() : optionals.computeIfAbsent(s, Optional::of);
        }
    }

    @Override
    public Map<String, PatientRecord> patients(Collection<String> references) {
        if (!ready()) {
            return store.patients(references);
        }
        List<String> ids =
                references.stream()
                        .filter(r -> r.startsWith("Patient/"))
                        .map(r -> r.substring("Patient/".length()))
                        .distinct()
                        .toList();
        Map<String, PatientRecord> patients = new HashMap<>();
        for (int i = 0; i < ids.size(); i += IN_CHUNK) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + IN_CHUNK));
            String sql =
                    "SELECT PATIENT_ID, GENDER, BIRTH_YEAR, BIRTH_MONTH, BIRTH_DAY, RACES, ETHNICITY"
                            + " FROM QRM_LABEL_PATIENT WHERE DELETED = 0 AND PATIENT_ID IN ("
                            + placeholders(chunk.size())
                            + ")";
            query(
                    sql,
                    statement -> {
                        for (int j = 0; j < chunk.size(); j++) {
                            statement.setString(j + 1, chunk.get(j));
                        }
                    },
                    rows -> {
                        while (rows.next()) {
                            String id = "Patient/" + rows.getString(1);
                            int year = rows.getInt(3);
                            String races = rows.getString(6);
                            patients.put(
                                    id,
                                    new PatientRecord(
                                            id,
                                            Optional.ofNullable(rows.getString(2)),
                                            year == 0
                                                    ? Optional.empty()
                                                    : Optional.of(
                                                            new PartialDate(
                                                                    year,
                                                                    rows.getInt(4),
                                                                    rows.getInt(5))),
                                            races == null ? List.of() : List.of(races.split(",")),
                                            Optional.ofNullable(rows.getString(7))));
                        }
                        return null;
                    });
        }
        return patients;
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private interface Reader<T> {
        T read(ResultSet rows) throws SQLException;
    }

    /** A read-only query on a connection of its own, streamed (fetch size) rather than buffered. */
    private <T> T query(String sql, Binder binder, Reader<T> reader) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            // PostgreSQL streams a result only inside a transaction.
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setFetchSize(5000);
                binder.bind(statement);
                try (ResultSet rows = statement.executeQuery()) {
                    return reader.read(rows);
                }
            } finally {
                connection.rollback();
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new LabelIndexException(
                    "cannot read the label index (SQL state " + e.getSQLState() + ")", e);
        }
    }

    /** The index could not be read. */
    public static final class LabelIndexException extends RuntimeException {
        LabelIndexException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
