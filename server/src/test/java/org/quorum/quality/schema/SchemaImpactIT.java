package org.quorum.quality.schema;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.quality.QualityProject;
import org.quorum.testing.RunningServer;

/**
 * {@code $schema-impact} over HTTP: version 2.0.0 of a label schema splits "nodule", renames
 * "effusion", removes "atelectasis", merges "opacity" and "consolidation" into "airspace-disease"
 * and adds "pneumothorax"; "mass" is unchanged. Exactly the final labels made under 1.0.0 with a
 * changed code are affected.
 */
@ExtendWith(RunningServer.class)
class SchemaImpactIT {

    private static final String PROPERTIES = "http://hl7.org/fhir/concept-properties#";

    private static IGenericClient client;
    private static RunningServer server;
    private static String url;
    private static String version2Id;
    private static QualityProject project;
    private static Map<String, String> labels;

    @BeforeAll
    static void twoSchemaVersionsAndLabels(RunningServer running) {
        server = running;
        client = running.fhirClient();
        url = "https://quorum.dev/fhir/CodeSystem/it-schema-" + UUID.randomUUID();
        CodeSystem v1 = schema("1.0.0");
        for (String code :
                List.of("nodule", "effusion", "atelectasis", "opacity", "consolidation", "mass")) {
            v1.addConcept().setCode(code).setDisplay(display(code));
        }
        CodeSystem v2 = schema("2.0.0");
        v2.addProperty()
                .setCode("status")
                .setUri(PROPERTIES + "status")
                .setType(CodeSystem.PropertyType.CODE);
        v2.addProperty()
                .setCode("replacedByCode")
                .setUri(PROPERTIES + "replacedByCode")
                .setType(CodeSystem.PropertyType.CODE);
        retired(v2, "nodule", "nodule-solid", "nodule-subsolid");
        v2.addConcept().setCode("nodule-solid").setDisplay("Solid nodule");
        v2.addConcept().setCode("nodule-subsolid").setDisplay("Subsolid nodule");
        v2.addConcept().setCode("effusion").setDisplay("Pleural fluid");
        retired(v2, "opacity", "airspace-disease");
        retired(v2, "consolidation", "airspace-disease");
        v2.addConcept().setCode("airspace-disease").setDisplay("Airspace disease");
        v2.addConcept().setCode("mass").setDisplay("Mass");
        v2.addConcept().setCode("pneumothorax").setDisplay("Pneumothorax");
        // Labels are validated when written: those of 1.0.0 before 2.0.0 exists, as in real life.
        client.create().resource(v1).execute();

        project = QualityProject.create(client, "schema impact IT");
        String annotator = project.annotator("A");
        String patient = project.patient("female", "1970", null);
        String note = project.note(patient);
        Map<String, String> placeholders = new java.util.LinkedHashMap<>();
        for (String code :
                List.of("nodule", "effusion", "atelectasis", "opacity", "consolidation", "mass")) {
            placeholders.put(
                    "final " + code,
                    project.add(label(annotator, patient, note, code, "1.0.0", "final")));
        }
        placeholders.put(
                "amended nodule",
                project.add(label(annotator, patient, note, "nodule", "1.0.0", "amended")));
        placeholders.put(
                "preliminary nodule",
                project.add(label(annotator, patient, note, "nodule", "1.0.0", "preliminary")));
        project.commit();
        version2Id = client.create().resource(v2).execute().getId().getIdPart();
        placeholders.put(
                "final effusion v2",
                project.add(
                        label(
                                project.id(annotator),
                                project.id(patient),
                                project.id(note),
                                "effusion",
                                "2.0.0",
                                "final")));
        project.commit();
        labels =
                placeholders.entrySet().stream()
                        .collect(
                                Collectors.toMap(Map.Entry::getKey, e -> project.id(e.getValue())));
    }

    private static CodeSystem schema(String version) {
        CodeSystem schema = new CodeSystem();
        schema.setUrl(url).setVersion(version).setName("ItSchema");
        schema.setStatus(Enumerations.PublicationStatus.ACTIVE);
        schema.setContent(CodeSystem.CodeSystemContentMode.COMPLETE);
        return schema;
    }

    private static void retired(CodeSystem schema, String code, String... replacedBy) {
        CodeSystem.ConceptDefinitionComponent concept =
                schema.addConcept().setCode(code).setDisplay(display(code));
        concept.addProperty().setCode("status").setValue(new CodeType("retired"));
        for (String target : replacedBy) {
            concept.addProperty().setCode("replacedByCode").setValue(new CodeType(target));
        }
    }

    private static String display(String code) {
        return Character.toUpperCase(code.charAt(0)) + code.substring(1);
    }

    private static Observation label(
            String annotator,
            String patient,
            String note,
            String code,
            String version,
            String status) {
        Observation label = project.label(annotator, patient, note, code, status);
        label.getCode()
                .getCodingFirstRep()
                .setSystem(url)
                .setVersion(version)
                .setDisplay(
                        code.equals("effusion") && version.equals("2.0.0")
                                ? "Pleural fluid"
                                : display(code));
        return label;
    }

    private static Map<String, String> affected(Parameters result) {
        return result.getParameter().stream()
                .filter(p -> p.getName().equals("affectedLabel"))
                .collect(
                        Collectors.toMap(
                                p -> ((Reference) part(p, "label").getValue()).getReference(),
                                p -> part(p, "change").getValue().primitiveValue()));
    }

    private static ParametersParameterComponent part(ParametersParameterComponent p, String name) {
        return p.getPart().stream().filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void lists_exactly_the_final_labels_made_under_the_old_version_with_a_changed_code() {
        Parameters result =
                client.operation()
                        .onType(CodeSystem.class)
                        .named("$schema-impact")
                        .withParameter(Parameters.class, "url", new UriType(url))
                        .andParameter("fromVersion", new StringType("1.0.0"))
                        .andParameter("toVersion", new StringType("2.0.0"))
                        .execute();

        assertThat(affected(result))
                .containsOnly(
                        Map.entry(labels.get("final nodule"), "split"),
                        Map.entry(labels.get("amended nodule"), "split"),
                        Map.entry(labels.get("final effusion"), "renamed"),
                        Map.entry(labels.get("final atelectasis"), "removed"),
                        Map.entry(labels.get("final opacity"), "merged"),
                        Map.entry(labels.get("final consolidation"), "merged"));
        assertThat(result.getParameter("affectedCount").getValue().primitiveValue()).isEqualTo("6");
    }

    @Test
    void describes_each_change_with_its_replacement_codes() {
        Parameters result =
                client.operation()
                        .onInstance(new IdType("CodeSystem", version2Id))
                        .named("$schema-impact")
                        .withParameter(Parameters.class, "fromVersion", new StringType("1.0.0"))
                        .andParameter("project", new StringType(project.reference()))
                        .useHttpGet()
                        .execute();

        Map<String, String> changes =
                result.getParameter().stream()
                        .filter(p -> p.getName().equals("change"))
                        .collect(
                                Collectors.toMap(
                                        p -> part(p, "code").getValue().primitiveValue(),
                                        p ->
                                                part(p, "type").getValue().primitiveValue()
                                                        + p.getPart().stream()
                                                                .filter(
                                                                        x ->
                                                                                x.getName()
                                                                                        .equals(
                                                                                                "target"))
                                                                .map(
                                                                        x ->
                                                                                " "
                                                                                        + x.getValue()
                                                                                                .primitiveValue())
                                                                .collect(Collectors.joining())));
        assertThat(changes)
                .containsOnly(
                        Map.entry("nodule", "split nodule-solid nodule-subsolid"),
                        Map.entry("effusion", "renamed"),
                        Map.entry("atelectasis", "removed"),
                        Map.entry("opacity", "merged airspace-disease"),
                        Map.entry("consolidation", "merged airspace-disease"),
                        Map.entry("nodule-solid", "added"),
                        Map.entry("nodule-subsolid", "added"),
                        Map.entry("airspace-disease", "added"),
                        Map.entry("pneumothorax", "added"));
        assertThat(affected(result)).hasSize(6);
    }

    @Test
    void an_unknown_version_is_a_404_and_a_missing_parameter_a_400() {
        HttpResponse<String> unknown =
                server.http()
                        .get(
                                "/fhir/CodeSystem/$schema-impact?url="
                                        + url
                                        + "&fromVersion=1.0.0&toVersion=9.9.9",
                                "application/fhir+json");
        HttpResponse<String> missing =
                server.http()
                        .get(
                                "/fhir/CodeSystem/$schema-impact?url=" + url + "&fromVersion=1.0.0",
                                "application/fhir+json");

        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.body()).contains("QUALITY-003").contains("9.9.9");
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(400);
        assertThat(missing.body()).contains("toVersion");
    }
}
