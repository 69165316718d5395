package org.quorum.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.testing.Http;
import org.quorum.testing.RunningServer;

/** Labels over the FHIR REST API: create, read, search, $validate, transactions, updates. */
@ExtendWith(RunningServer.class)
class LabelStoreIT {

    private static final String SCHEMA = "https://quorum.dev/fhir/CodeSystem/test-findings";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static IGenericClient client;
    private static Http http;
    private static String project;
    private static String annotatorRole;
    private static String model;

    @BeforeAll
    static void createProjectAndAnnotators(RunningServer server) {
        client = server.fhirClient();
        http = server.http();
        project =
                client.create()
                        .resource(
                                new ResearchStudy()
                                        .setTitle("labels test")
                                        .setStatus(ResearchStudy.ResearchStudyStatus.ACTIVE))
                        .execute()
                        .getId()
                        .toUnqualifiedVersionless()
                        .getValue();
        annotatorRole =
                client.create()
                        .resource(new PractitionerRole())
                        .execute()
                        .getId()
                        .toUnqualifiedVersionless()
                        .getValue();
        Device device = new Device();
        device.addDeviceName().setName("nodule-detector").setType(Device.DeviceNameType.MODELNAME);
        model =
                client.create()
                        .resource(device)
                        .execute()
                        .getId()
                        .toUnqualifiedVersionless()
                        .getValue();
    }

    /** A patient and a note of theirs, unique to the calling test. */
    private record Source(String patient, String note) {}

    private static Source newSource() {
        String patient =
                client.create()
                        .resource(
                                new Patient()
                                        .addIdentifier(
                                                new org.hl7.fhir.r4.model.Identifier()
                                                        .setSystem(
                                                                "https://quorum.dev/fhir/pseudonym")
                                                        .setValue(UUID.randomUUID().toString())))
                        .execute()
                        .getId()
                        .toUnqualifiedVersionless()
                        .getValue();
        DocumentReference doc = new DocumentReference();
        doc.setStatus(org.hl7.fhir.r4.model.Enumerations.DocumentReferenceStatus.CURRENT);
        doc.setSubject(new Reference(patient));
        doc.addContent()
                .getAttachment()
                .setContentType("text/plain")
                .setData("Findings: left lower lobe opacity.".getBytes());
        String note =
                client.create()
                        .resource(doc)
                        .execute()
                        .getId()
                        .toUnqualifiedVersionless()
                        .getValue();
        return new Source(patient, note);
    }

    private static Observation label(Source source, String code) {
        Observation label = new Observation();
        label.getMeta().addProfile(QuorumProfiles.LABEL);
        label.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(project));
        label.addExtension(QuorumProfiles.EXT_CONFIDENCE, new DecimalType("0.8"));
        Extension span = label.addExtension().setUrl(QuorumProfiles.EXT_TEXT_SPAN);
        span.addExtension("start", new IntegerType(10));
        span.addExtension("end", new IntegerType(33));
        span.addExtension("quote", new StringType("left lower lobe opacity"));
        label.setStatus(Observation.ObservationStatus.PRELIMINARY);
        label.setCode(new CodeableConcept(new Coding(SCHEMA, code, null).setVersion("1.0.0")));
        label.setSubject(new Reference(source.patient()));
        label.addPerformer(new Reference(annotatorRole));
        label.setMethod(
                new CodeableConcept(new Coding(QuorumProfiles.CS_LABEL_METHOD, "human", "Human")));
        label.addDerivedFrom(new Reference(source.note()));
        return label;
    }

    @Test
    void created_label_reads_back_with_its_extensions() {
        Source source = newSource();
        MethodOutcome created = client.create().resource(label(source, "opacity")).execute();
        assertThat(created.getCreated()).isTrue();

        Observation read =
                client.read()
                        .resource(Observation.class)
                        .withId(created.getId().toUnqualifiedVersionless())
                        .execute();

        assertThat(read.getMeta().getProfile())
                .extracting(p -> p.getValue())
                .contains(QuorumProfiles.LABEL);
        assertThat(read.getExtensionByUrl(QuorumProfiles.EXT_PROJECT).getValue())
                .isInstanceOf(Reference.class);
        assertThat(
                        ((DecimalType)
                                        read.getExtensionByUrl(QuorumProfiles.EXT_CONFIDENCE)
                                                .getValue())
                                .getValue())
                .isEqualByComparingTo(new java.math.BigDecimal("0.8"));
        assertThat(
                        read.getExtensionByUrl(QuorumProfiles.EXT_TEXT_SPAN)
                                .getExtensionByUrl("quote")
                                .getValue()
                                .primitiveValue())
                .isEqualTo("left lower lobe opacity");
        assertThat(read.getCode().getCodingFirstRep().getVersion()).isEqualTo("1.0.0");
    }

    @Test
    void labels_are_found_by_code_subject_performer_and_derived_from() {
        Source source = newSource();
        Source other = newSource();
        client.create().resource(label(source, "opacity")).execute();
        client.create().resource(label(source, "effusion")).execute();
        client.create().resource(label(other, "opacity")).execute();

        assertThat(count("Observation?subject=" + source.patient())).isEqualTo(2);
        assertThat(
                        count(
                                "Observation?subject="
                                        + source.patient()
                                        + "&code="
                                        + SCHEMA
                                        + "|effusion"))
                .isEqualTo(1);
        assertThat(count("Observation?derived-from=" + other.note())).isEqualTo(1);
        assertThat(count("Observation?performer=" + annotatorRole + "&subject=" + other.patient()))
                .isEqualTo(1);
        assertThat(count("Observation?performer=PractitionerRole/does-not-exist")).isZero();
        // Chained: labels of notes about this patient.
        assertThat(count("Observation?derived-from:DocumentReference.subject=" + source.patient()))
                .isEqualTo(2);
    }

    @Test
    void include_and_revinclude_return_the_label_graph() {
        Source source = newSource();
        client.create().resource(label(source, "opacity")).execute();

        Bundle withNote =
                client.search()
                        .byUrl(
                                "Observation?subject="
                                        + source.patient()
                                        + "&_include=Observation:derived-from")
                        .returnBundle(Bundle.class)
                        .execute();
        assertThat(withNote.getEntry())
                .extracting(e -> e.getResource().fhirType())
                .contains("Observation", "DocumentReference");

        Bundle noteWithLabels =
                client.search()
                        .byUrl(
                                "DocumentReference?_id="
                                        + new IdType(source.note()).getIdPart()
                                        + "&_revinclude=Observation:derived-from")
                        .returnBundle(Bundle.class)
                        .execute();
        assertThat(noteWithLabels.getEntry())
                .extracting(e -> e.getResource().fhirType())
                .contains("Observation");
    }

    @Test
    void search_results_page_through_every_label() {
        Source source = newSource();
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        for (int i = 0; i < 25; i++) {
            batch.addEntry()
                    .setResource(label(source, "finding-" + i))
                    .getRequest()
                    .setMethod(Bundle.HTTPVerb.POST)
                    .setUrl("Observation");
        }
        Bundle response = client.transaction().withBundle(batch).execute();
        assertThat(response.getEntry())
                .allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));

        Bundle page =
                client.search()
                        .byUrl("Observation?subject=" + source.patient() + "&_count=10")
                        .returnBundle(Bundle.class)
                        .execute();
        int seen = page.getEntry().size();
        int pages = 1;
        while (page.getLink(Bundle.LINK_NEXT) != null) {
            page = client.loadPage().next(page).execute();
            seen += page.getEntry().size();
            pages++;
        }
        assertThat(seen).isEqualTo(25);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void transaction_of_100_labels_stores_all_of_them() {
        Source source = newSource();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (int i = 0; i < 100; i++) {
            transaction
                    .addEntry()
                    .setFullUrl("urn:uuid:" + UUID.randomUUID())
                    .setResource(label(source, "finding-" + (i % 7)))
                    .getRequest()
                    .setMethod(Bundle.HTTPVerb.POST)
                    .setUrl("Observation");
        }

        Bundle response = client.transaction().withBundle(transaction).execute();

        assertThat(response.getEntry())
                .hasSize(100)
                .allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));
        assertThat(count("Observation?subject=" + source.patient())).isEqualTo(100);
    }

    @Test
    void transaction_with_one_nonconformant_label_stores_nothing() {
        Source source = newSource();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (int i = 0; i < 10; i++) {
            Observation label = label(source, "finding");
            if (i == 7) {
                label.getPerformer().clear(); // breaks qlab-1 (and qlab-5)
            }
            transaction
                    .addEntry()
                    .setFullUrl("urn:uuid:" + UUID.randomUUID())
                    .setResource(label)
                    .getRequest()
                    .setMethod(Bundle.HTTPVerb.POST)
                    .setUrl("Observation");
        }

        HttpResponse<String> response = rawPost("/fhir", transaction);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.body()).contains("qlab-1");
        assertThat(count("Observation?subject=" + source.patient())).isZero();
    }

    @Test
    void transaction_resolves_placeholder_references_before_validating() {
        Source source = newSource();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        String roleUrn = "urn:uuid:" + UUID.randomUUID();
        transaction
                .addEntry()
                .setFullUrl(roleUrn)
                .setResource(new PractitionerRole())
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("PractitionerRole");
        Observation label = label(source, "finding");
        label.getPerformer().clear();
        label.addPerformer(new Reference(roleUrn));
        transaction
                .addEntry()
                .setFullUrl("urn:uuid:" + UUID.randomUUID())
                .setResource(label)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.POST)
                .setUrl("Observation");

        Bundle response = client.transaction().withBundle(transaction).execute();

        assertThat(response.getEntry())
                .allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));
    }

    @Test
    void nonconformant_update_is_refused_and_the_stored_version_stays() {
        Source source = newSource();
        IdType id = (IdType) client.create().resource(label(source, "opacity")).execute().getId();
        Observation broken = label(source, "opacity");
        broken.setId(id.toUnqualifiedVersionless());
        broken.getExtensionByUrl(QuorumProfiles.EXT_CONFIDENCE).setValue(new DecimalType("7"));

        HttpResponse<String> response =
                rawPut("/fhir/" + id.toUnqualifiedVersionless().getValue(), broken);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.body()).contains("qconf-1");
        Observation stored =
                client.read()
                        .resource(Observation.class)
                        .withId(id.toUnqualifiedVersionless())
                        .execute();
        assertThat(stored.getMeta().getVersionId()).isEqualTo("1");
        assertThat(
                        ((DecimalType)
                                        stored.getExtensionByUrl(QuorumProfiles.EXT_CONFIDENCE)
                                                .getValue())
                                .getValue())
                .isEqualByComparingTo(new java.math.BigDecimal("0.8"));
    }

    @Test
    void history_keeps_every_version_of_a_label() {
        Source source = newSource();
        IdType id = (IdType) client.create().resource(label(source, "opacity")).execute().getId();
        Observation finalLabel = label(source, "opacity");
        finalLabel.setId(id.toUnqualifiedVersionless());
        finalLabel.setStatus(Observation.ObservationStatus.FINAL);
        client.update().resource(finalLabel).execute();

        Bundle history =
                client.history()
                        .onInstance(id.toUnqualifiedVersionless())
                        .returnBundle(Bundle.class)
                        .execute();

        assertThat(history.getEntry()).hasSize(2);
    }

    @Test
    void validate_operation_checks_a_resource_against_the_named_profile() throws Exception {
        Source source = newSource();
        Observation unprofiled = label(source, "opacity");
        unprofiled.getMeta().getProfile().clear();
        Observation broken = unprofiled.copy();
        broken.setDerivedFrom(null);

        HttpResponse<String> ok =
                rawPost("/fhir/Observation/$validate?profile=" + QuorumProfiles.LABEL, unprofiled);
        HttpResponse<String> bad =
                rawPost("/fhir/Observation/$validate?profile=" + QuorumProfiles.LABEL, broken);

        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(errorIssues(ok.body())).isZero();
        assertThat(bad.statusCode()).isIn(200, 412, 422);
        assertThat(errorIssues(bad.body())).isPositive();
        assertThat(bad.body()).contains("Observation.derivedFrom");
    }

    private static long errorIssues(String outcomeJson) throws Exception {
        JsonNode outcome = JSON.readTree(outcomeJson);
        long errors = 0;
        for (JsonNode issue : outcome.path("issue")) {
            if (issue.path("severity").asText().matches("error|fatal")) {
                errors++;
            }
        }
        return errors;
    }

    private static int count(String query) {
        Bundle bundle =
                client.search()
                        .byUrl(query + (query.contains("?") ? "&" : "?") + "_summary=count")
                        .returnBundle(Bundle.class)
                        .execute();
        return bundle.getTotal();
    }

    private static HttpResponse<String> rawPost(
            String path, org.hl7.fhir.instance.model.api.IBaseResource resource) {
        return http.postFhir(
                path, client.getFhirContext().newJsonParser().encodeResourceToString(resource));
    }

    private static HttpResponse<String> rawPut(
            String path, org.hl7.fhir.instance.model.api.IBaseResource resource) {
        return http.putFhir(
                path, client.getFhirContext().newJsonParser().encodeResourceToString(resource));
    }
}
