package org.quorum.quality.bias;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.quorum.labels.Label;
import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.data.LabelSource;
import org.quorum.quality.data.Project;

/** {@code $bias-report}: composition and label prevalence by demographic group. */
public final class BiasService {

    private final FhirQualityStore store;

    public BiasService(FhirQualityStore store) {
        this.store = store;
    }

    /** The bias report of project {@code projectId}, labels and patients read from {@code data}. */
    public BiasReport biasReport(String projectId, BiasOptions options, LabelSource data) {
        Project project = store.project(projectId);
        List<Label> labels = data.projectLabels(project, options.statuses());
        Set<String> subjects =
                labels.stream()
                        .map(Label::subject)
                        .filter(java.util.Objects::nonNull)
                        .collect(Collectors.toSet());
        return BiasAnalysis.analyse(project, labels, data.patients(subjects), options);
    }
}
