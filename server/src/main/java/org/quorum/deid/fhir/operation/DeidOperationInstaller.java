package org.quorum.deid.fhir.operation;

import org.quorum.deid.fhir.FhirDeidentificationService;
import org.quorum.deid.text.lexicon.PhiLexicon;
import org.quorum.platform.Platform;

/** The de-identification capability on the server: {@code POST /fhir/$deidentify}. */
public final class DeidOperationInstaller {

    private DeidOperationInstaller() {}

    /** Registers {@code $deidentify}; it answers 501 when no secret is configured. */
    public static void install(Platform platform) {
        platform.fhirServer()
                .registerProvider(
                        new DeidentifyOperation(
                                platform.settings()
                                        .deid()
                                        .keys()
                                        .map(
                                                keys ->
                                                        new FhirDeidentificationService(
                                                                platform.fhir(),
                                                                keys,
                                                                PhiLexicon::standard,
                                                                platform.clock()))));
    }
}
