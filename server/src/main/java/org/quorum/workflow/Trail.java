package org.quorum.workflow;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.workflow.skills.Qualification;

/**
 * The per-label trail: one Provenance per workflow step (FHIR R4 §6.3), so that the chain from the
 * first labels to a final label can be walked with {@code _revinclude=Provenance:target}.
 *
 * <ul>
 *   <li>{@code activity}: the stage (quorum-review-task-type: annotate, calibrate, review,
 *       adjudicate, re-evaluate, consensus);
 *   <li>{@code agent}: the clinician's PractitionerRole; {@code agent.type} author (annotate,
 *       calibrate, consensus) or verifier (review, adjudicate, re-evaluate); {@code agent.role} the
 *       qualifications that made them eligible;
 *   <li>{@code target}: the labels the step made (versioned), or the review Task of a rejection;
 *   <li>{@code entity}: the labels the step was based on ({@code source}), the AI suggestion shown
 *       ({@code source}), the previous version of an amended label ({@code revision}).
 * </ul>
 */
final class Trail {

    static final String PARTICIPANT_TYPE =
            "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

    private Trail() {}

    /** One agent of a step. */
    record Agent(String practitionerRole, String type, List<Qualification> qualifications) {}

    static Provenance step(
            Stage activity,
            List<Reference> targets,
            List<Agent> agents,
            List<Reference> sources,
            Optional<Reference> revision,
            Instant when) {
        Provenance provenance = new Provenance();
        targets.forEach(provenance::addTarget);
        provenance.setRecordedElement(new InstantType(Date.from(when)));
        provenance.setActivity(
                new CodeableConcept(
                        new Coding(
                                QuorumProfiles.CS_REVIEW_TASK_TYPE,
                                activity.code(),
                                activity.display())));
        for (Agent agent : agents) {
            Provenance.ProvenanceAgentComponent component = provenance.addAgent();
            component.setType(
                    new CodeableConcept(new Coding(PARTICIPANT_TYPE, agent.type(), null)));
            component.setWho(new Reference(agent.practitionerRole()));
            for (Qualification qualification : agent.qualifications()) {
                int bar = qualification.code().lastIndexOf('|');
                component.addRole(
                        new CodeableConcept(
                                new Coding(
                                        qualification.code().substring(0, bar),
                                        qualification.code().substring(bar + 1),
                                        qualification.display())));
            }
        }
        sources.forEach(
                s ->
                        provenance
                                .addEntity()
                                .setRole(Provenance.ProvenanceEntityRole.SOURCE)
                                .setWhat(s));
        revision.ifPresent(
                r ->
                        provenance
                                .addEntity()
                                .setRole(Provenance.ProvenanceEntityRole.REVISION)
                                .setWhat(r));
        return provenance;
    }

    /** A versioned reference to a stored resource. */
    static Reference versioned(IIdType id) {
        return new Reference(id.toUnqualified().getValue());
    }

    /** Versioned references to stored labels, in their order. */
    static List<Reference> versioned(List<? extends org.hl7.fhir.r4.model.Resource> stored) {
        return stored.stream().map(o -> versioned(o.getIdElement())).toList();
    }

    /**
     * A final label decided from {@code template}: same code, subject, source, body site, span and
     * region; made by the deciding clinician; the decision's comment as its reasoning.
     */
    static Observation finalLabel(
            Observation template,
            String decider,
            Optional<String> device,
            Optional<String> reasoning,
            Instant when) {
        Observation label = new Observation();
        label.getMeta().addProfile(QuorumProfiles.LABEL);
        template.getExtension().stream()
                .filter(
                        e ->
                                QuorumProfiles.EXT_PROJECT.equals(e.getUrl())
                                        || QuorumProfiles.EXT_TEXT_SPAN.equals(e.getUrl())
                                        || QuorumProfiles.EXT_IMAGE_REGION.equals(e.getUrl()))
                .forEach(e -> label.addExtension(e.copy()));
        reasoning.ifPresent(
                text -> label.addExtension(QuorumProfiles.EXT_REASONING, new StringType(text)));
        label.setStatus(Observation.ObservationStatus.FINAL);
        label.setCode(template.getCode().copy());
        label.setSubject(template.getSubject().copy());
        template.getDerivedFrom().forEach(d -> label.addDerivedFrom(d.copy()));
        if (template.hasBodySite()) {
            label.setBodySite(template.getBodySite().copy());
        }
        if (template.hasValue()) {
            label.setValue(template.getValue().copy());
        }
        label.addPerformer(new Reference(decider));
        String method = device.isPresent() ? "ai-assisted" : "human";
        label.setMethod(
                new CodeableConcept(
                        new Coding(
                                QuorumProfiles.CS_LABEL_METHOD,
                                method,
                                device.isPresent() ? "AI-assisted" : "Human")));
        device.ifPresent(d -> label.setDevice(new Reference(d)));
        label.setIssued(Date.from(when));
        return label;
    }
}
