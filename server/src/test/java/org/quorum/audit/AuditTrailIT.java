package org.quorum.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.security.Role;
import org.quorum.testing.RunningServer;

/** Every FHIR request, successful or not, leaves an IHE BALP AuditEvent in the store. */
@ExtendWith(RunningServer.class)
class AuditTrailIT {

    @Test
    void successful_create_and_read_are_audited_with_the_resource_as_entity(RunningServer server) {
        HttpResponse<String> created =
                server.http()
                        .postFhir(
                                "/fhir/Patient",
                                "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:audit\",\"value\":\""
                                        + UUID.randomUUID()
                                        + "\"}]}");
        String location = created.headers().firstValue("Location").orElseThrow();
        String reference = location.replaceAll("^.*/fhir/", "").replaceAll("/_history/.*$", "");
        assertThat(server.http().get("/fhir/" + reference).statusCode()).isEqualTo(200);

        server.flushAudit();
        List<AuditEvent> events = auditEvents(server, "AuditEvent?entity-reference=" + reference);

        assertThat(events)
                .extracting(e -> e.getSubtypeFirstRep().getCode())
                .contains("create", "read");
        assertThat(events)
                .allSatisfy(
                        e -> {
                            assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
                            assertThat(e.getType().getCode()).isEqualTo("rest");
                            assertThat(e.getAgent()).hasSizeGreaterThanOrEqualTo(2);
                            assertThat(e.getMeta().getProfile()).isNotEmpty();
                        });
        AuditEvent read =
                events.stream()
                        .filter(e -> e.getSubtypeFirstRep().getCode().equals("read"))
                        .findFirst()
                        .orElseThrow();
        assertThat(read.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
        assertThat(read.getMeta().getProfile().get(0).getValue())
                .contains("IHE.BasicAudit.PatientRead");
        assertThat(read.getAgentFirstRep().getNetwork().getAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void failed_requests_are_audited_with_a_failure_outcome_and_no_request_content(
            RunningServer server) {
        String missing = "Observation/no-such-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(server.http().get("/fhir/" + missing).statusCode()).isEqualTo(404);
        String secret = "Sumiko254 Larue605";
        HttpResponse<String> invalid =
                server.http()
                        .postFhir(
                                "/fhir/Patient",
                                "{\"resourceType\":\"Patient\",\"name\":[{\"text\":\""
                                        + secret
                                        + "\"}],\"gender\":\"neither\"}");
        assertThat(invalid.statusCode()).isEqualTo(400);

        server.flushAudit();
        List<AuditEvent> failures =
                auditEvents(server, "AuditEvent?outcome=4&_count=200&_sort=-_lastUpdated");

        assertThat(failures)
                .anySatisfy(
                        e -> {
                            assertThat(e.getSubtypeFirstRep().getCode()).isEqualTo("read");
                            assertThat(e.getOutcomeDesc()).isEqualTo("HTTP 404: not found");
                            assertThat(e.getEntity())
                                    .anySatisfy(
                                            entity ->
                                                    assertThat(
                                                                    entity.getWhat()
                                                                            .getIdentifier()
                                                                            .getValue())
                                                            .isEqualTo(missing));
                        });
        assertThat(failures)
                .anySatisfy(
                        e -> {
                            assertThat(e.getSubtypeFirstRep().getCode()).isEqualTo("create");
                            assertThat(e.getOutcomeDesc()).isEqualTo("HTTP 400: invalid request");
                        });
        String all =
                server.fhirContext()
                        .newJsonParser()
                        .encodeResourceToString(
                                server.fhirClient(server.auditorToken())
                                        .search()
                                        .byUrl("AuditEvent?_count=500")
                                        .returnBundle(Bundle.class)
                                        .execute());
        assertThat(all).doesNotContain(secret);
    }

    @Test
    void a_stuck_audit_writer_makes_the_server_not_ready_with_the_reason(RunningServer server)
            throws Exception {
        long id;
        try (Connection db = server.dataSource().getConnection();
                PreparedStatement insert =
                        db.prepareStatement(
                                "INSERT INTO QRM_AUDIT_OUTBOX (RECORDED_AT, ATTEMPTS, LAST_ERROR,"
                                        + " PAYLOAD) VALUES (CURRENT_TIMESTAMP, 5, 'test', '{}')",
                                Statement.RETURN_GENERATED_KEYS)) {
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        try {
            HttpResponse<String> stuck = server.anonymousHttp().get("/health");
            assertThat(stuck.statusCode()).as(stuck.body()).isEqualTo(503);
            assertThat(stuck.body()).contains("audit writer stuck").contains("\"DOWN\"");
        } finally {
            try (Connection db = server.dataSource().getConnection();
                    Statement delete = db.createStatement()) {
                delete.executeUpdate("DELETE FROM QRM_AUDIT_OUTBOX WHERE ID = " + id);
            }
        }
        HttpResponse<String> ready = server.anonymousHttp().get("/health");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    }

    @Test
    void searches_are_audited_with_their_query_and_patient(RunningServer server) {
        String patient = "Patient/" + "audit-" + UUID.randomUUID().toString().substring(0, 8);
        server.http().get("/fhir/Observation?subject=" + patient + "&_count=5");

        server.flushAudit();
        List<AuditEvent> events =
                auditEvents(
                        server, "AuditEvent?subtype=search-type&_count=200&_sort=-_lastUpdated");

        assertThat(events)
                .anySatisfy(
                        e -> {
                            assertThat(e.getEntity())
                                    .anySatisfy(
                                            entity ->
                                                    assertThat(entity.getRole().getCode())
                                                            .isEqualTo("24"));
                            String query =
                                    e.getEntity().stream()
                                            .filter(entity -> entity.hasQuery())
                                            .map(
                                                    entity ->
                                                            new String(
                                                                    entity.getQuery(),
                                                                    StandardCharsets.UTF_8))
                                            .findFirst()
                                            .orElse("");
                            assertThat(query).contains("subject=" + patient);
                            assertThat(e.getEntity())
                                    .anySatisfy(
                                            entity ->
                                                    assertThat(entity.getRole().getCode())
                                                            .isEqualTo("1"));
                        });
    }

    @Test
    void concurrent_requests_sharing_outbox_commits_each_get_exactly_one_event(RunningServer server)
            throws Exception {
        // Requests answered at the same time share one outbox commit (AuditService group
        // commit): none may be lost or recorded twice.
        String user = "audit-group-" + UUID.randomUUID().toString().substring(0, 8);
        String token =
                server.token(
                        user,
                        Set.of(Role.PROJECT_ADMIN),
                        "user/*.cruds",
                        Optional.empty(),
                        Set.of());
        int requests = 48;
        ExecutorService clients = Executors.newFixedThreadPool(12);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int n = i;
                statuses.add(
                        clients.submit(
                                () ->
                                        server.http(token)
                                                .get("/fhir/Patient?identifier=urn:group%7C" + n)
                                                .statusCode()));
            }
            for (Future<Integer> status : statuses) {
                assertThat(status.get()).isEqualTo(200);
            }
        } finally {
            clients.shutdown();
        }

        server.flushAudit();
        HttpResponse<String> count =
                server.http(server.auditorToken())
                        .get(
                                "/fhir/AuditEvent?altid=" + user + "&_summary=count",
                                "application/fhir+json");
        assertThat(count.statusCode()).as(count.body()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(count.body()).path("total").asInt())
                .isEqualTo(requests);
    }

    @Test
    void the_writer_stores_events_soon_without_a_flush(RunningServer server) {
        // The writer lets a part-filled batch wait (AuditService.LINGER) for more events; it must
        // still store it on its own, well within the readiness check's stuck limit.
        String patient = "Patient/" + "audit-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> search =
                server.http().get("/fhir/Observation?subject=" + patient + "&_count=1");
        assertThat(search.statusCode()).isEqualTo(200);

        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        List<AuditEvent> events = List.of();
        while (events.isEmpty() && System.nanoTime() < deadline) {
            events = auditEvents(server, "AuditEvent?entity-reference=" + patient);
        }
        assertThat(events).as("the search's AuditEvent, stored without a flush").hasSize(1);
    }

    private static List<AuditEvent> auditEvents(RunningServer server, String query) {
        Bundle bundle =
                server.fhirClient(server.auditorToken())
                        .search()
                        .byUrl(query)
                        .returnBundle(Bundle.class)
                        .execute();
        return bundle.getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
    }
}
