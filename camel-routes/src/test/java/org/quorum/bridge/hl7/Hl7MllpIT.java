package org.quorum.bridge.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.util.Terser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.routes.BridgeRoutes;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.store.StoreException;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Ehr;
import org.quorum.bridge.testing.JavaProcess;
import org.quorum.bridge.testing.MllpClient;
import org.quorum.bridge.testing.PhiCheck;
import org.quorum.bridge.testing.Quorum;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;

/**
 * The HL7 v2 listener with real MLLP clients (HAPI's, and a plain one for what HAPI would not send)
 * and a real Quorum.
 */
class Hl7MllpIT {

    private final Quorum quorum = Quorum.shared();

    private static final Set<String> MESSAGE_PHI =
            Set.of(
                    "Wilhelmina",
                    "Elmwood",
                    "Springfield",
                    "Testperson",
                    "555-0142",
                    "MRN-HL7-0001",
                    "123-45-6789",
                    "ACCT-778",
                    "Ostrander",
                    "Bartholomew",
                    "Examplar",
                    "MRN-HL7-0002",
                    "VIS-556677");

    private BridgeConfig config(String project, int port) {
        return BridgeConfig.forProject(project, quorum)
                .set("QUORUM_BRIDGE_MLLP_PORT", Integer.toString(port));
    }

    @Test
    void notes_and_reports_are_acknowledged_after_storage_and_arrive_once_de_identified()
            throws Exception {
        String project = "hl7";
        int port = JavaProcess.freePort();
        BridgeConfig config = config(project, port);
        // a note about a patient the EHR also holds: the same MRN must give the same pseudonym
        Patient synthea =
                (Patient) Ehr.shared().get("Patient/129c6ac7-8d06-89de-ad63-0204a93e76c3");
        String sharedMrn =
                synthea.getIdentifier().stream()
                        .filter(
                                i ->
                                        i.getType().getCodingFirstRep().getCode() != null
                                                && i.getType()
                                                        .getCodingFirstRep()
                                                        .getCode()
                                                        .equals("MR"))
                        .map(Identifier::getValue)
                        .findFirst()
                        .orElseThrow();
        DefaultCamelContext camel = new DefaultCamelContext();
        NotifyBuilder delivered =
                new NotifyBuilder(camel)
                        .fromRoute(BridgeRoutes.HL7_ROUTE)
                        .whenCompleted(9)
                        .create();
        try (BridgeApp bridge =
                        BridgeApp.start(config.settings(), java.time.Clock.systemUTC(), camel);
                MllpClient mllp = new MllpClient(port)) {
            // valid messages: AA, only once stored
            String first = mllp.send(Hl7Messages.dischargeSummary("MSG0001", "MRN-HL7-0001"));
            assertThat(ackCode(first)).isEqualTo("AA");
            assertThat(field(first, "MSA-2")).isEqualTo("MSG0001");
            String again = mllp.send(Hl7Messages.dischargeSummary("MSG0001", "MRN-HL7-0001"));
            assertThat(ackCode(again)).isEqualTo("AA");
            assertThat(again).contains("duplicate");
            assertThat(ackCode(mllp.send(Hl7Messages.progressNoteV23("MSG0002", "MRN-HL7-0001"))))
                    .isEqualTo("AA");
            assertThat(ackCode(mllp.send(Hl7Messages.chestReport("MSG0003")))).isEqualTo("AA");
            assertThat(ackCode(mllp.send(Hl7Messages.dischargeSummary("MSG0004", sharedMrn))))
                    .isEqualTo("AA");

            // bad input: AE or AR with a reason, parked, never AA
            String garbage = mllp.send("this is not an HL7 message");
            assertThat(ackCode(garbage)).isEqualTo("AE");
            String adt =
                    mllp.send(
                            Hl7Messages.message(
                                    Hl7Messages.msh(
                                            "GENHOSP", "ADT^A01^ADT_A01", "MSG0005", "2.5.1"),
                                    Hl7Messages.segment("EVN", 1, "A01"),
                                    Hl7Messages.pid("MRN-HL7-0009", "Doe", "Jo")));
            assertThat(ackCode(adt)).isEqualTo("AR");
            assertThat(field(adt, "MSA-3")).contains("ADT^A01 is not accepted");
            String noPatient =
                    mllp.send(
                            Hl7Messages.message(
                                    Hl7Messages.msh("GENHOSP", "MDM^T02", "MSG0006", "2.5.1"),
                                    Hl7Messages.segment("EVN", 1, "T02"),
                                    Hl7Messages.segment("PID", 1, "1", 5, "Doe^Jo"),
                                    Hl7Messages.txa("DOC-6"),
                                    Hl7Messages.obxText(1, "TX", "text")));
            assertThat(ackCode(noPatient)).isEqualTo("AE");
            assertThat(field(noPatient, "MSA-3")).contains("PID-3");
            String noText =
                    mllp.send(
                            Hl7Messages.message(
                                    Hl7Messages.msh("GENHOSP", "MDM^T02", "MSG0007", "2.5.1"),
                                    Hl7Messages.segment("EVN", 1, "T02"),
                                    Hl7Messages.pid("MRN-HL7-0010", "Doe", "Jo"),
                                    Hl7Messages.txa("DOC-7")));
            assertThat(ackCode(noText)).isEqualTo("AE");
            assertThat(field(noText, "MSA-3")).contains("no text");

            // HAPI's own MLLP client, as an interface engine would send
            HapiContext hapi = Hl7Intake.newHapiContext();
            Connection connection = hapi.newClient("127.0.0.1", port, false);
            Message response =
                    connection
                            .getInitiator()
                            .sendAndReceive(
                                    hapi.getPipeParser().parse(Hl7Messages.chestReport("MSG0008")));
            assertThat(new Terser(response).get("/MSA-1")).isEqualTo("AA");
            connection.close();

            assertThat(delivered.matches(1, TimeUnit.MINUTES)).isTrue();
            assertThat(quorum.awaitCount("DocumentReference", project, 3, Duration.ofMinutes(1)))
                    .isEqualTo(3);
            assertThat(quorum.awaitCount("DiagnosticReport", project, 2, Duration.ofMinutes(1)))
                    .isEqualTo(2);
            assertThat(quorum.all("DocumentReference", project))
                    .allSatisfy(r -> assertThat(r.getMeta().getVersionId()).isEqualTo("1"));

            // de-identified, the clinical content kept
            List<Resource> stored = new ArrayList<>();
            for (String type :
                    List.of(
                            "DocumentReference",
                            "DiagnosticReport",
                            "Patient",
                            "Encounter",
                            "Practitioner",
                            "Provenance")) {
                stored.addAll(quorum.all(type, project));
            }
            assertThat(PhiCheck.leaks(quorum.admin().getFhirContext(), stored, MESSAGE_PHI))
                    .isEmpty();
            List<String> texts = new ArrayList<>();
            for (Resource resource : stored) {
                if (resource instanceof DocumentReference note) {
                    texts.add(text(note.getContentFirstRep().getAttachment()));
                }
                if (resource instanceof DiagnosticReport report) {
                    texts.add(text(report.getPresentedFormFirstRep()));
                    assertThat(report.getCategoryFirstRep().getCodingFirstRep().getCode())
                            .isEqualTo("RAD");
                    assertThat(report.getStatus())
                            .isEqualTo(DiagnosticReport.DiagnosticReportStatus.FINAL);
                }
            }
            assertThat(texts)
                    .anySatisfy(t -> assertThat(t).contains("community-acquired pneumonia"));
            assertThat(texts)
                    .anySatisfy(
                            t ->
                                    assertThat(t)
                                            .contains("Plan: continue amoxicillin.")
                                            .contains("\n"));
            assertThat(texts)
                    .anySatisfy(
                            t -> assertThat(t).contains("IMPRESSION: Normal chest radiograph."));

            // the HL7 note's patient is the EHR's patient under the same pseudonym
            DeidKeyService keys = DeidKeyService.fromEnvironmentValue(config.secret());
            assertThat(quorum.all("Patient", project))
                    .extracting(r -> r.getIdElement().getIdPart())
                    .contains(keys.pseudonym(IdentifierKind.MRN, sharedMrn));

            // the bad messages are dead letters with their reasons, the payload not shown
            List<DeadLetterStore.DeadLetter> letters = bridge.deadLetters().list();
            assertThat(letters).hasSize(4);
            assertThat(letters)
                    .allSatisfy(
                            l -> {
                                assertThat(l.payloadKind())
                                        .isEqualTo(DeadLetterStore.PayloadKind.HL7_V2);
                                assertThat(l.route()).isEqualTo(BridgeRoutes.HL7_ROUTE);
                            });
            assertThat(letters)
                    .extracting(DeadLetterStore.DeadLetter::sourceKey)
                    .contains("GENHOSP|MSG0005", "GENHOSP|MSG0006", "GENHOSP|MSG0007");
        }
    }

    @Test
    void a_message_that_cannot_be_stored_is_refused_with_ar_and_taken_when_sent_again()
            throws Exception {
        String project = "hl7-storage";
        int port = JavaProcess.freePort();
        BridgeConfig config = config(project, port);
        DefaultCamelContext camel = new DefaultCamelContext();
        try (BridgeApp bridge =
                BridgeApp.start(config.settings(), java.time.Clock.systemUTC(), camel)) {
            AdviceWith.adviceWith(
                    camel,
                    BridgeRoutes.HL7_ROUTE,
                    route ->
                            route.weaveById("hl7-store")
                                    .replace()
                                    .throwException(new StoreException("disk full", null)));
            try (MllpClient mllp = new MllpClient(port)) {
                String refused = mllp.send(Hl7Messages.dischargeSummary("MSG1001", "MRN-HL7-0001"));
                assertThat(ackCode(refused)).isEqualTo("AR");
                assertThat(field(refused, "MSA-3")).contains("send it again later");
            }
            assertThat(bridge.deadLetters().list()).isEmpty();
        }
        assertThat(quorum.count("DocumentReference", project)).isZero();
        // the sender resends to a healthy bridge: accepted and delivered once
        try (BridgeApp bridge = BridgeApp.start(config.settings());
                MllpClient mllp = new MllpClient(port)) {
            assertThat(ackCode(mllp.send(Hl7Messages.dischargeSummary("MSG1001", "MRN-HL7-0001"))))
                    .isEqualTo("AA");
            assertThat(quorum.awaitCount("DocumentReference", project, 1, Duration.ofMinutes(1)))
                    .isEqualTo(1);
        }
    }

    private static String text(Attachment attachment) {
        return new String(attachment.getData(), StandardCharsets.UTF_8);
    }

    private static String ackCode(String ack) throws Exception {
        return field(ack, "MSA-1");
    }

    private static String field(String ack, String path) throws Exception {
        Message message = Hl7Intake.newHapiContext().getPipeParser().parse(ack);
        return new Terser(message).get("/" + path);
    }
}
