package org.quorum.fhir;

import ca.uhn.fhir.jpa.packages.IPackageInstallerSvc;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.quorum.fhir.profiles.CapabilityStatementProfiles;
import org.quorum.fhir.profiles.PooledInstanceValidator;
import org.quorum.fhir.profiles.ProfilePackageInstaller;
import org.quorum.fhir.profiles.ProfileValidationInterceptor;
import org.quorum.labels.LabelReadModel;
import org.quorum.platform.Platform;

/**
 * The FHIR capability: Quorum's profiles installed and enforced on write, write metrics, the
 * capability statement, safe error answers, HAPI's REST server mounted at {@code /fhir/*}, and the
 * label read model other capabilities share.
 */
public final class FhirInstaller {

    private FhirInstaller() {}

    /**
     * @return the label read model the other capabilities share
     */
    public static LabelReadModel install(Platform platform) {
        // FHIR R4 §6.3 (Provenance): target and entity name the version they are about (the label
        // a decision made, the version an amendment replaced). HAPI strips versions from stored
        // references by default; not on these paths.
        platform.fhir()
                .getParserOptions()
                .setDontStripVersionsFromReferencesAtPaths(
                        "Provenance.target", "Provenance.entity.what");
        // HAPI's validator (settings, support chain), its core validators pooled: see
        // PooledInstanceValidator. HAPI's $validate keeps HAPI's own.
        PooledInstanceValidator validation =
                new PooledInstanceValidator(hapiInstanceValidator(platform));
        platform.storageInterceptors().registerInterceptor(validation);
        platform.storageInterceptors()
                .registerInterceptor(new ProfileValidationInterceptor(platform.fhir(), validation));
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
        return new LabelReadModel(platform.daos());
    }

    private static FhirInstanceValidator hapiInstanceValidator(Platform platform) {
        IInstanceValidatorModule module = platform.bean(IInstanceValidatorModule.class);
        if (module instanceof FhirInstanceValidator hapi) {
            return hapi;
        }
        throw new IllegalStateException(
                "HAPI's instance validator bean is a "
                        + module.getClass().getName()
                        + ", not the FhirInstanceValidator Quorum's profile validation builds on");
    }

    private static String packageVersion() {
        String version = QuorumVersion.get();
        return version.equals("dev") ? "0.1.0" : version.replace("-SNAPSHOT", "");
    }
}
