package org.quorum.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.ListResource;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.security.Role;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.Http;
import org.quorum.testing.QuorumEndpoint;

/**
 * Builds a review-workflow project through the FHIR API as a project admin would: a label schema,
 * the roster (Practitioners with qualifications, PractitionerRoles in the project), notes and
 * imaging studies (stored by STOW-RS, so that final image labels get their SR), calibration and
 * gold sets with reference labels, the ResearchStudy with its review policy; and calls the workflow
 * operations over HTTP for the clinicians.
 */
public final class WorkflowFixture {

    /** HL7 v2 table 0360 (degree/licence/certificate): MD. */
    public static final String LICENCE = "http://terminology.hl7.org/CodeSystem/v2-0360";

    public static final String MD = "MD";

    /** NUCC provider taxonomy: 2085R0202X diagnostic radiology (the board certification). */
    public static final String BOARD = "http://nucc.org/provider-taxonomy";

    public static final String RADIOLOGY = "2085R0202X";
    public static final String LOINC = "http://loinc.org";
    public static final String SCOPES = "user/*.cruds";

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    public final QuorumEndpoint server;
    public final IGenericClient admin;
    public final IParser json;
    public final String schema = "https://quorum.dev/fhir/CodeSystem/wf-it-" + UUID.randomUUID();
    public final String organization;
    public final String lead;
    public final String device;
    public String project;

    /** Name → PractitionerRole reference. */
    public final Map<String, String> members = new LinkedHashMap<>();

    private final Map<String, String> tokens = new LinkedHashMap<>();

    public WorkflowFixture(QuorumEndpoint server) {
        this.server = server;
        this.admin = server.fhirClient();
        this.json = server.fhirContext().newJsonParser();
        CodeSystem v1 = schema("1.0.0");
        for (String code : List.of("effusion", "pneumonia", "normal")) {
            v1.addConcept().setCode(code).setDisplay(display(code));
        }
        create(v1);
        Organization board = new Organization();
        board.setName("Example Board of Radiology");
        this.organization = create(board);
        PractitionerRole leadRole = new PractitionerRole();
        leadRole.setPractitioner(new Reference(practitioner("lead", List.of())));
        this.lead = create(leadRole);
        Device model = new Device();
        model.addDeviceName().setName("wf-it chest model").setType(Device.DeviceNameType.MODELNAME);
        model.addVersion().setValue("3.1");
        this.device = create(model);
    }

    public CodeSystem schema(String version) {
        CodeSystem codeSystem = new CodeSystem();
        codeSystem.setUrl(schema).setVersion(version).setName("WfItFindings");
        codeSystem.setStatus(Enumerations.PublicationStatus.ACTIVE);
        codeSystem.setContent(CodeSystem.CodeSystemContentMode.COMPLETE);
        return codeSystem;
    }

    public static String display(String code) {
        return Character.toUpperCase(code.charAt(0)) + code.substring(1).replace('-', ' ');
    }

    public String create(Resource resource) {
        return admin.create()
                .resource(resource)
                .execute()
                .getId()
                .toUnqualifiedVersionless()
                .getValue();
    }

    public <T extends IBaseResource> T read(Class<T> type, String reference) {
        return admin.read().resource(type).withUrl(reference).execute();
    }

    /** A qualification: code, valid from {@code start} to {@code end} (null: no end). */
    public record Credential(String system, String code, String start, String end) {}

    private String practitioner(String name, List<Credential> credentials) {
        Practitioner practitioner = new Practitioner();
        practitioner.getMeta().addProfile(QuorumProfiles.ANNOTATOR);
        practitioner.addIdentifier(
                new Identifier()
                        .setSystem("https://quorum.dev/fhir/annotator-id")
                        .setValue(name + "-" + UUID.randomUUID()));
        for (Credential credential : credentials) {
            Practitioner.PractitionerQualificationComponent qualification =
                    practitioner.addQualification();
            qualification.setCode(
                    new CodeableConcept(new Coding(credential.system(), credential.code(), null)));
            qualification.setIssuer(new Reference(organization));
            Period period = new Period();
            period.setStartElement(new org.hl7.fhir.r4.model.DateTimeType(credential.start()));
            if (credential.end() != null) {
                period.setEndElement(new org.hl7.fhir.r4.model.DateTimeType(credential.end()));
            }
            qualification.setPeriod(period);
        }
        if (credentials.isEmpty()) {
            practitioner.getMeta().getProfile().clear();
        }
        return create(practitioner);
    }

    /** A roster member: Practitioner with credentials, PractitionerRole in the project. */
    public String member(
            String name, String projectRole, Role tokenRole, Credential... credentials) {
        PractitionerRole role = new PractitionerRole();
        role.setPractitioner(new Reference(practitioner(name, List.of(credentials))));
        role.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(project));
        role.addCode(
                new CodeableConcept(new Coding(QuorumProfiles.CS_PROJECT_ROLE, projectRole, null)));
        String reference = create(role);
        members.put(name, reference);
        tokens.put(
                name,
                server.token(
                        "wf-" + name + "-" + UUID.randomUUID(),
                        Set.of(tokenRole),
                        SCOPES,
                        Optional.of(reference),
                        Set.of()));
        return reference;
    }

    /** The access token made for a roster member. */
    public String tokenOf(String name) {
        return tokens.get(name);
    }

    public Http as(String name) {
        return server.http(tokens.get(name));
    }

    public String patient() {
        Patient patient = new Patient();
        patient.addIdentifier(
                new Identifier()
                        .setSystem("https://quorum.dev/fhir/pseudonym")
                        .setValue(UUID.randomUUID().toString()));
        return create(patient);
    }

    /** A de-identified progress note of a new patient. */
    public String note() {
        DocumentReference note = new DocumentReference();
        note.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
        note.setType(new CodeableConcept(new Coding(LOINC, "11506-3", "Progress note")));
        note.setSubject(new Reference(patient()));
        note.addContent()
                .getAttachment()
                .setContentType("text/plain")
                .setData("Impression: see findings.".getBytes());
        return create(note);
    }

    /** An image study stored by STOW-RS; its ImagingStudy mirror and the image's SOP UID. */
    public record Image(String imagingStudy, String patient, String sopInstanceUid) {}

    public Image image() {
        String study = DicomFiles.newUid();
        String sop = DicomFiles.newUid();
        byte[] part10 =
                DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        Map.of(
                                "StudyInstanceUID",
                                study,
                                "SeriesInstanceUID",
                                DicomFiles.newUid(),
                                "SOPInstanceUID",
                                sop,
                                "PatientID",
                                "WF-" + UUID.randomUUID()));
        String boundary = "wf-it";
        HttpResponse<String> stow;
        try {
            stow =
                    HTTP.send(
                            HttpRequest.newBuilder(server.baseUrl().resolve("/dicomweb/studies"))
                                    .header("Authorization", "Bearer " + server.adminToken())
                                    .header(
                                            "Content-Type",
                                            "multipart/related; type=\"application/dicom\";"
                                                    + " boundary="
                                                    + boundary)
                                    .header("Accept", "application/dicom+json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofByteArray(
                                                    DicomFiles.multipart(boundary, part10)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(stow.statusCode()).as(stow.body()).isEqualTo(200);
        Bundle found =
                admin.search()
                        .forResource(ImagingStudy.class)
                        .where(
                                ImagingStudy.IDENTIFIER
                                        .exactly()
                                        .systemAndCode("urn:dicom:uid", "urn:oid:" + study))
                        .returnBundle(Bundle.class)
                        .execute();
        assertThat(found.getEntry()).hasSize(1);
        ImagingStudy mirror = (ImagingStudy) found.getEntryFirstRep().getResource();
        return new Image(
                "ImagingStudy/" + mirror.getIdElement().getIdPart(),
                mirror.getSubject().getReference(),
                sop);
    }

    /** A List of sources (calibration set, gold set, case sources). */
    public String list(List<String> members) {
        ListResource list = new ListResource();
        list.setStatus(ListResource.ListStatus.CURRENT);
        list.setMode(ListResource.ListMode.WORKING);
        list.setTitle("Workflow IT sources");
        members.forEach(m -> list.addEntry().setItem(new Reference(m)));
        return create(list);
    }

    /** A label Observation with the project's schema code; the rest is the caller's to add. */
    public Observation label(String code) {
        Observation label = new Observation();
        label.setCode(new CodeableConcept(new Coding(schema, code, null)));
        return label;
    }

    /** The image region extension (a box) on a label. */
    public static Observation region(Observation label, String sop, String box) {
        Extension region = new Extension(QuorumProfiles.EXT_IMAGE_REGION);
        region.addExtension("sopInstanceUid", new org.hl7.fhir.r4.model.IdType(sop));
        region.addExtension("frame", new PositiveIntType(1));
        region.addExtension("graphicType", new CodeType("POLYLINE"));
        region.addExtension("coordinates", new StringType(box));
        label.addExtension(region);
        return label;
    }

    /** A stored reference (final) label, as the project lead sets them. */
    public String referenceLabel(String source, String patient, String code) {
        Observation label = complete(label(code), source, patient, "final");
        label.addPerformer(new Reference(lead));
        label.setMethod(
                new CodeableConcept(new Coding(QuorumProfiles.CS_LABEL_METHOD, "human", null)));
        return create(label);
    }

    /** An AI pre-label (not stored). */
    public Observation aiLabel(String source, String patient, String code, double confidence) {
        Observation label = complete(label(code), source, patient, "preliminary");
        label.setDevice(new Reference(device));
        label.setMethod(
                new CodeableConcept(new Coding(QuorumProfiles.CS_LABEL_METHOD, "ai", null)));
        label.addExtension(QuorumProfiles.EXT_CONFIDENCE, new DecimalType(confidence));
        return label;
    }

    private Observation complete(Observation label, String source, String patient, String status) {
        label.getMeta().addProfile(QuorumProfiles.LABEL);
        label.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(project));
        label.setStatus(Observation.ObservationStatus.fromCode(status));
        label.getCode()
                .getCodingFirstRep()
                .setVersion("1.0.0")
                .setDisplay(display(label.getCode().getCodingFirstRep().getCode()));
        label.setSubject(new Reference(patient));
        label.addDerivedFrom(new Reference(source));
        return label;
    }

    /** The ResearchStudy with a review policy (more policy elements go in {@code extra}). */
    public String study(List<String> caseSources, Map<String, org.hl7.fhir.r4.model.Type> extra) {
        ResearchStudy study = new ResearchStudy();
        study.setTitle("Workflow IT " + UUID.randomUUID());
        study.setStatus(ResearchStudy.ResearchStudyStatus.ACTIVE);
        study.addExtension(policy(caseSources, extra));
        project = create(study);
        return project;
    }

    public Extension policy(
            List<String> caseSources, Map<String, org.hl7.fhir.r4.model.Type> extra) {
        Extension policy = new Extension(QuorumProfiles.EXT_REVIEW_POLICY);
        policy.addExtension("labelSchema", new CanonicalType(schema + "|1.0.0"));
        caseSources.forEach(s -> policy.addExtension("caseSource", new Reference(s)));
        extra.forEach(policy::addExtension);
        return policy;
    }

    /** Adds a qualification requirement to the project. */
    public void require(String stage, String system, String code, String caseType) {
        ResearchStudy study = read(ResearchStudy.class, project);
        Extension requirement =
                study.addExtension().setUrl(QuorumProfiles.EXT_QUALIFICATION_REQUIREMENT);
        requirement.addExtension("stage", new CodeType(stage));
        requirement.addExtension(
                "qualification", new CodeableConcept(new Coding(system, code, code)));
        if (caseType != null) {
            requirement.addExtension(
                    "caseType",
                    new CodeableConcept(new Coding(QuorumProfiles.CS_CASE_TYPE, caseType, null)));
        }
        admin.update().resource(study).execute();
    }

    /** Sets one policy element of the project. */
    public void setPolicy(String element, org.hl7.fhir.r4.model.Type value) {
        ResearchStudy study = read(ResearchStudy.class, project);
        Extension policy = study.getExtensionByUrl(QuorumProfiles.EXT_REVIEW_POLICY);
        policy.getExtension().removeIf(e -> e.getUrl().equals(element));
        policy.addExtension(element, value);
        admin.update().resource(study).execute();
    }

    // ---- operations over HTTP ----

    public String projectId() {
        return project.substring(project.indexOf('/') + 1);
    }

    public HttpResponse<String> post(Http http, String path, Parameters parameters) {
        return http.postFhir(path, json.encodeResourceToString(parameters));
    }

    public HttpResponse<String> nextCase(String who, String stage) {
        Parameters parameters = new Parameters();
        if (stage != null) {
            parameters.addParameter("stage", new CodeType(stage));
        }
        return post(as(who), "/fhir/" + project + "/$next-case", parameters);
    }

    public HttpResponse<String> submit(String who, String task, Observation... labels) {
        Parameters parameters = new Parameters();
        for (Observation label : labels) {
            parameters.addParameter().setName("label").setResource(label);
        }
        return post(as(who), "/fhir/" + task + "/$submit", parameters);
    }

    public HttpResponse<String> review(
            String who, String task, String decision, String comment, Observation... labels) {
        Parameters parameters = new Parameters();
        parameters.addParameter("decision", new CodeType(decision));
        if (comment != null) {
            parameters.addParameter("comment", new StringType(comment));
        }
        for (Observation label : labels) {
            parameters.addParameter().setName("label").setResource(label);
        }
        return post(as(who), "/fhir/" + task + "/$review", parameters);
    }

    public HttpResponse<String> adjudicate(
            String who, String task, String chosen, String rationale) {
        Parameters parameters = new Parameters();
        if (chosen != null) {
            parameters.addParameter().setName("chosen").setValue(new Reference(chosen));
        }
        if (rationale != null) {
            parameters.addParameter("rationale", new StringType(rationale));
        }
        return post(as(who), "/fhir/" + task + "/$adjudicate", parameters);
    }

    public Parameters parameters(HttpResponse<String> response) {
        return json.parseResource(Parameters.class, response.body());
    }

    public Task task(HttpResponse<String> response) {
        return json.parseResource(Task.class, response.body());
    }

    public static String ref(Reference reference) {
        return new IdType(reference.getReference()).toUnqualifiedVersionless().getValue();
    }

    /** Every resource a search finds, following next links. */
    public <T extends IBaseResource> List<T> all(Class<T> type, String query) {
        List<T> found = new ArrayList<>();
        Bundle page =
                admin.search()
                        .byUrl(
                                server.fhirContext().getResourceType(type)
                                        + "?"
                                        + query
                                        + "&_count=200")
                        .returnBundle(Bundle.class)
                        .execute();
        while (true) {
            page.getEntry().stream()
                    .map(Bundle.BundleEntryComponent::getResource)
                    .filter(type::isInstance)
                    .map(type::cast)
                    .forEach(found::add);
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                return found;
            }
            page = admin.loadPage().next(page).execute();
        }
    }

    /** The case task's source of a stage task. */
    public String sourceOf(Task stageTask) {
        String caseRef = ref(stageTask.getPartOfFirstRep());
        return ref(read(Task.class, caseRef).getFocus());
    }

    public static int round(Task task) {
        return task.getInput().stream()
                .filter(i -> i.getType().getCodingFirstRep().getCode().equals("round"))
                .map(i -> ((IntegerType) i.getValue()).getValue())
                .findFirst()
                .orElse(1);
    }
}
