package org.quorum.quality;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.quorum.profiles.QuorumProfiles;

/**
 * Builds an annotation project through the FHIR API, as a client would: a ResearchStudy, its
 * annotators (Practitioner + PractitionerRole), pseudonymised patients with US Core race and
 * ethnicity, notes, imaging studies and labels that claim (and pass) the QuorumLabel profile.
 * Resources are queued and stored in one transaction by {@link #commit()}; until then they are
 * referenced by {@code urn:uuid:} placeholders, which the transaction resolves.
 */
public final class QualityProject {

    public static final String SCHEMA = "https://quorum.dev/fhir/CodeSystem/it-chest-findings";
    public static final String SNOMED = "http://snomed.info/sct";
    public static final String RIGHT = "24028007";
    public static final String LEFT = "7771000";
    public static final String RIGHT_LOWER_LOBE = "266005";
    public static final String LEFT_LOWER_LOBE = "41224006";

    private final IGenericClient client;
    private final String project;
    private final List<Bundle.BundleEntryComponent> pending = new ArrayList<>();
    private final List<String> placeholders = new ArrayList<>();
    private final java.util.Map<String, String> ids = new java.util.HashMap<>();

    private QualityProject(IGenericClient client, String project) {
        this.client = client;
        this.project = project;
    }

    /** Creates the ResearchStudy at once. */
    public static QualityProject create(IGenericClient client, String title) {
        ResearchStudy study =
                new ResearchStudy()
                        .setTitle(title)
                        .setStatus(ResearchStudy.ResearchStudyStatus.ACTIVE);
        String id =
                client.create()
                        .resource(study)
                        .execute()
                        .getId()
                        .toUnqualifiedVersionless()
                        .getValue();
        return new QualityProject(client, id);
    }

    /** {@code ResearchStudy/…} */
    public String reference() {
        return project;
    }

    public String id() {
        return project.substring(project.indexOf('/') + 1);
    }

    /** An annotator: a Practitioner with a pseudonymous id and their PractitionerRole. */
    public String annotator(String name) {
        Practitioner practitioner = new Practitioner();
        practitioner.addIdentifier(
                new Identifier()
                        .setSystem("https://quorum.dev/fhir/annotator-id")
                        .setValue(name + "-" + UUID.randomUUID()));
        String practitionerRef = queue(practitioner);
        PractitionerRole role = new PractitionerRole();
        role.setPractitioner(new Reference(practitionerRef));
        return queue(role);
    }

    /**
     * A patient.
     *
     * @param gender administrative gender code, or null
     * @param birthDate FHIR date ("1961" or "1961-05-04"), or null
     * @param ethnicity OMB ethnicity code, or null
     * @param races OMB race codes (none: no race extension)
     */
    public String patient(String gender, String birthDate, String ethnicity, String... races) {
        Patient patient = new Patient();
        patient.addIdentifier(
                new Identifier()
                        .setSystem("https://quorum.dev/fhir/pseudonym")
                        .setValue(UUID.randomUUID().toString()));
        if (gender != null) {
            patient.setGender(Enumerations.AdministrativeGender.fromCode(gender));
        }
        if (birthDate != null) {
            patient.setBirthDateElement(new DateType(birthDate));
        }
        if (races.length > 0) {
            Extension race =
                    patient.addExtension()
                            .setUrl("http://hl7.org/fhir/us/core/StructureDefinition/us-core-race");
            for (String code : races) {
                race.addExtension(
                        "ombCategory", new Coding("urn:oid:2.16.840.1.113883.6.238", code, null));
            }
            race.addExtension("text", new StringType(String.join(", ", races)));
        }
        if (ethnicity != null) {
            Extension extension =
                    patient.addExtension()
                            .setUrl(
                                    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity");
            extension.addExtension(
                    "ombCategory", new Coding("urn:oid:2.16.840.1.113883.6.238", ethnicity, null));
            extension.addExtension("text", new StringType(ethnicity));
        }
        return queue(patient);
    }

    /** A de-identified note about the patient. */
    public String note(String patient) {
        DocumentReference note = new DocumentReference();
        note.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
        note.setSubject(new Reference(ref(patient)));
        note.addContent()
                .getAttachment()
                .setContentType("text/plain")
                .setData("Impression: consolidation.".getBytes());
        return queue(note);
    }

    /** An imaging study of the patient. */
    public String study(String patient) {
        ImagingStudy study = new ImagingStudy();
        study.setStatus(ImagingStudy.ImagingStudyStatus.AVAILABLE);
        study.setSubject(new Reference(ref(patient)));
        return queue(study);
    }

    /** A label claiming the QuorumLabel profile; change it before {@link #add(Observation)}. */
    public Observation label(
            String annotator, String patient, String source, String code, String status) {
        Observation label = new Observation();
        label.getMeta().addProfile(QuorumProfiles.LABEL);
        label.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(project));
        label.setStatus(Observation.ObservationStatus.fromCode(status));
        label.setCode(
                new CodeableConcept(new Coding(SCHEMA, code, displayOf(code)).setVersion("1.0.0")));
        label.setSubject(new Reference(ref(patient)));
        label.addPerformer(new Reference(ref(annotator)));
        label.setMethod(
                new CodeableConcept(new Coding(QuorumProfiles.CS_LABEL_METHOD, "human", "Human")));
        label.addDerivedFrom(new Reference(ref(source)));
        return label;
    }

    /** Sets finding site and laterality on a label. */
    public static Observation site(Observation label, String siteCode, String lateralityCode) {
        CodeableConcept site = new CodeableConcept(new Coding(SNOMED, siteCode, null));
        site.addExtension(
                QuorumProfiles.EXT_LATERALITY,
                new CodeableConcept(new Coding(SNOMED, lateralityCode, null)));
        label.setBodySite(site);
        return label;
    }

    /** Queues a label; returns its placeholder (or, after commit, its id via {@link #ids()}). */
    public String add(Observation label) {
        return queue(label);
    }

    /** Adds a label with the usual defaults: final, on the given source. */
    public String label(String annotator, String patient, String source, String code) {
        return add(label(annotator, patient, source, code, "final"));
    }

    private String queue(Resource resource) {
        String placeholder = "urn:uuid:" + UUID.randomUUID();
        pending.add(
                new Bundle.BundleEntryComponent()
                        .setFullUrl(placeholder)
                        .setResource(resource)
                        .setRequest(
                                new Bundle.BundleEntryRequestComponent()
                                        .setMethod(Bundle.HTTPVerb.POST)
                                        .setUrl(resource.fhirType())));
        placeholders.add(placeholder);
        return placeholder;
    }

    /**
     * Stores everything queued in one transaction; placeholders then resolve through {@link #id}.
     */
    public QualityProject commit() {
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        pending.forEach(transaction::addEntry);
        Bundle response = client.transaction().withBundle(transaction).execute();
        for (int i = 0; i < response.getEntry().size(); i++) {
            String location = response.getEntry().get(i).getResponse().getLocation();
            ids.put(
                    placeholders.get(i),
                    new org.hl7.fhir.r4.model.IdType(location)
                            .toUnqualifiedVersionless()
                            .getValue());
        }
        pending.clear();
        placeholders.clear();
        return this;
    }

    /**
     * The stored id ({@code Observation/12}) of a placeholder returned before {@link #commit()}.
     */
    public String id(String placeholder) {
        String id = ids.get(placeholder);
        if (id == null) {
            throw new IllegalStateException(placeholder + " is not committed");
        }
        return id;
    }

    /** A committed placeholder's id, anything else unchanged. */
    private String ref(String reference) {
        return ids.getOrDefault(reference, reference);
    }

    static String displayOf(String code) {
        return Character.toUpperCase(code.charAt(0)) + code.substring(1).replace('-', ' ');
    }
}
