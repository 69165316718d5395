package org.quorum.quality.agreement;

import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.data.LabelSource;
import org.quorum.quality.data.Project;

/**
 * {@code $agreement}: inter-annotator agreement of a project's labels, read from the FHIR store.
 *
 * @see LabelAgreement for how labels become units and ratings
 */
public final class AgreementService {

    private final FhirQualityStore store;

    public AgreementService(FhirQualityStore store) {
        this.store = store;
    }

    /** Agreement of the labels of project {@code projectId}, read from {@code labels}. */
    public ProjectAgreement agreement(
            String projectId, AgreementOptions options, LabelSource labels) {
        Project project = store.project(projectId);
        return new ProjectAgreement(
                project,
                options,
                LabelAgreement.analyse(labels.projectLabels(project, options.statuses()), options));
    }
}
