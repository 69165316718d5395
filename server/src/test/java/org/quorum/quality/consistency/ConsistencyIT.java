package org.quorum.quality.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.QualityProject;
import org.quorum.testing.RunningServer;

/**
 * Cross-modal consistency over HTTP: a DetectedIssue is raised when a label that contradicts
 * another modality's label is written (no polling: the check runs after commit, before the
 * response), and {@code $consistency} lists the project's open conflicts.
 */
@ExtendWith(RunningServer.class)
class ConsistencyIT {

    private static IGenericClient client;
    private static String annotator;

    @BeforeAll
    static void annotator(RunningServer server) {
        client = server.fhirClient();
    }

    /** A project with one patient, a note and an image study; labels stored one by one. */
    private record Case(QualityProject project, String patient, String note, String study) {}

    private static Case newCase() {
        QualityProject project = QualityProject.create(client, "consistency IT");
        String role = project.annotator("A");
        String patient = project.patient("male", "1950", null);
        String note = project.note(patient);
        String study = project.study(patient);
        project.commit();
        annotator = project.id(role);
        return new Case(project, project.id(patient), project.id(note), project.id(study));
    }

    private static String store(Observation label) {
        return client.create()
                .resource(label)
                .execute()
                .getId()
                .toUnqualifiedVersionless()
                .getValue();
    }

    private static Observation noteLabel(Case c, String site, String laterality) {
        return QualityProject.site(
                c.project().label(annotator, c.patient(), c.note(), "pneumonia", "final"),
                site,
                laterality);
    }

    private static Observation imageLabel(Case c, String site, String laterality) {
        return QualityProject.site(
                c.project().label(annotator, c.patient(), c.study(), "pneumonia", "final"),
                site,
                laterality);
    }

    private static List<DetectedIssue> issuesImplicating(String label) {
        return client
                .search()
                .byUrl("DetectedIssue?implicated=" + label)
                .returnBundle(Bundle.class)
                .execute()
                .getEntry()
                .stream()
                .map(e -> (DetectedIssue) e.getResource())
                .toList();
    }

    private static Bundle consistency(Case c) {
        return client.operation()
                .onInstance(new IdType(c.project().reference()))
                .named("$consistency")
                .withNoParameters(Parameters.class)
                .returnResourceType(Bundle.class)
                .execute();
    }

    @Test
    void note_right_lower_lobe_and_image_left_lower_lobe_raise_one_detected_issue_on_write() {
        Case c = newCase();
        String note = store(noteLabel(c, QualityProject.RIGHT_LOWER_LOBE, QualityProject.RIGHT));
        assertThat(issuesImplicating(note)).isEmpty();

        String image = store(imageLabel(c, QualityProject.LEFT_LOWER_LOBE, QualityProject.LEFT));

        List<DetectedIssue> issues = issuesImplicating(image);
        assertThat(issues).hasSize(1);
        DetectedIssue issue = issues.get(0);
        assertThat(issue.getStatus()).isEqualTo(DetectedIssue.DetectedIssueStatus.FINAL);
        assertThat(issue.getSeverity()).isEqualTo(DetectedIssue.DetectedIssueSeverity.MODERATE);
        assertThat(issue.getCode().getCodingFirstRep().getSystem())
                .isEqualTo(QuorumProfiles.CS_DETECTED_ISSUE_TYPE);
        assertThat(issue.getCode().getCodingFirstRep().getCode()).isEqualTo("cross-modal-conflict");
        assertThat(issue.getImplicated())
                .extracting(Reference::getReference)
                .containsExactly(note, image);
        assertThat(issue.getPatient().getReference()).isEqualTo(c.patient());
        assertThat(issue.getDetail()).contains("right", "left", "266005", "41224006");
        assertThat(
                        ((Reference) issue.getExtensionByUrl(QuorumProfiles.EXT_PROJECT).getValue())
                                .getReference())
                .isEqualTo(c.project().reference());
    }

    @Test
    void rewriting_the_labels_and_asking_again_creates_no_duplicate() {
        Case c = newCase();
        String note = store(noteLabel(c, QualityProject.RIGHT_LOWER_LOBE, QualityProject.RIGHT));
        Observation image = imageLabel(c, QualityProject.LEFT_LOWER_LOBE, QualityProject.LEFT);
        String imageId = store(image);
        image.setId(imageId);
        image.addNote().setText("re-read, unchanged");
        client.update().resource(image).execute();

        Bundle first = consistency(c);
        Bundle second = consistency(c);

        assertThat(issuesImplicating(note)).hasSize(1);
        assertThat(first.getTotal()).isEqualTo(1);
        assertThat(second.getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactly(first.getEntryFirstRep().getResource().getIdElement().getIdPart());
        assertThat(
                        client.search()
                                .byUrl("DetectedIssue?project=" + c.project().reference())
                                .returnBundle(Bundle.class)
                                .execute()
                                .getEntry())
                .hasSize(1);
    }

    @Test
    void agreeing_note_and_image_labels_raise_nothing() {
        Case c = newCase();
        String note = store(noteLabel(c, QualityProject.RIGHT_LOWER_LOBE, QualityProject.RIGHT));
        String image = store(imageLabel(c, QualityProject.RIGHT_LOWER_LOBE, QualityProject.RIGHT));

        assertThat(issuesImplicating(note)).isEmpty();
        assertThat(issuesImplicating(image)).isEmpty();
        assertThat(consistency(c).getTotal()).isZero();
    }

    @Test
    void correcting_the_image_label_withdraws_the_issue() {
        Case c = newCase();
        store(noteLabel(c, QualityProject.RIGHT_LOWER_LOBE, QualityProject.RIGHT));
        Observation image = imageLabel(c, QualityProject.LEFT_LOWER_LOBE, QualityProject.LEFT);
        String imageId = store(image);
        assertThat(consistency(c).getTotal()).isEqualTo(1);

        Observation corrected =
                QualityProject.site(image, QualityProject.RIGHT_LOWER_LOBE, QualityProject.RIGHT);
        corrected.setId(imageId);
        corrected.setStatus(Observation.ObservationStatus.CORRECTED);
        client.update().resource(corrected).execute();

        List<DetectedIssue> issues = issuesImplicating(imageId);
        assertThat(issues).hasSize(1);
        assertThat(issues.get(0).getStatus())
                .isEqualTo(DetectedIssue.DetectedIssueStatus.CANCELLED);
        assertThat(consistency(c).getTotal()).isZero();
    }

    @Test
    void labels_stored_together_in_one_transaction_are_checked_together() {
        Case c = newCase();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (Observation label :
                List.of(
                        noteLabel(c, QualityProject.RIGHT_LOWER_LOBE, QualityProject.RIGHT),
                        imageLabel(c, QualityProject.LEFT_LOWER_LOBE, QualityProject.LEFT))) {
            transaction
                    .addEntry()
                    .setResource(label)
                    .getRequest()
                    .setMethod(Bundle.HTTPVerb.POST)
                    .setUrl("Observation");
        }
        Bundle response = client.transaction().withBundle(transaction).execute();
        String image =
                new IdType(response.getEntry().get(1).getResponse().getLocation())
                        .toUnqualifiedVersionless()
                        .getValue();

        assertThat(issuesImplicating(image)).hasSize(1);
    }
}
