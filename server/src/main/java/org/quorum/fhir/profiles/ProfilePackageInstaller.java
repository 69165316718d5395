package org.quorum.fhir.profiles;

import ca.uhn.fhir.jpa.packages.IPackageInstallerSvc;
import ca.uhn.fhir.jpa.packages.PackageInstallOutcomeJson;
import ca.uhn.fhir.jpa.packages.PackageInstallationSpec;
import org.quorum.profiles.QuorumProfiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the Quorum FHIR package (built into the fhir-profiles jar) into the JPA store at
 * start-up, so its profiles, CodeSystems, ValueSets, search parameter and Measures are searchable
 * resources and the JPA validation chain resolves them.
 *
 * <p>Existing copies are reloaded on every start: an upgraded server must validate against the
 * profiles it ships, not the ones an older version stored.
 */
public final class ProfilePackageInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(ProfilePackageInstaller.class);

    private final IPackageInstallerSvc installer;

    public ProfilePackageInstaller(IPackageInstallerSvc installer) {
        this.installer = installer;
    }

    public PackageInstallOutcomeJson install(String version) {
        PackageInstallationSpec spec =
                new PackageInstallationSpec()
                        .setName(QuorumProfiles.PACKAGE_NAME)
                        .setVersion(version)
                        .setPackageContents(QuorumProfiles.packageBytes())
                        .setInstallMode(PackageInstallationSpec.InstallModeEnum.STORE_AND_INSTALL)
                        .setFetchDependencies(false);
        spec.setReloadExisting(true);
        // SearchParameter: Quorum's "project" parameter; Measure: the canonical Measures that the
        // quality reports (MeasureReport.measure) point at.
        spec.addInstallResourceTypes(
                "StructureDefinition", "CodeSystem", "ValueSet", "SearchParameter", "Measure");
        PackageInstallOutcomeJson outcome = installer.install(spec);
        LOG.info(
                "Installed FHIR package {}#{}: {}",
                QuorumProfiles.PACKAGE_NAME,
                version,
                outcome.getResourcesInstalled());
        return outcome;
    }
}
