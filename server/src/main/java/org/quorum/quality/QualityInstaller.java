package org.quorum.quality;

import java.util.Set;
import org.quorum.labels.LabelReadModel;
import org.quorum.platform.Platform;
import org.quorum.quality.consistency.ConsistencyInterceptor;
import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.fhir.LabelIndexOperations;
import org.quorum.quality.fhir.ProjectQualityOperations;
import org.quorum.quality.fhir.SchemaImpactOperations;
import org.quorum.quality.index.LabelIndex;
import org.quorum.quality.index.LabelIndexInterceptor;
import org.quorum.quality.report.QualityReportHandler;
import org.quorum.security.Role;
import org.quorum.security.SecurityCapability;

/**
 * The quality capability: agreement, bias, class balance, schema impact (FHIR operations), the
 * write-time cross-modal consistency check, the label index the reports read, and the report page.
 */
public final class QualityInstaller {

    private QualityInstaller() {}

    public static QualityService install(
            Platform platform, SecurityCapability security, LabelReadModel labels) {
        FhirQualityStore store = new FhirQualityStore(platform.daos(), labels);
        LabelIndex index =
                new LabelIndex(
                        platform.entityManagerFactory(),
                        platform.transactionManager(),
                        platform.dataSource(),
                        platform.daos(),
                        store);
        // Every label and Patient write keeps the index current, in the write's transaction.
        platform.storageInterceptors().registerInterceptor(new LabelIndexInterceptor(index));
        index.rebuildIfStale();
        QualityService quality = new QualityService(store, index, platform.clock());
        platform.storageInterceptors()
                .registerInterceptor(
                        new ConsistencyInterceptor(
                                quality.consistencyService(), platform.transactions()));
        platform.fhirServer().registerProvider(new ProjectQualityOperations(quality));
        platform.fhirServer().registerProvider(new SchemaImpactOperations(quality));
        platform.fhirServer().registerProvider(new LabelIndexOperations(index));
        // The report shows a project's quality to its admins (and auditors).
        platform.prefixRoute(
                QualityReportHandler.PATH,
                servlets ->
                        security.http()
                                .require(
                                        Set.of(Role.PROJECT_ADMIN, Role.AUDITOR),
                                        "quality-report",
                                        new QualityReportHandler(quality, security.policy())));
        return quality;
    }
}
