package org.quorum.dicom.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.RunningServer;

/**
 * A STOW-RS request's AuditEvent commits in the index transaction of its last instance: one
 * AuditEvent per request, with the same content as before; neither the instance nor its audit
 * record without the other. Failures are made real with database CHECK constraints that refuse one
 * test study's rows.
 */
@ExtendWith(RunningServer.class)
class StowAuditIT {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void a_stored_instance_has_exactly_one_audit_event_with_the_usual_content(RunningServer server)
            throws Exception {
        String study = DicomFiles.newUid();
        String sop = DicomFiles.newUid();

        HttpResponse<String> response = stow(server, study, ct(study, sop));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(storedFiles(server, sop)).hasSize(1);
        server.flushAudit();
        List<AuditEvent> events = auditEventsOf(server, "/dicomweb/studies/" + study);
        assertThat(events).hasSize(1);
        AuditEvent event = events.get(0);
        assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("dicomweb");
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.C);
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        // The same agents, source and type as the AuditEvent of a request audited after its
        // response (a WADO-RS metadata read by the same user).
        HttpResponse<String> read =
                CLIENT.send(
                        HttpRequest.newBuilder(
                                        server.baseUrl()
                                                .resolve(
                                                        "/dicomweb/studies/" + study + "/metadata"))
                                .header("Authorization", "Bearer " + server.adminToken())
                                .header("Accept", "application/dicom+json")
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        server.flushAudit();
        AuditEvent readEvent =
                auditEventsOf(server, "/dicomweb/studies/" + study + "/metadata").get(0);
        assertThat(readEvent.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
        assertThat(event.getAgent()).hasSize(readEvent.getAgent().size());
        for (int i = 0; i < event.getAgent().size(); i++) {
            assertThat(event.getAgent().get(i).equalsDeep(readEvent.getAgent().get(i)))
                    .as("agent " + i)
                    .isTrue();
        }
        assertThat(event.getSource().equalsDeep(readEvent.getSource())).isTrue();
        assertThat(event.getType().equalsDeep(readEvent.getType())).isTrue();
        assertThat(event.getEntity())
                .singleElement()
                .satisfies(
                        e ->
                                assertThat(e.getWhat().getDisplay())
                                        .isEqualTo("/dicomweb/studies/" + study));
    }

    @Test
    void an_instance_whose_index_insert_fails_leaves_no_file_and_no_success_audit_event(
            RunningServer server) throws Exception {
        String study = DicomFiles.newUid();
        String sop = DicomFiles.newUid();
        String constraint = "QRM_TEST_REFUSE_" + sop.substring(sop.length() - 8);
        execute(
                server,
                "ALTER TABLE QRM_DICOM_INSTANCE ADD CONSTRAINT "
                        + constraint
                        + " CHECK (SOP_INSTANCE_UID <> '"
                        + sop
                        + "')");
        HttpResponse<String> response;
        try {
            response = stow(server, study, ct(study, sop));
        } finally {
            execute(server, "ALTER TABLE QRM_DICOM_INSTANCE DROP CONSTRAINT " + constraint);
        }

        assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
        // FailureReason A700H (out of resources: the index refused it), as DICOM JSON US.
        assertThat(response.body()).contains("42752").doesNotContain("Exception");
        assertThat(storedFiles(server, sop)).isEmpty();
        server.flushAudit();
        List<AuditEvent> events = auditEventsOf(server, "/dicomweb/studies/" + study);
        assertThat(events)
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
                            assertThat(e.getOutcomeDesc()).startsWith("HTTP 409");
                        });
    }

    @Test
    void an_audit_record_that_cannot_be_written_rolls_the_instance_back(RunningServer server)
            throws Exception {
        String study = DicomFiles.newUid();
        String sop = DicomFiles.newUid();
        String constraint = "QRM_TEST_REFUSE_" + study.substring(study.length() - 8);
        // Refuses every outbox row of this request: the one in the index transaction (so the
        // instance must roll back) and the failure record after it (kept in memory until the
        // constraint is gone).
        execute(
                server,
                "ALTER TABLE QRM_AUDIT_OUTBOX ADD CONSTRAINT "
                        + constraint
                        + " CHECK (PAYLOAD NOT LIKE '%"
                        + study
                        + "%')");
        HttpResponse<String> response;
        try {
            response = stow(server, study, ct(study, sop));
        } finally {
            execute(server, "ALTER TABLE QRM_AUDIT_OUTBOX DROP CONSTRAINT " + constraint);
        }

        assertThat(response.statusCode()).as(response.body()).isEqualTo(409);
        assertThat(storedFiles(server, sop)).isEmpty();
        assertThat(server.dicomInstances().find(sop)).isEmpty();
        server.flushAudit();
        assertThat(auditEventsOf(server, "/dicomweb/studies/" + study))
                .singleElement()
                .satisfies(
                        e -> assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4));
    }

    private static byte[] ct(String study, String sop) {
        return DicomFiles.copy(
                "dcmqi/ct-3slice/01.dcm",
                Map.of(
                        "StudyInstanceUID", study,
                        "SeriesInstanceUID", DicomFiles.newUid(),
                        "SOPInstanceUID", sop));
    }

    private static HttpResponse<String> stow(RunningServer server, String study, byte[] file)
            throws IOException, InterruptedException {
        String boundary = "stow-audit-" + study.substring(study.length() - 6);
        return CLIENT.send(
                HttpRequest.newBuilder(server.baseUrl().resolve("/dicomweb/studies/" + study))
                        .header("Authorization", "Bearer " + server.adminToken())
                        .header(
                                "Content-Type",
                                "multipart/related; type=\"application/dicom\"; boundary="
                                        + boundary)
                        .header("Accept", "application/dicom+json")
                        .timeout(Duration.ofSeconds(60))
                        .POST(
                                HttpRequest.BodyPublishers.ofByteArray(
                                        DicomFiles.multipart(boundary, file)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The files in the DICOM store (moved into place or still incoming) named after the SOP. */
    private static List<Path> storedFiles(RunningServer server, String sop) throws IOException {
        try (Stream<Path> files = Files.walk(server.dataDir().resolve("dicom"))) {
            return files.filter(f -> f.getFileName().toString().startsWith(sop + ".")).toList();
        }
    }

    private static List<AuditEvent> auditEventsOf(RunningServer server, String path) {
        Bundle bundle =
                server.fhirClient(server.auditorToken())
                        .search()
                        .byUrl("AuditEvent?subtype=dicomweb&_count=500&_sort=-_lastUpdated")
                        .returnBundle(Bundle.class)
                        .execute();
        return bundle.getEntry().stream()
                .map(e -> (AuditEvent) e.getResource())
                .filter(
                        e ->
                                e.getEntity().stream()
                                        .anyMatch(
                                                entity ->
                                                        path.equals(entity.getWhat().getDisplay())))
                .toList();
    }

    private static void execute(RunningServer server, String sql) throws SQLException {
        try (Connection db = server.dataSource().getConnection();
                Statement statement = db.createStatement()) {
            statement.execute(sql);
        }
    }
}
