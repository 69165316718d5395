package org.quorum.ops;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.quorum.ops.backup.BackupHandler;
import org.quorum.ops.backup.BackupWriter;
import org.quorum.platform.Platform;
import org.quorum.security.Role;
import org.quorum.security.SecurityCapability;

/**
 * Operations: health checks (open), Prometheus metrics (role-gated) and the online backup of the
 * embedded installation (project admins).
 */
public final class OpsInstaller {

    private OpsInstaller() {}

    /**
     * @param checks the capabilities' readiness checks beside the database's
     */
    public static HealthService install(
            Platform platform,
            SecurityCapability security,
            List<Supplier<HealthService.Check>> checks) {
        platform.metrics().bindConnectionPool(platform.dataSource());
        HealthService health =
                new HealthService(platform.dataSource(), Duration.ofSeconds(5), checks);
        platform.exactRoute("/health", HealthHandler.readiness(health));
        platform.exactRoute("/health/ready", HealthHandler.readiness(health));
        platform.exactRoute("/health/live", HealthHandler.liveness(health));
        platform.exactRoute(
                "/metrics",
                security.http()
                        .require(
                                Set.of(Role.PROJECT_ADMIN, Role.INTEGRATION, Role.AUDITOR),
                                "metrics",
                                platform.metrics().scrapeHandler()));
        // A consistent online backup of the embedded installation (quorum backup calls it).
        platform.exactRoute(
                "/admin/backup",
                security.http()
                        .require(
                                Set.of(Role.PROJECT_ADMIN),
                                "backup",
                                new BackupHandler(
                                        platform.dataSource(),
                                        platform.settings().storage(),
                                        new BackupWriter(platform.clock()))));
        return health;
    }
}
