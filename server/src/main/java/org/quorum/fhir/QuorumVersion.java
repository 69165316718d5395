package org.quorum.fhir;

/** The version of Quorum that runs, from the jar manifest (or "dev" when run from classes). */
public final class QuorumVersion {

    private QuorumVersion() {}

    public static String get() {
        String version = QuorumVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
