package org.quorum.audit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One audited request, as the transport saw it: who (user, client, roles), what (interaction,
 * resources, patients, query), when, from where, and the outcome. Free text is limited to the
 * outcome reason, which transports fill with fixed phrases, never with request content.
 *
 * @param interaction FHIR restful interaction code (read, vread, search-type, create, update,
 *     delete, history-instance, transaction, batch, operation, capabilities) or a Quorum code for
 *     other transports (e.g. {@code dicomweb-retrieve}, {@code token})
 * @param httpStatus the HTTP status answered
 * @param resources references of the resources acted on ({@code Observation/123})
 * @param patients references of the patients whose data was touched
 * @param query the query string of a search (recorded as BALP asks, base64 in {@code entity.query};
 *     readable only by auditors)
 */
public record AuditRecord(
        Instant recorded,
        String interaction,
        Action action,
        int httpStatus,
        String outcomeReason,
        Optional<String> user,
        Optional<String> client,
        List<String> roles,
        Optional<String> sourceAddress,
        String requestPath,
        List<String> resources,
        List<String> patients,
        Optional<String> query) {

    /** The CRUDE action of the interaction (FHIR R4 AuditEvent.action). */
    public enum Action {
        CREATE,
        READ,
        UPDATE,
        DELETE,
        EXECUTE
    }

    public AuditRecord {
        roles = List.copyOf(roles);
        resources = List.copyOf(resources);
        patients = List.copyOf(patients);
    }

    public boolean succeeded() {
        return httpStatus < 400;
    }
}
