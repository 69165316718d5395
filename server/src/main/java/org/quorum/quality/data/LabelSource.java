package org.quorum.quality.data;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quorum.labels.Label;

/**
 * Where the agreement, bias and class-balance reports read a project's labels and their patients:
 * the label index ({@link org.quorum.quality.index.LabelIndex}, the default) or the FHIR store
 * through HAPI's DAOs ({@link FhirQualityStore}, the reference the index is checked against).
 */
public interface LabelSource {

    /**
     * The order both sources return a project's labels in: by id, numeric ids by value. The reports
     * take a code's display (and, in the bias report, its schema version) from the first label they
     * meet with it, so the order must not depend on the source or the database.
     */
    Comparator<Label> ORDER =
            Comparator.comparingInt((Label label) -> label.id().length()).thenComparing(Label::id);

    /**
     * The project's labels with one of {@code statuses}, in {@link #ORDER}, with at least the
     * fields the reports use: id, project, status, code, subject, sources, performer, device, text
     * span and image region.
     */
    List<Label> projectLabels(Project project, Set<String> statuses);

    /** The patients with these references, by reference; missing ones are left out. */
    Map<String, PatientRecord> patients(Collection<String> references);
}
