package org.quorum.quality.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.quorum.labels.Label;
import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.data.LabelSource;
import org.quorum.quality.data.Project;
import org.quorum.quality.data.SchemaVersion;

/** {@code $class-balance}: class prevalence, rare classes and the cases they need. */
public final class ClassBalanceService {

    private final FhirQualityStore store;

    public ClassBalanceService(FhirQualityStore store) {
        this.store = store;
    }

    /** Class balance of project {@code projectId}, labels read from {@code data}. */
    public ClassBalanceReport classBalance(
            String projectId, ClassBalanceOptions options, LabelSource data) {
        Project project = store.project(projectId);
        List<Label> labels = data.projectLabels(project, options.statuses());
        List<SchemaVersion> versions = new ArrayList<>();
        labels.stream()
                .filter(l -> l.code().system() != null && l.code().version() != null)
                .map(l -> l.code().system() + "\u0000" + l.code().version())
                .distinct()
                .sorted()
                .forEach(
                        key -> {
                            String[] parts = key.split("\u0000", 2);
                            store.findSchemaVersion(parts[0], parts[1]).ifPresent(versions::add);
                        });
        versions.removeIf(Objects::isNull);
        return ClassBalance.analyse(project, labels, versions, options);
    }
}
