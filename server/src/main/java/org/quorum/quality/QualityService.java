package org.quorum.quality;

import java.time.Clock;
import java.time.LocalDate;
import java.util.Optional;
import org.quorum.labels.Label;
import org.quorum.quality.agreement.AgreementOptions;
import org.quorum.quality.agreement.AgreementService;
import org.quorum.quality.agreement.ProjectAgreement;
import org.quorum.quality.balance.ClassBalanceOptions;
import org.quorum.quality.balance.ClassBalanceReport;
import org.quorum.quality.balance.ClassBalanceService;
import org.quorum.quality.bias.BiasOptions;
import org.quorum.quality.bias.BiasReport;
import org.quorum.quality.bias.BiasService;
import org.quorum.quality.consistency.ConsistencyService;
import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.data.LabelOrigin;
import org.quorum.quality.data.LabelSource;
import org.quorum.quality.data.SchemaVersion;
import org.quorum.quality.index.LabelIndex;
import org.quorum.quality.schema.SchemaImpact;
import org.quorum.quality.schema.SchemaImpactService;

/**
 * The quality capability: agreement, bias and class-balance reports on a project's labels,
 * cross-modal consistency, and the impact of a new label-schema version. Every transport (FHIR
 * operations, the report page) calls this; it reads and writes the FHIR store through {@link
 * FhirQualityStore}.
 */
public final class QualityService {

    private final Clock clock;
    private final FhirQualityStore store;
    private final AgreementService agreement;
    private final BiasService bias;
    private final ClassBalanceService classBalance;
    private final ConsistencyService consistency;
    private final SchemaImpactService schemaImpact;
    private final LabelIndex index;

    /**
     * @param index where the agreement, bias and class-balance reports read labels by default (the
     *     label index; the store itself when there is none)
     */
    public QualityService(FhirQualityStore store, LabelIndex index, Clock clock) {
        this.clock = clock;
        this.store = store;
        this.index = index;
        this.agreement = new AgreementService(store);
        this.bias = new BiasService(store);
        this.classBalance = new ClassBalanceService(store);
        // After a write, the patients' labels come from the index (by project and patient): a
        // HAPI search for them walked the project's labels, so writes slowed as the store grew.
        this.consistency =
                new ConsistencyService(
                        store,
                        (project, subjects) ->
                                index.labelsOfSubjects(project, subjects, Label.ACTIVE_STATUSES),
                        clock);
        this.schemaImpact = new SchemaImpactService(store);
    }

    public ProjectAgreement agreement(String projectId, AgreementOptions options) {
        return agreement(projectId, options, LabelOrigin.INDEX);
    }

    public ProjectAgreement agreement(
            String projectId, AgreementOptions options, LabelOrigin origin) {
        return agreement.agreement(projectId, options, source(origin));
    }

    public BiasReport biasReport(String projectId, BiasOptions options) {
        return biasReport(projectId, options, LabelOrigin.INDEX);
    }

    public BiasReport biasReport(String projectId, BiasOptions options, LabelOrigin origin) {
        return bias.biasReport(projectId, options, source(origin));
    }

    public ClassBalanceReport classBalance(String projectId, ClassBalanceOptions options) {
        return classBalance(projectId, options, LabelOrigin.INDEX);
    }

    public ClassBalanceReport classBalance(
            String projectId, ClassBalanceOptions options, LabelOrigin origin) {
        return classBalance.classBalance(projectId, options, source(origin));
    }

    private LabelSource source(LabelOrigin origin) {
        return origin == LabelOrigin.STORE ? store : index;
    }

    public ConsistencyService.ProjectConsistency consistency(String projectId) {
        return consistency.consistency(projectId);
    }

    /** The service the write-time consistency check calls. */
    public ConsistencyService consistencyService() {
        return consistency;
    }

    /**
     * One stored version of a label schema.
     *
     * @throws QualityException when it is not stored
     */
    public SchemaVersion schemaVersion(String url, String version) {
        return store.schemaVersion(url, version);
    }

    public SchemaImpact schemaImpact(
            String url, String fromVersion, String toVersion, Optional<String> projectId) {
        return schemaImpact.impact(url, fromVersion, toVersion, projectId);
    }

    public SchemaImpact schemaImpactOf(
            String codeSystemId, String fromVersion, Optional<String> projectId) {
        return schemaImpact.impactOf(codeSystemId, fromVersion, projectId);
    }

    /** The label index the reports read. */
    public LabelIndex labelIndex() {
        return index;
    }

    /** Today (UTC), the default date ages are computed on. */
    public LocalDate today() {
        return LocalDate.now(clock);
    }

    public Clock clock() {
        return clock;
    }
}
