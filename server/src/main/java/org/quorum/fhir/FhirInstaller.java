package org.quorum.fhir;

import ca.uhn.fhir.jpa.packages.IPackageInstallerSvc;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import org.quorum.fhir.profiles.CapabilityStatementProfiles;
import org.quorum.fhir.profiles.ProfilePackageInstaller;
import org.quorum.fhir.profiles.ProfileValidationInterceptor;
import org.quorum.platform.Platform;

/**
 * The FHIR capability: Quorum's profiles installed and enforced on write, write metrics, the
 * capability statement, safe error answers, and HAPI's REST server mounted at {@code /fhir/*}.
 */
public final class FhirInstaller {

    private FhirInstaller() {}

    public static void install(Platform platform) {
        platform.storageInterceptors()
                .registerInterceptor(
                        new ProfileValidationInterceptor(
                                platform.fhir(), platform.bean(IInstanceValidatorModule.class)));
        platform.storageInterceptors()
                .registerInterceptor(new FhirWriteMetrics(platform.metrics().registry()));
        platform.storageInterceptors().registerInterceptor(new DecimalLimits(platform.fhir()));
        new ProfilePackageInstaller(platform.bean(IPackageInstallerSvc.class))
                .install(packageVersion());
        // The package brings the "project" search parameter: use it from the first request, not
        // from the registry's next scheduled refresh.
        platform.bean(ISearchParamRegistry.class).forceRefresh();
        platform.fhirServer()
                .registerInterceptor(new CapabilityStatementProfiles(QuorumVersion.get()));
        platform.fhirServer().registerInterceptor(new SafeErrorInterceptor());
        platform.servlet("fhir", "/fhir/*", platform.fhirServer());
    }

    private static String packageVersion() {
        String version = QuorumVersion.get();
        return version.equals("dev") ? "0.1.0" : version.replace("-SNAPSHOT", "");
    }
}
