package org.quorum.workflow;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.quorum.labels.LabelReadModel;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.data.SchemaVersion;
import org.quorum.workflow.WorkflowException.Problem;

/**
 * Turns a label a clinician submits into the label Quorum stores: the elements the task decides
 * (project, subject, source, performer, method, status) are filled in when left out and refused
 * when they contradict the task; the code must be a code of the project's schema version that
 * annotators may use. The stored label claims the QuorumLabel profile, so the profile's rules are
 * checked when it is written.
 */
final class LabelIntake {

    /**
     * What the task says about the label.
     *
     * @param project {@code ResearchStudy/…}
     * @param source the case's DocumentReference or ImagingStudy
     * @param patient the case's Patient
     * @param performer the clinician's PractitionerRole
     * @param device the AI model whose suggestion the clinician saw, if any
     * @param status the status to store (preliminary for annotators, final for decisions)
     */
    record Expected(
            String project,
            String source,
            String patient,
            String performer,
            Optional<String> device,
            Observation.ObservationStatus status) {}

    private LabelIntake() {}

    static Observation accept(
            IBaseResource submitted,
            Expected expected,
            SchemaVersion schema,
            Set<String> allowedCodes,
            int index) {
        String which = "label " + (index + 1);
        if (!(submitted instanceof Observation label)) {
            throw new WorkflowException(
                    Problem.INVALID_LABEL,
                    which
                            + " is a "
                            + (submitted == null ? "nothing" : submitted.fhirType())
                            + "; submit labels as Observation resources");
        }
        Observation stored = label.copy();
        stored.setId((String) null);
        stored.setMeta(new Meta().addProfile(QuorumProfiles.LABEL));
        if (label.hasStatus()
                && expected.status() == Observation.ObservationStatus.PRELIMINARY
                && label.getStatus() != Observation.ObservationStatus.PRELIMINARY) {
            throw new WorkflowException(
                    Problem.INVALID_LABEL,
                    which
                            + " has status "
                            + label.getStatus().toCode()
                            + "; submitted labels are preliminary: a label becomes final only by"
                            + " a review or adjudication decision");
        }
        stored.setStatus(expected.status());
        check(which, "project (extension quorum-project)", project(label), expected.project());
        stored.getExtension().removeIf(e -> QuorumProfiles.EXT_PROJECT.equals(e.getUrl()));
        stored.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(expected.project()));
        check(which, "subject", LabelReadModel.relative(label.getSubject()), expected.patient());
        stored.setSubject(new Reference(expected.patient()));
        for (Reference source : label.getDerivedFrom()) {
            check(which, "derivedFrom", LabelReadModel.relative(source), expected.source());
        }
        stored.getDerivedFrom().clear();
        stored.addDerivedFrom(new Reference(expected.source()));
        for (Reference performer : label.getPerformer()) {
            check(which, "performer", LabelReadModel.relative(performer), expected.performer());
        }
        stored.getPerformer().clear();
        stored.addPerformer(new Reference(expected.performer()));
        boolean aiMethod =
                label.getMethod().getCoding().stream()
                        .anyMatch(
                                c ->
                                        QuorumProfiles.CS_LABEL_METHOD.equals(c.getSystem())
                                                && "ai".equals(c.getCode()));
        if (aiMethod) {
            throw new WorkflowException(
                    Problem.INVALID_LABEL,
                    which
                            + " has method ai; a clinician's label is human or ai-assisted (AI"
                            + " labels are loaded with $submit on the project)");
        }
        String method = expected.device().isPresent() ? "ai-assisted" : "human";
        stored.setMethod(
                new CodeableConcept(
                        new Coding(
                                QuorumProfiles.CS_LABEL_METHOD,
                                method,
                                method.equals("human") ? "Human" : "AI-assisted")));
        stored.setDevice(expected.device().map(Reference::new).orElse(null));
        stored.setCode(code(which, label, schema, allowedCodes));
        return stored;
    }

    /** The label's code as a coding of the schema version, or 422. */
    static CodeableConcept code(
            String which, Observation label, SchemaVersion schema, Set<String> allowedCodes) {
        List<Coding> schemaCodings =
                label.getCode().getCoding().stream()
                        .filter(c -> schema.url().equals(c.getSystem()))
                        .toList();
        if (schemaCodings.size() != 1) {
            throw new WorkflowException(
                    Problem.CODE_NOT_IN_SCHEMA,
                    which
                            + " has "
                            + schemaCodings.size()
                            + " codings of the label schema "
                            + schema.url()
                            + "; give exactly one (code.coding with that system)");
        }
        Coding coding = schemaCodings.get(0);
        if (coding.hasVersion() && !schema.version().equals(coding.getVersion())) {
            throw new WorkflowException(
                    Problem.CODE_NOT_IN_SCHEMA,
                    which
                            + " is coded under schema version "
                            + coding.getVersion()
                            + "; the project labels under version "
                            + schema.version());
        }
        String code = coding.getCode();
        SchemaVersion.Concept concept = code == null ? null : schema.concepts().get(code);
        if (concept == null || !allowedCodes.contains(code)) {
            throw new WorkflowException(
                    Problem.CODE_NOT_IN_SCHEMA,
                    which
                            + " has the code '"
                            + code
                            + "', which is not "
                            + (concept == null ? "in" : "allowed by")
                            + " the label schema "
                            + schema.url()
                            + "|"
                            + schema.version()
                            + "; allowed: "
                            + String.join(", ", new java.util.TreeSet<>(allowedCodes)));
        }
        return new CodeableConcept(
                new Coding(schema.url(), code, concept.display()).setVersion(schema.version()));
    }

    private static Optional<String> project(Observation label) {
        return org.quorum.labels.LabelRecognition.project(label);
    }

    private static void check(String which, String element, Object given, String expected) {
        Optional<?> value = given instanceof Optional<?> o ? o : Optional.ofNullable(given);
        if (value.isPresent() && !Objects.equals(value.get(), expected)) {
            throw new WorkflowException(
                    Problem.INVALID_LABEL,
                    which
                            + " has "
                            + element
                            + " "
                            + value.get()
                            + ", but the task is about "
                            + expected
                            + "; leave it out or give that");
        }
    }
}
