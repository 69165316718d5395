package org.quorum.quality.consistency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.DetectedIssue.DetectedIssueSeverity;
import org.hl7.fhir.r4.model.DetectedIssue.DetectedIssueStatus;
import org.hl7.fhir.r4.model.Reference;
import org.quorum.labels.Label;
import org.quorum.labels.Modality;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.consistency.CrossModalComparison.Conflict;
import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.data.Project;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-modal consistency: raises a DetectedIssue for every note label and image label of the same
 * patient and finding that contradict each other ({@link CrossModalComparison}), and withdraws it
 * (status cancelled) when they no longer do.
 *
 * <p><b>One issue per pair, never two.</b> The issue's id is derived from the pair ({@code xmodal-}
 * and 40 hex digits of SHA-256 over the two label ids) and written with update-as-create, so every
 * check of the same pair, from any thread, addresses the same resource; a check that finds it
 * unchanged writes nothing.
 *
 * <p>Two entry points: {@link #labelsWritten} (after a label is written, from {@link
 * ConsistencyInterceptor}) and {@link #consistency} (the {@code $consistency} operation, which
 * re-checks the whole project first, so its answer is complete even if a check after a write
 * failed).
 */
public final class ConsistencyService {

    /** DetectedIssue.code of a cross-modal conflict. */
    public static final String ISSUE_CODE = "cross-modal-conflict";

    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyService.class);

    private final FhirQualityStore store;
    private final SubjectLabels subjectLabels;
    private final Clock clock;

    /**
     * Where the check after a write finds the labels of the written labels' patients: the label
     * index (by project and patient), or the store.
     */
    @FunctionalInterface
    public interface SubjectLabels {

        /**
         * The active labels of these patients in one project, with at least id, project, status,
         * code, subject and sources (what tells which of them can contradict each other).
         */
        List<Label> activeLabelsOfSubjects(String project, Collection<String> subjects);
    }

    public ConsistencyService(FhirQualityStore store, SubjectLabels subjectLabels, Clock clock) {
        this.store = store;
        this.subjectLabels = subjectLabels;
        this.clock = clock;
    }

    /** DetectedIssue.code of cross-modal conflicts. */
    public static Coding issueType() {
        return new Coding(
                QuorumProfiles.CS_DETECTED_ISSUE_TYPE, ISSUE_CODE, "Cross-modal label conflict");
    }

    /**
     * The open cross-modal conflicts of a project, after checking all its labels.
     *
     * @param project the project
     * @param issues DetectedIssues with status final, ordered by id
     */
    public record ProjectConsistency(Project project, List<DetectedIssue> issues) {}

    /** Checks every label of the project and lists its open conflicts. */
    public ProjectConsistency consistency(String projectId) {
        Project project = store.project(projectId);
        List<Label> labels = store.projectLabels(project, Label.ACTIVE_STATUSES);
        reconcile(conflicts(labels), store.projectIssues(project, issueType()));
        List<DetectedIssue> open =
                store.projectIssues(project, issueType()).stream()
                        .filter(i -> i.getStatus() == DetectedIssueStatus.FINAL)
                        .sorted(Comparator.comparing(i -> i.getIdElement().getIdPart()))
                        .toList();
        return new ProjectConsistency(project, open);
    }

    /**
     * Re-checks the pairs the labels a committed write stored belong to: raises new conflicts,
     * updates changed ones, withdraws those that are resolved (also when a label left the pair by
     * changing code, patient or status).
     *
     * @param written the labels as the write stored them, taken from the write itself: they are not
     *     read back (at a million stored labels, reading a transaction's 1,000 labels back by id
     *     cost more than the write; on H2 each such read scans the resource table)
     * @param existedBefore the ids among them that were stored before the write (updated, not
     *     created). Only those can be implicated by a stored DetectedIssue: a DetectedIssue can
     *     only refer to a stored label (referential integrity on write) and a label it refers to
     *     cannot be deleted (referential integrity on delete), so a label that is created is new to
     *     every issue. Only their issues are looked up.
     */
    public void labelsWritten(Collection<Label> written, Collection<String> existedBefore) {
        // The pairs a label can be in are among its patient's labels in its project: one read
        // per project (and up to 1,000 patients) finds them for a whole transaction.
        Map<String, Set<String>> subjectsByProject = new TreeMap<>();
        for (Label label : written) {
            if (label.project() != null && label.subject() != null) {
                subjectsByProject
                        .computeIfAbsent(label.project(), p -> new java.util.TreeSet<>())
                        .add(label.subject());
            }
        }
        List<Label> pool = new ArrayList<>();
        subjectsByProject.forEach(
                (project, subjects) ->
                        pool.addAll(subjectLabels.activeLabelsOfSubjects(project, subjects)));
        // Only labels in a group of one patient and code that holds both a note label and an
        // image label can contradict each other. Those are read in full (the comparison reads
        // laterality, body site and encounter, which the index does not hold); the others, most
        // of a patient's labels, are not read at all.
        List<String> candidates = candidates(pool);
        List<Label> compared = candidates.isEmpty() ? List.of() : store.labelsById(candidates);
        List<DetectedIssue> implicating =
                existedBefore.isEmpty()
                        ? List.of()
                        : store.issuesImplicating(existedBefore, issueType());
        reconcile(conflicts(compared), implicating);
    }

    /** The ids of the labels in a group (project, patient, code) with a note and an image label. */
    static List<String> candidates(Collection<Label> labels) {
        Map<List<String>, List<Label>> groups = groups(labels);
        List<String> ids = new ArrayList<>();
        for (List<Label> group : groups.values()) {
            boolean note = group.stream().anyMatch(l -> l.modality() == Modality.NOTE);
            boolean image = group.stream().anyMatch(l -> l.modality() == Modality.IMAGE);
            if (note && image) {
                group.forEach(l -> ids.add(l.id()));
            }
        }
        return ids;
    }

    /** Active note and image labels, distinct by id, grouped by project, patient and code. */
    private static Map<List<String>, List<Label>> groups(Collection<Label> labels) {
        Map<List<String>, List<Label>> groups = new LinkedHashMap<>();
        Map<String, Label> distinct = new TreeMap<>();
        labels.forEach(l -> distinct.put(l.id(), l));
        for (Label label : distinct.values()) {
            if (label.isActive() && label.modality() != Modality.OTHER) {
                groups.computeIfAbsent(
                                java.util.Arrays.asList(
                                        label.project(), label.subject(), label.code().key()),
                                k -> new ArrayList<>())
                        .add(label);
            }
        }
        return groups;
    }

    /** The conflicts among the labels, by issue id. */
    static Map<String, Conflict> conflicts(Collection<Label> labels) {
        Map<String, Conflict> conflicts = new TreeMap<>();
        for (List<Label> group : groups(labels).values()) {
            for (Label note : group) {
                if (note.modality() != Modality.NOTE) {
                    continue;
                }
                for (Label image : group) {
                    if (image.modality() == Modality.IMAGE) {
                        CrossModalComparison.compare(note, image)
                                .ifPresent(c -> conflicts.put(issueId(note, image), c));
                    }
                }
            }
        }
        return conflicts;
    }

    private void reconcile(Map<String, Conflict> wanted, List<DetectedIssue> existing) {
        Map<String, DetectedIssue> existingById = new HashMap<>();
        existing.forEach(i -> existingById.put(i.getIdElement().getIdPart(), i));
        wanted.forEach(
                (id, conflict) -> {
                    DetectedIssue current =
                            existingById.containsKey(id)
                                    ? existingById.get(id)
                                    : store.issue(id).orElse(null);
                    DetectedIssue issue = issue(id, conflict);
                    if (current == null) {
                        LOG.info("Cross-modal conflict {}: {}", id, conflict.detail());
                        store.save(issue);
                    } else if (current.getStatus() != DetectedIssueStatus.FINAL
                            || current.getSeverity() != issue.getSeverity()
                            || !Objects.equals(current.getDetail(), issue.getDetail())) {
                        if (current.getStatus() == DetectedIssueStatus.FINAL) {
                            issue.setIdentified(current.getIdentified());
                        }
                        store.save(issue);
                    }
                });
        for (DetectedIssue issue : existing) {
            String id = issue.getIdElement().getIdPart();
            if (!wanted.containsKey(id) && issue.getStatus() == DetectedIssueStatus.FINAL) {
                LOG.info("Cross-modal conflict {} is resolved: withdrawn", id);
                issue.setStatus(DetectedIssueStatus.CANCELLED);
                issue.setId(issue.getIdElement().toUnqualifiedVersionless());
                store.save(issue);
            }
        }
    }

    private DetectedIssue issue(String id, Conflict conflict) {
        DetectedIssue issue = new DetectedIssue();
        issue.setId("DetectedIssue/" + id);
        issue.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(conflict.note().project()));
        issue.setStatus(DetectedIssueStatus.FINAL);
        issue.setCode(new CodeableConcept(issueType()).setText("Cross-modal label conflict"));
        issue.setSeverity(
                conflict.severity() == CrossModalComparison.Severity.MODERATE
                        ? DetectedIssueSeverity.MODERATE
                        : DetectedIssueSeverity.LOW);
        issue.setPatient(new Reference(conflict.note().subject()));
        issue.setIdentified(new DateTimeType(Date.from(clock.instant())));
        issue.addImplicated(new Reference(conflict.note().id()));
        issue.addImplicated(new Reference(conflict.image().id()));
        issue.setDetail(conflict.detail());
        return issue;
    }

    /** {@code xmodal-} and 40 hex digits of SHA-256 over the note and image label ids. */
    static String issueId(Label note, Label image) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(
                                    (note.id() + "|" + image.id())
                                            .getBytes(StandardCharsets.UTF_8));
            return "xmodal-" + HexFormat.of().formatHex(hash).substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
