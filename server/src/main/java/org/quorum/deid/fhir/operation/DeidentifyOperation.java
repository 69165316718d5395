package org.quorum.deid.fhir.operation;

import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.NotImplementedOperationException;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.StringType;
import org.quorum.deid.fhir.FhirDeidentificationService;
import org.quorum.deid.text.DatePolicy;

/**
 * {@code POST /fhir/$deidentify}: the de-identified copy of a Bundle, for integrators that must not
 * hand identified data onwards. The body is the Bundle itself (policy in the URL, {@code
 * ?policy=date-shift}) or a Parameters with {@code resource} = the Bundle and optionally {@code
 * policy} = {@code safe-harbor} (default) or {@code date-shift}.
 *
 * <p>Nothing is stored: storing de-identified data is the ingest routes' job. Who may call it is
 * decided by {@code FhirAccessInterceptor} (deid-admin and integration).
 *
 * <p>Errors never quote the payload: it is PHI.
 *
 * @see <a href="https://hl7.org/fhir/R4/operations.html">FHIR R4 §2.36 Extended Operations</a>
 */
public final class DeidentifyOperation {

    /** The operation's name, as the access rules know it. */
    public static final String NAME = "$deidentify";

    private final Optional<FhirDeidentificationService> service;

    /**
     * @param service empty when no de-identification secret is configured: the operation then
     *     answers 501 saying so
     */
    public DeidentifyOperation(Optional<FhirDeidentificationService> service) {
        this.service = service;
    }

    /** System-level: the Bundle's entries may be of any type and reference each other. */
    @Operation(name = NAME, idempotent = false)
    public Bundle deidentify(
            @OperationParam(name = "resource", min = 1, max = 1) IBaseResource resource,
            // StringType takes valueCode too (CodeType extends StringType).
            @OperationParam(name = "policy", max = 1) StringType policy) {
        FhirDeidentificationService deid =
                service.orElseThrow(
                        () ->
                                new NotImplementedOperationException(
                                        "De-identification is not configured on this server: set "
                                                + "QUORUM_DEID_SECRET or QUORUM_DEID_SECRET_FILE "
                                                + "(see docs/configuration.md)."));
        if (!(resource instanceof Bundle bundle)) {
            throw new InvalidRequestException(
                    "$deidentify takes a Bundle: post the Bundle itself, or a Parameters with a "
                            + "'resource' parameter holding the Bundle"
                            + (resource == null ? "" : " (got a " + resource.fhirType() + ")"));
        }
        return deid.deidentify(bundle, policyOf(policy));
    }

    private static DatePolicy policyOf(StringType policy) {
        if (policy == null || policy.getValue() == null || policy.getValue().isBlank()) {
            return DatePolicy.SAFE_HARBOR;
        }
        String name = policy.getValue().strip();
        return DatePolicy.fromWireName(name)
                .orElseThrow(
                        () ->
                                new InvalidRequestException(
                                        "Unknown policy '"
                                                + shorten(name)
                                                + "': use safe-harbor (default) or date-shift"));
    }

    // An unknown policy is not PHI, but keep a pasted payload out of the answer and the logs.
    private static String shorten(String value) {
        String safe = value.replaceAll("[^A-Za-z0-9_.-]", "?");
        return safe.length() > 32 ? safe.substring(0, 32) + "..." : safe;
    }
}
