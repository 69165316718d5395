package org.quorum.deid.fhir;

import ca.uhn.fhir.context.FhirContext;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Bundle;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * De-identification of FHIR data for the server's transports (the {@code $deidentify} operation
 * now, the ingest routes later): one project key service, one lexicon, any policy per call.
 *
 * <p>Stores nothing: it returns the de-identified copy and leaves storing it to the caller.
 * Thread-safe: each call gets its own {@link FhirDeidentifier} (which holds a HAPI parser, and
 * parsers are not shared between threads); the lexicon, loaded on first use, is shared.
 */
public final class FhirDeidentificationService {

    private final FhirContext fhir;
    private final DeidKeyService keys;
    private final Supplier<PhiLexicon> lexicon;
    private final Clock clock;

    public FhirDeidentificationService(
            FhirContext fhir, DeidKeyService keys, Supplier<PhiLexicon> lexicon, Clock clock) {
        this.fhir = Objects.requireNonNull(fhir, "fhir");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.lexicon = Objects.requireNonNull(lexicon, "lexicon");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The de-identified copy of {@code bundle}: every entry de-identified, references rewritten to
     * the pseudonymous ids, one Provenance per resource appended (see {@link
     * FhirDeidentifier#deidentify(Bundle)}). The input is not modified.
     */
    public Bundle deidentify(Bundle bundle, DatePolicy policy) {
        Objects.requireNonNull(bundle, "bundle");
        return new FhirDeidentifier(fhir, keys, lexicon.get(), policy, clock).deidentify(bundle);
    }
}
