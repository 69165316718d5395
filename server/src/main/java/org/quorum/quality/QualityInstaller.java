package org.quorum.quality;

import java.util.Set;
import org.quorum.labels.LabelReadModel;
import org.quorum.platform.Platform;
import org.quorum.quality.consistency.ConsistencyInterceptor;
import org.quorum.quality.data.FhirQualityStore;
import org.quorum.quality.fhir.ProjectQualityOperations;
import org.quorum.quality.fhir.SchemaImpactOperations;
import org.quorum.quality.report.QualityReportHandler;
import org.quorum.security.Role;
import org.quorum.security.SecurityCapability;

/**
 * The quality capability: agreement, bias, class balance, schema impact (FHIR operations), the
 * write-time cross-modal consistency check, and the report page.
 */
public final class QualityInstaller {

    private QualityInstaller() {}

    public static QualityService install(
            Platform platform, SecurityCapability security, LabelReadModel labels) {
        QualityService quality =
                new QualityService(new FhirQualityStore(platform.daos(), labels), platform.clock());
        platform.storageInterceptors()
                .registerInterceptor(
                        new ConsistencyInterceptor(
                                quality.consistencyService(), platform.transactions()));
        platform.fhirServer().registerProvider(new ProjectQualityOperations(quality));
        platform.fhirServer().registerProvider(new SchemaImpactOperations(quality));
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
