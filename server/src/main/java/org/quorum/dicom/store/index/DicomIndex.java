package org.quorum.dicom.store.index;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.quorum.dicom.store.DicomQuery;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The DICOM index: study, series and instance rows as Jakarta Persistence entities in HAPI's
 * persistence unit (same database, same transaction manager), written in one transaction per
 * instance and searched with JPQL built from a {@link DicomQuery}.
 */
public final class DicomIndex {

    /** The entity classes, for the persistence unit. */
    public static final List<Class<?>> ENTITIES =
            List.of(
                    StudyEntity.class,
                    SeriesEntity.class,
                    InstanceEntity.class,
                    MirrorQueueEntity.class);

    private final EntityManager entities;
    private final TransactionTemplate writes;
    private final TransactionTemplate reads;

    public DicomIndex(EntityManagerFactory factory, PlatformTransactionManager transactions) {
        this.entities = SharedEntityManagerCreator.createSharedEntityManager(factory);
        this.writes = new TransactionTemplate(transactions);
        this.reads = new TransactionTemplate(transactions);
        this.reads.setReadOnly(true);
    }

    /** Where a stored file is and what it was, as the store needs to add an instance. */
    public record FileFacts(String transferSyntaxUid, String path, long size, String sha256) {}

    public Optional<InstanceEntity> instance(String sopInstanceUid) {
        return Optional.ofNullable(
                reads.execute(tx -> entities.find(InstanceEntity.class, sopInstanceUid)));
    }

    public Optional<StudyEntity> study(String studyInstanceUid) {
        return Optional.ofNullable(
                reads.execute(tx -> entities.find(StudyEntity.class, studyInstanceUid)));
    }

    /** The study's series, by series number then UID. */
    public List<SeriesEntity> seriesOf(String studyInstanceUid) {
        return reads.execute(
                tx ->
                        entities.createQuery(
                                        "select r from SeriesEntity r where r.studyInstanceUid ="
                                                + " :study order by r.seriesInstanceUid",
                                        SeriesEntity.class)
                                .setParameter("study", studyInstanceUid)
                                .getResultList());
    }

    /** The study's instances, or one series' when {@code series} is given. */
    public List<InstanceEntity> instancesOf(String studyInstanceUid, Optional<String> series) {
        return reads.execute(
                tx -> {
                    TypedQuery<InstanceEntity> query =
                            entities.createQuery(
                                    "select i from InstanceEntity i where i.studyInstanceUid ="
                                            + " :study"
                                            + (series.isPresent()
                                                    ? " and i.seriesInstanceUid = :series"
                                                    : "")
                                            + " order by i.seriesInstanceUid, i.sopInstanceUid",
                                    InstanceEntity.class);
                    query.setParameter("study", studyInstanceUid);
                    series.ifPresent(s -> query.setParameter("series", s));
                    return query.getResultList();
                });
    }

    /**
     * Adds one instance unless its SOP Instance UID is indexed already, creating its study and
     * series rows when they are new (a later instance fills attributes the first one left empty),
     * in one transaction: the lookup, the rows and {@code alsoInTransaction} (e.g. the request's
     * audit record) commit together, once.
     *
     * @return the instance already indexed under the UID (then nothing was written), or empty when
     *     this one was added
     */
    public Optional<InstanceEntity> add(
            AttributeList dataset, FileFacts file, Runnable alsoInTransaction) {
        String sopInstanceUid = text(dataset, TagFromName.SOPInstanceUID, 64);
        return Optional.ofNullable(
                writes.execute(
                        tx -> {
                            InstanceEntity existing =
                                    entities.find(InstanceEntity.class, sopInstanceUid);
                            if (existing != null) {
                                return existing;
                            }
                            insert(dataset, file);
                            alsoInTransaction.run();
                            return null;
                        }));
    }

    private void insert(AttributeList dataset, FileFacts file) {
        String studyUid = text(dataset, TagFromName.StudyInstanceUID, 64);
        String seriesUid = text(dataset, TagFromName.SeriesInstanceUID, 64);
        StudyEntity study = entities.find(StudyEntity.class, studyUid);
        boolean newStudy = study == null;
        if (newStudy) {
            study = new StudyEntity(studyUid);
        }
        study.patientId = first(study.patientId, dataset, TagFromName.PatientID, 64);
        study.issuerOfPatientId =
                first(study.issuerOfPatientId, dataset, TagFromName.IssuerOfPatientID, 64);
        study.patientName = first(study.patientName, dataset, TagFromName.PatientName, 324);
        study.patientBirthDate =
                first(study.patientBirthDate, dataset, TagFromName.PatientBirthDate, 8);
        study.patientSex = first(study.patientSex, dataset, TagFromName.PatientSex, 16);
        study.studyDate = first(study.studyDate, dataset, TagFromName.StudyDate, 8);
        study.studyTime = first(study.studyTime, dataset, TagFromName.StudyTime, 16);
        study.accessionNumber =
                first(study.accessionNumber, dataset, TagFromName.AccessionNumber, 16);
        study.referringPhysicianName =
                first(
                        study.referringPhysicianName,
                        dataset,
                        TagFromName.ReferringPhysicianName,
                        324);
        study.studyId = first(study.studyId, dataset, TagFromName.StudyID, 16);
        study.studyDescription =
                first(study.studyDescription, dataset, TagFromName.StudyDescription, 64);
        study.specificCharacterSet =
                first(study.specificCharacterSet, dataset, TagFromName.SpecificCharacterSet, 128);
        if (newStudy) {
            entities.persist(study);
        }

        SeriesEntity series = entities.find(SeriesEntity.class, seriesUid);
        boolean newSeries = series == null;
        if (newSeries) {
            series = new SeriesEntity(seriesUid, studyUid);
        }
        series.modality = first(series.modality, dataset, TagFromName.Modality, 16);
        series.seriesNumber = first(series.seriesNumber, dataset, TagFromName.SeriesNumber, 12);
        series.seriesDescription =
                first(series.seriesDescription, dataset, TagFromName.SeriesDescription, 64);
        series.seriesDate = first(series.seriesDate, dataset, TagFromName.SeriesDate, 8);
        series.bodyPartExamined =
                first(series.bodyPartExamined, dataset, TagFromName.BodyPartExamined, 16);
        series.performedProcedureStepStartDate =
                first(
                        series.performedProcedureStepStartDate,
                        dataset,
                        TagFromName.PerformedProcedureStepStartDate,
                        8);
        series.performedProcedureStepStartTime =
                first(
                        series.performedProcedureStepStartTime,
                        dataset,
                        TagFromName.PerformedProcedureStepStartTime,
                        16);
        if (newSeries) {
            entities.persist(series);
        }

        InstanceEntity instance =
                new InstanceEntity(
                        text(dataset, TagFromName.SOPInstanceUID, 64),
                        seriesUid,
                        studyUid,
                        text(dataset, TagFromName.SOPClassUID, 64));
        instance.transferSyntaxUid = file.transferSyntaxUid();
        instance.instanceNumber = text(dataset, TagFromName.InstanceNumber, 12);
        instance.contentDate = text(dataset, TagFromName.ContentDate, 8);
        instance.numberOfFrames = text(dataset, TagFromName.NumberOfFrames, 12);
        instance.rows = number(dataset, TagFromName.Rows);
        instance.columns = number(dataset, TagFromName.Columns);
        instance.bitsAllocated = number(dataset, TagFromName.BitsAllocated);
        instance.path = file.path();
        instance.size = file.size();
        instance.sha256 = file.sha256();
        entities.persist(instance);
        // Locked for the rest of the transaction: two concurrent additions both
        // count, so the mirror never takes the second for seen when it saw the first.
        MirrorQueueEntity queued =
                entities.find(MirrorQueueEntity.class, studyUid, LockModeType.PESSIMISTIC_WRITE);
        if (queued == null) {
            queued = new MirrorQueueEntity(studyUid);
            queued.stale = 1;
            entities.persist(queued);
        } else {
            queued.stale++;
        }
    }

    /** How many instance additions the study's mirror has not seen yet (0 when up to date). */
    public int mirrorStale(String studyInstanceUid) {
        Integer stale =
                reads.execute(
                        tx -> {
                            MirrorQueueEntity queued =
                                    entities.find(MirrorQueueEntity.class, studyInstanceUid);
                            return queued == null ? 0 : queued.stale;
                        });
        return stale == null ? 0 : stale;
    }

    /**
     * Records that the study's mirror is the ImagingStudy {@code imagingStudyId} and is up to date
     * with the {@code seen} additions it was built from; false (and nothing changed) when more
     * instances were added meanwhile, so that the study stays pending.
     */
    public boolean mirrorDone(String studyInstanceUid, int seen, String imagingStudyId) {
        Boolean done =
                writes.execute(
                        tx -> {
                            StudyEntity study = entities.find(StudyEntity.class, studyInstanceUid);
                            if (study != null && !imagingStudyId.equals(study.imagingStudyId)) {
                                study.imagingStudyId = imagingStudyId;
                            }
                            return entities.createQuery(
                                                    "delete from MirrorQueueEntity q where"
                                                            + " q.studyInstanceUid = :study and"
                                                            + " q.stale = :seen")
                                            .setParameter("study", studyInstanceUid)
                                            .setParameter("seen", seen)
                                            .executeUpdate()
                                    > 0;
                        });
        return Boolean.TRUE.equals(done);
    }

    /** Up to {@code limit} studies whose mirror is behind (any node's, or left by a crash). */
    public List<String> mirrorPending(int limit) {
        return reads.execute(
                tx ->
                        entities.createQuery(
                                        "select q.studyInstanceUid from MirrorQueueEntity q",
                                        String.class)
                                .setMaxResults(limit)
                                .getResultList());
    }

    /** The Study Instance UIDs of the studies that the given ImagingStudy ids mirror. */
    public Set<String> studiesMirroredBy(Set<String> imagingStudyIds) {
        if (imagingStudyIds.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(
                reads.execute(
                        tx ->
                                entities.createQuery(
                                                "select s.studyInstanceUid from StudyEntity s where"
                                                        + " s.imagingStudyId in :ids",
                                                String.class)
                                        .setParameter("ids", imagingStudyIds)
                                        .getResultList()));
    }

    /** Runs a QIDO-RS search; each result is a dataset of the attributes the query returns. */
    public List<AttributeList> search(DicomQuery query) {
        return reads.execute(tx -> run(query));
    }

    private List<AttributeList> run(DicomQuery query) {
        StringBuilder jpql = new StringBuilder();
        List<String> where = new ArrayList<>();
        switch (query.level()) {
            case STUDY -> jpql.append("select s from StudyEntity s");
            case SERIES -> {
                jpql.append("select s, r from SeriesEntity r, StudyEntity s");
                where.add("r.studyInstanceUid = s.studyInstanceUid");
            }
            case INSTANCE -> {
                jpql.append("select s, r, i from InstanceEntity i, SeriesEntity r, StudyEntity s");
                where.add("i.seriesInstanceUid = r.seriesInstanceUid");
                where.add("r.studyInstanceUid = s.studyInstanceUid");
            }
        }
        Map<String, Object> parameters = new HashMap<>();
        query.study()
                .ifPresent(
                        study -> {
                            where.add("s.studyInstanceUid = :scopeStudy");
                            parameters.put("scopeStudy", study);
                        });
        query.series()
                .ifPresent(
                        series -> {
                            where.add("r.seriesInstanceUid = :scopeSeries");
                            parameters.put("scopeSeries", series);
                        });
        if (query.allowedStudies().isPresent()) {
            if (query.allowedStudies().get().isEmpty()) {
                return List.of();
            }
            where.add("s.studyInstanceUid in :allowedStudies");
            parameters.put("allowedStudies", query.allowedStudies().get());
        }
        int n = 0;
        for (Map.Entry<IndexedAttribute, String> match : query.matches().entrySet()) {
            where.add(condition(match.getKey(), match.getValue(), "p" + n++, parameters, query));
        }
        if (!where.isEmpty()) {
            jpql.append(" where ").append(String.join(" and ", where));
        }
        jpql.append(
                switch (query.level()) {
                    case STUDY -> " order by s.studyInstanceUid";
                    case SERIES -> " order by s.studyInstanceUid, r.seriesInstanceUid";
                    case INSTANCE ->
                            " order by s.studyInstanceUid, r.seriesInstanceUid, i.sopInstanceUid";
                });
        jakarta.persistence.Query search = entities.createQuery(jpql.toString());
        parameters.forEach(search::setParameter);
        search.setFirstResult(query.offset());
        search.setMaxResults(query.limit());
        List<IndexRow> rows = new ArrayList<>();
        for (Object result : search.getResultList()) {
            Object[] row = result instanceof Object[] array ? array : new Object[] {result};
            rows.add(
                    new IndexRow(
                            (StudyEntity) row[0],
                            row.length > 1 ? (SeriesEntity) row[1] : null,
                            row.length > 2 ? (InstanceEntity) row[2] : null));
        }
        return datasets(query, rows);
    }

    private static String condition(
            IndexedAttribute attribute,
            String value,
            String name,
            Map<String, Object> parameters,
            DicomQuery query) {
        switch (attribute.match()) {
            case UID_LIST -> {
                parameters.put(name, DicomQuery.uids(value));
                return attribute.path() + " in :" + name;
            }
            case MODALITIES -> {
                parameters.put(name, List.of(value.split("[,\\\\]")));
                return "exists (select m from SeriesEntity m where m.studyInstanceUid ="
                        + " s.studyInstanceUid and m.modality in :"
                        + name
                        + ")";
            }
            case RANGE -> {
                int dash = value.indexOf('-');
                if (dash < 0) {
                    parameters.put(name, value);
                    return attribute.path() + " = :" + name;
                }
                String from = value.substring(0, dash);
                String to = value.substring(dash + 1);
                List<String> bounds = new ArrayList<>();
                if (!from.isEmpty()) {
                    parameters.put(name + "a", from);
                    bounds.add(attribute.path() + " >= :" + name + "a");
                }
                if (!to.isEmpty()) {
                    // A time range's upper bound covers the whole of its last second (HHMMSS <
                    // HHMMSS.ffffff): compare against the next character up.
                    parameters.put(name + "b", attribute.vr().equals("TM") ? to + "~" : to);
                    bounds.add(attribute.path() + " <= :" + name + "b");
                }
                return "(" + String.join(" and ", bounds) + ")";
            }
            default -> {
                boolean caseInsensitive = query.fuzzy() && attribute.vr().equals("PN");
                String path =
                        caseInsensitive ? "upper(" + attribute.path() + ")" : attribute.path();
                String matched = caseInsensitive ? value.toUpperCase(java.util.Locale.ROOT) : value;
                if (matched.contains("*") || matched.contains("?")) {
                    // PS3.4 C.2.2.2.4 wildcard matching: * any sequence, ? one character.
                    StringBuilder like = new StringBuilder();
                    for (char c : matched.toCharArray()) {
                        switch (c) {
                            case '*' -> like.append('%');
                            case '?' -> like.append('_');
                            case '%', '_', '!' -> like.append('!').append(c);
                            default -> like.append(c);
                        }
                    }
                    parameters.put(name, like.toString());
                    return path + " like :" + name + " escape '!'";
                }
                List<String> list = List.of(matched.split(","));
                if (list.size() > 1) {
                    parameters.put(name, list);
                    return path + " in :" + name;
                }
                parameters.put(name, matched);
                return path + " = :" + name;
            }
        }
    }

    private List<AttributeList> datasets(DicomQuery query, List<IndexRow> rows) {
        Set<String> studies = new TreeSet<>();
        Set<String> series = new TreeSet<>();
        rows.forEach(
                row -> {
                    studies.add(row.study().studyInstanceUid);
                    if (row.series() != null) {
                        series.add(row.series().seriesInstanceUid);
                    }
                });
        Map<String, StudyFacts> studyFacts = studyFacts(studies);
        Map<String, Long> seriesCounts = seriesCounts(series);
        List<AttributeList> results = new ArrayList<>();
        for (IndexRow row : rows) {
            AttributeList dataset = new AttributeList();
            for (IndexedAttribute attribute : IndexedAttribute.values()) {
                if (!query.returns(attribute)) {
                    continue;
                }
                List<String> values = new ArrayList<>();
                if (attribute.computed()) {
                    StudyFacts facts =
                            studyFacts.getOrDefault(row.study().studyInstanceUid, StudyFacts.EMPTY);
                    switch (attribute) {
                        case MODALITIES_IN_STUDY -> values.addAll(facts.modalities());
                        case SOP_CLASSES_IN_STUDY -> values.addAll(facts.sopClasses());
                        case NUMBER_OF_STUDY_RELATED_SERIES ->
                                values.add(Long.toString(facts.series()));
                        case NUMBER_OF_STUDY_RELATED_INSTANCES ->
                                values.add(Long.toString(facts.instances()));
                        case NUMBER_OF_SERIES_RELATED_INSTANCES ->
                                values.add(
                                        Long.toString(
                                                seriesCounts.getOrDefault(
                                                        row.series().seriesInstanceUid, 0L)));
                        default -> {}
                    }
                } else {
                    String value = attribute.valueOf(row);
                    if (value != null && !value.isEmpty()) {
                        values.addAll(List.of(value.split("\\\\", -1)));
                    }
                }
                dataset.put(attribute(attribute, values));
            }
            results.add(dataset);
        }
        return results;
    }

    private record StudyFacts(
            Set<String> modalities, Set<String> sopClasses, long series, long instances) {
        static final StudyFacts EMPTY = new StudyFacts(Set.of(), Set.of(), 0, 0);
    }

    private Map<String, StudyFacts> studyFacts(Set<String> studies) {
        Map<String, StudyFacts> facts = new LinkedHashMap<>();
        if (studies.isEmpty()) {
            return facts;
        }
        for (String study : studies) {
            facts.put(study, new StudyFacts(new TreeSet<>(), new TreeSet<>(), 0, 0));
        }
        for (Object[] row :
                entities.createQuery(
                                "select r.studyInstanceUid, r.modality from SeriesEntity r where"
                                        + " r.studyInstanceUid in :studies",
                                Object[].class)
                        .setParameter("studies", studies)
                        .getResultList()) {
            StudyFacts f = facts.get((String) row[0]);
            if (row[1] != null) {
                f.modalities().add((String) row[1]);
            }
            facts.put(
                    (String) row[0],
                    new StudyFacts(f.modalities(), f.sopClasses(), f.series() + 1, 0));
        }
        for (Object[] row :
                entities.createQuery(
                                "select i.studyInstanceUid, i.sopClassUid, count(i) from"
                                        + " InstanceEntity i where i.studyInstanceUid in :studies"
                                        + " group by i.studyInstanceUid, i.sopClassUid",
                                Object[].class)
                        .setParameter("studies", studies)
                        .getResultList()) {
            StudyFacts f = facts.get((String) row[0]);
            f.sopClasses().add((String) row[1]);
            facts.put(
                    (String) row[0],
                    new StudyFacts(
                            f.modalities(),
                            f.sopClasses(),
                            f.series(),
                            f.instances() + ((Number) row[2]).longValue()));
        }
        return facts;
    }

    private Map<String, Long> seriesCounts(Set<String> series) {
        Map<String, Long> counts = new HashMap<>();
        if (series.isEmpty()) {
            return counts;
        }
        for (Object[] row :
                entities.createQuery(
                                "select i.seriesInstanceUid, count(i) from InstanceEntity i where"
                                        + " i.seriesInstanceUid in :series group by"
                                        + " i.seriesInstanceUid",
                                Object[].class)
                        .setParameter("series", series)
                        .getResultList()) {
            counts.put((String) row[0], ((Number) row[1]).longValue());
        }
        return counts;
    }

    private static Attribute attribute(IndexedAttribute indexed, List<String> values) {
        try {
            Attribute attribute =
                    AttributeFactory.newAttribute(
                            indexed.attributeTag(),
                            indexed.vr().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            for (String value : values) {
                attribute.addValue(value);
            }
            return attribute;
        } catch (DicomException e) {
            throw new IllegalStateException("Index value does not fit its VR: " + indexed, e);
        }
    }

    private static String first(String current, AttributeList dataset, AttributeTag tag, int max) {
        return current != null ? current : text(dataset, tag, max);
    }

    /** The attribute's values joined with backslashes, trimmed; null when absent or empty. */
    static String text(AttributeList dataset, AttributeTag tag, int max) {
        String value = Attribute.getDelimitedStringValuesOrNull(dataset, tag);
        if (value == null || value.isBlank()) {
            return null;
        }
        value = value.trim();
        return value.length() > max ? value.substring(0, max) : value;
    }

    private static Integer number(AttributeList dataset, AttributeTag tag) {
        int value = Attribute.getSingleIntegerValueOrDefault(dataset, tag, -1);
        return value < 0 ? null : value;
    }
}
