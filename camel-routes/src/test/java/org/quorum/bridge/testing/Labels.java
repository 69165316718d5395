package org.quorum.bridge.testing;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.util.Date;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.StringType;

/**
 * Labels as Quorum's API takes them (the quorum-label profile): a project, a reviewer, a final
 * label on a note or a region of an image, the review Provenance. Shared by the write-back tests.
 */
public final class Labels {

    /** The label schema of the tests. */
    public static final String SCHEMA = "https://quorum.dev/fhir/CodeSystem/test-findings";

    private Labels() {}

    /**
     * Creates (or updates) the project's ResearchStudy; returns a new reviewer's PractitionerRole.
     */
    public static String projectWithReviewer(IGenericClient admin, String project) {
        admin.update()
                .resource(
                        new ResearchStudy()
                                .setTitle("bridge test " + project)
                                .setStatus(ResearchStudy.ResearchStudyStatus.ACTIVE)
                                .setId("ResearchStudy/" + project))
                .execute();
        return admin.create()
                .resource(new PractitionerRole())
                .execute()
                .getId()
                .toUnqualifiedVersionless()
                .getValue();
    }

    /**
     * A final human label of {@code derivedFrom} (a note, an ImagingStudy) about {@code subject}.
     */
    public static Observation finalLabel(
            String project, String subject, String performer, String derivedFrom, String code) {
        Observation label = new Observation();
        label.getMeta().addProfile("https://quorum.dev/fhir/StructureDefinition/quorum-label");
        label.addExtension(
                "https://quorum.dev/fhir/StructureDefinition/quorum-project",
                new Reference("ResearchStudy/" + project));
        label.setStatus(Observation.ObservationStatus.FINAL);
        label.setCode(new CodeableConcept(new Coding(SCHEMA, code, null).setVersion("1.0.0")));
        label.setSubject(new Reference(subject));
        label.addPerformer(new Reference(performer));
        label.setMethod(
                new CodeableConcept(
                        new Coding(
                                "https://quorum.dev/fhir/CodeSystem/quorum-label-method",
                                "human",
                                "Human")));
        label.addDerivedFrom(new Reference(derivedFrom));
        return label;
    }

    /**
     * A final label drawn on frame 1 of an image (a square polyline): Quorum makes its SR
     * (docs/dicom-sr.md).
     */
    public static Observation finalImageLabel(
            String project,
            String subject,
            String performer,
            String imagingStudy,
            String sopInstanceUid) {
        Observation label = finalLabel(project, subject, performer, imagingStudy, "nodule");
        label.getCode().getCodingFirstRep().setDisplay("Pulmonary nodule");
        Extension region =
                label.addExtension()
                        .setUrl("https://quorum.dev/fhir/StructureDefinition/quorum-image-region");
        region.addExtension("sopInstanceUid", new IdType(sopInstanceUid));
        region.addExtension("frame", new PositiveIntType(1));
        region.addExtension("graphicType", new CodeType("POLYLINE"));
        region.addExtension("coordinates", new StringType("40 40 80 40 80 80 40 80 40 40"));
        return label;
    }

    /** The review Provenance of a label: the reviewer as verifier, with a qualification. */
    public static Provenance review(
            String label, String reviewer, String qualificationSystem, String qualification) {
        Provenance review = new Provenance();
        review.addTarget(new Reference(label));
        review.setRecorded(new Date());
        review.setActivity(
                new CodeableConcept(
                        new Coding(
                                "https://quorum.dev/fhir/CodeSystem/quorum-stage",
                                "review",
                                null)));
        review.addAgent()
                .setType(
                        new CodeableConcept(
                                new Coding(
                                        "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                        "verifier",
                                        null)))
                .addRole(new CodeableConcept(new Coding(qualificationSystem, qualification, null)))
                .setWho(new Reference(reviewer));
        return review;
    }
}
