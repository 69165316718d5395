package org.quorum.audit;

import ca.uhn.fhir.storage.interceptor.balp.BalpProfileEnum;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * Maps an {@link AuditRecord} to a FHIR R4 AuditEvent following the IHE Basic Audit Log Patterns
 * (BALP): type {@code rest}, subtype the restful interaction, a client agent and a server agent
 * (and a user agent when a person is known), the patient and the resources as entities, the query
 * for searches.
 *
 * @see <a href="https://profiles.ihe.net/ITI/BALP/">IHE ITI Basic Audit Log Patterns</a>
 */
public final class AuditEventMapper {

    static final String CS_AUDIT_EVENT_TYPE =
            "http://terminology.hl7.org/CodeSystem/audit-event-type";
    static final String CS_RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction";
    static final String CS_QUORUM_INTERACTION =
            "https://quorum.dev/fhir/CodeSystem/quorum-interaction";
    static final String CS_SECURITY_SOURCE_TYPE =
            "http://terminology.hl7.org/CodeSystem/security-source-type";
    static final String CS_PARTICIPATION_TYPE =
            "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
    static final String CS_OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
    static final String CS_ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    static final String CS_ROLES = "https://quorum.dev/fhir/CodeSystem/quorum-role";
    static final String CLIENT_ID_SYSTEM = "https://quorum.dev/fhir/client-id";
    static final String USER_ID_SYSTEM = "https://quorum.dev/fhir/user-id";

    private static final java.util.Set<String> FHIR_INTERACTIONS =
            java.util.Set.of(
                    "read",
                    "vread",
                    "update",
                    "patch",
                    "delete",
                    "history",
                    "history-instance",
                    "history-type",
                    "history-system",
                    "create",
                    "search",
                    "search-type",
                    "search-system",
                    "capabilities",
                    "transaction",
                    "batch",
                    "operation");

    private final String serverName;
    private final String serverAddress;

    public AuditEventMapper(String serverName, String serverAddress) {
        this.serverName = serverName;
        this.serverAddress = serverAddress;
    }

    public AuditEvent toAuditEvent(AuditRecord record) {
        AuditEvent event = new AuditEvent();
        BalpProfileEnum profile = profile(record);
        if (profile != null) {
            event.getMeta().addProfile(profile.getProfileUrl());
        }
        event.setType(new Coding(CS_AUDIT_EVENT_TYPE, "rest", "Restful Operation"));
        event.addSubtype(
                FHIR_INTERACTIONS.contains(record.interaction())
                        ? new Coding(CS_RESTFUL_INTERACTION, record.interaction(), null)
                        : new Coding(CS_QUORUM_INTERACTION, record.interaction(), null));
        event.setAction(
                switch (record.action()) {
                    case CREATE -> AuditEvent.AuditEventAction.C;
                    case READ -> AuditEvent.AuditEventAction.R;
                    case UPDATE -> AuditEvent.AuditEventAction.U;
                    case DELETE -> AuditEvent.AuditEventAction.D;
                    case EXECUTE -> AuditEvent.AuditEventAction.E;
                });
        event.setRecorded(Date.from(record.recorded()));
        // FHIR R4 AuditEvent.outcome: 0 success, 4 minor failure (client error), 8 serious failure.
        event.setOutcome(
                record.succeeded()
                        ? AuditEvent.AuditEventOutcome._0
                        : record.httpStatus() < 500
                                ? AuditEvent.AuditEventOutcome._4
                                : AuditEvent.AuditEventOutcome._8);
        event.setOutcomeDesc(
                "HTTP "
                        + record.httpStatus()
                        + (record.outcomeReason().isEmpty() ? "" : ": " + record.outcomeReason()));

        AuditEvent.AuditEventAgentComponent client = event.addAgent();
        client.setType(
                new CodeableConcept(
                        profile != null
                                ? profile.getAgentClientTypeCoding()
                                : new Coding(
                                        "http://dicom.nema.org/resources/ontology/DCM",
                                        "110153",
                                        "Source Role ID")));
        client.setRequestor(record.user().isEmpty());
        // altId is searchable (AuditEvent?altid=...): auditors find a client's or user's trail by
        // it.
        record.client().ifPresent(client::setAltId);
        client.setWho(
                new Reference()
                        .setIdentifier(
                                new Identifier()
                                        .setSystem(CLIENT_ID_SYSTEM)
                                        .setValue(record.client().orElse("anonymous"))));
        record.sourceAddress()
                .ifPresent(
                        address ->
                                client.getNetwork()
                                        .setAddress(address)
                                        .setType(AuditEvent.AuditEventAgentNetworkType._2));

        AuditEvent.AuditEventAgentComponent server = event.addAgent();
        server.setType(
                new CodeableConcept(
                        profile != null
                                ? profile.getAgentServerTypeCoding()
                                : new Coding(
                                        "http://dicom.nema.org/resources/ontology/DCM",
                                        "110152",
                                        "Destination Role ID")));
        server.setRequestor(false);
        server.setWho(new Reference().setDisplay(serverName));
        server.getNetwork()
                .setAddress(serverAddress)
                .setType(AuditEvent.AuditEventAgentNetworkType._5);

        record.user()
                .ifPresent(
                        user -> {
                            AuditEvent.AuditEventAgentComponent person = event.addAgent();
                            person.setType(
                                    new CodeableConcept(
                                            new Coding(
                                                    CS_PARTICIPATION_TYPE,
                                                    "IRCP",
                                                    "information recipient")));
                            person.setRequestor(true);
                            person.setAltId(user);
                            person.setWho(
                                    new Reference()
                                            .setIdentifier(
                                                    new Identifier()
                                                            .setSystem(USER_ID_SYSTEM)
                                                            .setValue(user)));
                            record.roles()
                                    .forEach(
                                            role ->
                                                    person.addRole(
                                                            new CodeableConcept(
                                                                    new Coding(
                                                                            CS_ROLES, role,
                                                                            null))));
                        });

        event.getSource()
                .setSite(serverName)
                .setObserver(new Reference().setDisplay(serverName))
                .addType(new Coding(CS_SECURITY_SOURCE_TYPE, "4", "Application Server"));

        for (String patient : record.patients()) {
            event.addEntity()
                    .setWhat(entityReference(patient))
                    .setType(new Coding(CS_ENTITY_TYPE, "1", "Person"))
                    .setRole(new Coding(CS_OBJECT_ROLE, "1", "Patient"));
        }
        for (String resource : record.resources()) {
            event.addEntity()
                    .setWhat(entityReference(resource))
                    .setType(new Coding(CS_ENTITY_TYPE, "2", "System Object"))
                    .setRole(new Coding(CS_OBJECT_ROLE, "4", "Domain Resource"));
        }
        record.query()
                .ifPresent(
                        query ->
                                event.addEntity()
                                        .setType(new Coding(CS_ENTITY_TYPE, "2", "System Object"))
                                        .setRole(new Coding(CS_OBJECT_ROLE, "24", "Query"))
                                        .setQuery(query.getBytes(StandardCharsets.UTF_8)));
        if (record.resources().isEmpty() && record.query().isEmpty()) {
            // BALP asks for at least one entity: the endpoint that was called.
            event.addEntity()
                    .setWhat(new Reference().setDisplay(record.requestPath()))
                    .setType(new Coding(CS_ENTITY_TYPE, "2", "System Object"));
        }
        return event;
    }

    static final String RESOURCE_ID_SYSTEM = "https://quorum.dev/fhir/resource-reference";

    /**
     * Entities are named by identifier ({@code Observation/123} under {@value #RESOURCE_ID_SYSTEM},
     * searchable as {@code AuditEvent?entity-reference=Observation/123}), not by literal reference:
     * HAPI enforces referential integrity, and a literal reference would both fail for a resource
     * that does not exist (a refused read) and keep an audited resource from deletion.
     */
    private static Reference entityReference(String reference) {
        int slash = reference.indexOf('/');
        Reference logical =
                new Reference()
                        .setIdentifier(
                                new Identifier().setSystem(RESOURCE_ID_SYSTEM).setValue(reference));
        return slash > 0 ? logical.setType(reference.substring(0, slash)) : logical;
    }

    private static BalpProfileEnum profile(AuditRecord record) {
        boolean patient = !record.patients().isEmpty();
        return switch (record.interaction()) {
            case "create" ->
                    patient ? BalpProfileEnum.PATIENT_CREATE : BalpProfileEnum.BASIC_CREATE;
            case "update", "patch" ->
                    patient ? BalpProfileEnum.PATIENT_UPDATE : BalpProfileEnum.BASIC_UPDATE;
            case "delete" ->
                    patient ? BalpProfileEnum.PATIENT_DELETE : BalpProfileEnum.BASIC_DELETE;
            case "read", "vread" ->
                    patient ? BalpProfileEnum.PATIENT_READ : BalpProfileEnum.BASIC_READ;
            case "search-type", "search-system", "search" ->
                    patient ? BalpProfileEnum.PATIENT_QUERY : BalpProfileEnum.BASIC_QUERY;
            default -> null;
        };
    }
}
