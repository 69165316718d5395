package org.quorum.bridge.writeback;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.junit.jupiter.api.Test;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.config.WriteBackSettings;
import org.quorum.bridge.store.Crosswalk;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Ehr;
import org.quorum.bridge.testing.Labels;
import org.quorum.bridge.testing.Quorum;

/**
 * Final labels written back to the real test EHR: a note pulled from the EHR, labelled and made
 * final in Quorum, appears in the EHR as an Observation about the original patient and note, with a
 * Provenance naming the reviewer and their qualification; an amendment updates the same
 * Observation; a restarted bridge writes nothing twice; a label the bridge cannot re-identify is a
 * dead letter, never written with a pseudonym.
 */
class EhrWriteBackIT {

    private static final String PROJECT = "writeback";
    private static final String PATIENT = "cbc86e51-9eca-3855-76ec-c058f72c5761";
    private static final String QUALIFICATION = "http://example.org/board|radiology";
    private static final String ROUTE = EhrWriteBackService.ROUTE;

    private final Ehr ehr = Ehr.shared();
    private final Quorum quorum = Quorum.shared();

    @Test
    void final_labels_reach_the_ehr_reidentified_once_and_amendments_update_them()
            throws Exception {
        BridgeConfig config =
                BridgeConfig.forProject(PROJECT, quorum)
                        .set("QUORUM_BRIDGE_EHR_URL", ehr.fhirBase())
                        .set("QUORUM_BRIDGE_EHR_QUERIES", "DocumentReference?patient=" + PATIENT)
                        .set("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "1s")
                        // the write-back searches Quorum's labels and their Provenances
                        .set("QUORUM_BRIDGE_QUORUM_SCOPE", "system/*.crus")
                        .set("QUORUM_BRIDGE_WRITEBACK_EHR", "true")
                        .set("QUORUM_BRIDGE_WRITEBACK_POLL_INTERVAL", "500ms");
        IGenericClient admin = quorum.admin();
        Observation label;
        String originalNote;
        try (BridgeApp bridge = BridgeApp.start(config.settings())) {
            assertThat(quorum.awaitCount("DocumentReference", PROJECT, 15, Duration.ofMinutes(2)))
                    .isEqualTo(15);
            DocumentReference note =
                    (DocumentReference) quorum.all("DocumentReference", PROJECT).get(0);
            String pseudonymousNote = "DocumentReference/" + note.getIdElement().getIdPart();
            originalNote =
                    bridge.crosswalk()
                            .originalsOf(Crosswalk.Kind.RESOURCE, pseudonymousNote)
                            .get(0)
                            .original();

            admin.update()
                    .resource(
                            new ResearchStudy()
                                    .setTitle("write-back test")
                                    .setStatus(ResearchStudy.ResearchStudyStatus.ACTIVE)
                                    .setId("ResearchStudy/" + PROJECT))
                    .execute();
            String reviewer =
                    admin.create()
                            .resource(new PractitionerRole())
                            .execute()
                            .getId()
                            .toUnqualifiedVersionless()
                            .getValue();
            label = label(note.getSubject().getReference(), pseudonymousNote, reviewer, "opacity");
            label.setId(
                    admin.create().resource(label).execute().getId().toUnqualifiedVersionless());
            Provenance review =
                    Labels.review(
                            label.getIdElement().getValue(),
                            reviewer,
                            QUALIFICATION.split("\\|")[0],
                            QUALIFICATION.split("\\|")[1]);
            admin.create().resource(review).execute();
            // a final label whose patient and note Quorum got elsewhere: not re-identifiable
            String stranger =
                    admin.create()
                            .resource(
                                    new Patient()
                                            .addIdentifier(
                                                    new Identifier()
                                                            .setSystem("https://example.org/other")
                                                            .setValue("x-1")))
                            .execute()
                            .getId()
                            .toUnqualifiedVersionless()
                            .getValue();
            DocumentReference otherNote = new DocumentReference();
            otherNote.setStatus(org.hl7.fhir.r4.model.Enumerations.DocumentReferenceStatus.CURRENT);
            otherNote.setSubject(new Reference(stranger));
            otherNote
                    .addContent()
                    .getAttachment()
                    .setContentType("text/plain")
                    .setData("Findings: clear lungs.".getBytes());
            String otherNoteId =
                    admin.create()
                            .resource(otherNote)
                            .execute()
                            .getId()
                            .toUnqualifiedVersionless()
                            .getValue();
            admin.create().resource(label(stranger, otherNoteId, reviewer, "normal")).execute();

            // the label reaches the EHR, re-identified, with its Provenance
            Observation written = awaitWritten(o -> true);
            assertThat(written.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
            assertThat(written.getSubject().getReference()).isEqualTo("Patient/" + PATIENT);
            assertThat(written.getDerivedFromFirstRep().getReference()).isEqualTo(originalNote);
            assertThat(written.getCode().getCodingFirstRep().getCode()).isEqualTo("opacity");
            assertThat(written.getIdentifierFirstRep().getValue())
                    .isEqualTo(PROJECT + "/" + label.getIdElement().getIdPart());
            List<Provenance> provenances = awaitProvenances(written, 1);
            assertThat(provenances).hasSize(1);
            Provenance provenance = provenances.get(0);
            assertThat(provenance.getAgent())
                    .anySatisfy(
                            agent -> {
                                assertThat(agent.getRoleFirstRep().getCodingFirstRep().getCode())
                                        .isEqualTo("radiology");
                                assertThat(agent.getWho().getIdentifier().getValue())
                                        .isEqualTo(reviewer.split("/")[1]);
                            });
            assertThat(provenance.getEntityFirstRep().getWhat().getReference())
                    .isEqualTo(originalNote);

            // the stranger's label is parked, not written
            awaitDeadLetter(bridge, "no crosswalk entry");
            assertThat(writtenLabels()).hasSize(1);

            // an amendment updates the same Observation and adds a Provenance
            Observation amended =
                    admin.read()
                            .resource(Observation.class)
                            .withId(label.getIdElement().getIdPart())
                            .execute();
            amended.setStatus(Observation.ObservationStatus.AMENDED);
            amended.getCode().getCodingFirstRep().setCode("effusion");
            admin.update().resource(amended).execute();
            Observation updated =
                    awaitWritten(o -> o.getStatus() == Observation.ObservationStatus.AMENDED);
            assertThat(updated.getIdElement().getIdPart())
                    .isEqualTo(written.getIdElement().getIdPart());
            assertThat(updated.getCode().getCodingFirstRep().getCode()).isEqualTo("effusion");
            assertThat(writtenLabels()).hasSize(1);
            assertThat(awaitProvenances(updated, 2)).hasSize(2);
        }

        // a restarted bridge writes nothing again
        String versionBefore = writtenLabels().get(0).getMeta().getVersionId();
        DefaultCamelContext camel = new DefaultCamelContext();
        NotifyBuilder polls = new NotifyBuilder(camel).fromRoute(ROUTE).whenCompleted(3).create();
        try (BridgeApp bridge = BridgeApp.start(config.settings(), Clock.systemUTC(), camel)) {
            assertThat(polls.matches(2, TimeUnit.MINUTES)).isTrue();
            assertThat(bridge.status(ROUTE).snapshot().lastError()).isNull();
        }
        assertThat(writtenLabels()).hasSize(1);
        assertThat(writtenLabels().get(0).getMeta().getVersionId()).isEqualTo(versionBefore);
        assertThat(provenancesOf(writtenLabels().get(0))).hasSize(2);
    }

    private static Observation label(String patient, String note, String performer, String code) {
        return Labels.finalLabel(PROJECT, patient, performer, note, code);
    }

    private List<Observation> writtenLabels() {
        return ehr.all("Observation").stream()
                .map(Observation.class::cast)
                .filter(
                        o ->
                                o.getIdentifier().stream()
                                        .anyMatch(
                                                i ->
                                                        WriteBackSettings.DEFAULT_SYSTEM.equals(
                                                                        i.getSystem())
                                                                && i.getValue()
                                                                        .startsWith(PROJECT + "/")))
                .toList();
    }

    private List<Provenance> provenancesOf(Observation written) {
        String target = "Observation/" + written.getIdElement().getIdPart();
        return ehr.all("Provenance").stream()
                .map(Provenance.class::cast)
                .filter(
                        p ->
                                p.getTarget().stream()
                                        .anyMatch(
                                                t ->
                                                        t.getReference().equals(target)
                                                                || t.getReference()
                                                                        .startsWith(
                                                                                target
                                                                                        + "/_history/")))
                .toList();
    }

    /** The Provenance follows the Observation's write: polled until {@code count} are there. */
    private List<Provenance> awaitProvenances(Observation written, int count) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        List<Provenance> found = provenancesOf(written);
        while (found.size() < count && Instant.now().isBefore(deadline)) {
            LockSupport.parkNanos(200_000_000L);
            found = provenancesOf(written);
        }
        return found;
    }

    private Observation awaitWritten(Predicate<Observation> condition) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline)) {
            List<Observation> found = writtenLabels();
            if (found.size() == 1 && condition.test(found.get(0))) {
                return found.get(0);
            }
            LockSupport.parkNanos(200_000_000L);
        }
        throw new AssertionError("no written-back label in the EHR: " + writtenLabels().size());
    }

    private static void awaitDeadLetter(BridgeApp bridge, String reason) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (Instant.now().isBefore(deadline)) {
            List<DeadLetterStore.DeadLetter> letters = bridge.deadLetters().list();
            if (letters.stream()
                    .anyMatch(l -> l.route().equals(ROUTE) && l.reason().contains(reason))) {
                return;
            }
            LockSupport.parkNanos(200_000_000L);
        }
        throw new AssertionError("no dead letter: " + bridge.deadLetters().list());
    }
}
