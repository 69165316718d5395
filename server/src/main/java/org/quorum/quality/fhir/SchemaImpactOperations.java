package org.quorum.quality.fhir;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;
import org.quorum.quality.QualityException;
import org.quorum.quality.QualityService;
import org.quorum.quality.schema.SchemaChange;
import org.quorum.quality.schema.SchemaImpact;

/**
 * {@code $schema-impact} on CodeSystem: what a new version of a label schema changes and which
 * final labels it affects.
 *
 * <ul>
 *   <li>{@code GET /fhir/CodeSystem/$schema-impact?url=…&fromVersion=1.0.0&toVersion=2.0.0}
 *   <li>{@code GET /fhir/CodeSystem/{id}/$schema-impact?fromVersion=1.0.0}: {@code {id}} is the new
 *       version
 * </ul>
 *
 * Optional {@code project} ({@code ResearchStudy/…} or its id) limits the labels to one project.
 * The answer is a Parameters resource: {@code change} parts (type, code, display, newDisplay,
 * target*) and {@code affectedLabel} parts (label, project, subject, code, change), and {@code
 * affectedCount}.
 */
public final class SchemaImpactOperations {

    private final QualityService quality;

    public SchemaImpactOperations(QualityService quality) {
        this.quality = quality;
    }

    @Operation(name = "$schema-impact", idempotent = true, type = CodeSystem.class)
    public Parameters impact(
            @OperationParam(name = "url", min = 1, max = 1) UriType url,
            @OperationParam(name = "fromVersion", min = 1, max = 1) StringType fromVersion,
            @OperationParam(name = "toVersion", min = 1, max = 1) StringType toVersion,
            @OperationParam(name = "project", max = 1) StringType project) {
        return ProjectQualityOperations.call(
                () ->
                        toFhir(
                                quality.schemaImpact(
                                        required("url", url, "https://example.org/CodeSystem/x"),
                                        required("fromVersion", fromVersion, "1.0.0"),
                                        required("toVersion", toVersion, "2.0.0"),
                                        projectId(project))));
    }

    @Operation(name = "$schema-impact", idempotent = true, type = CodeSystem.class)
    public Parameters impactOf(
            @IdParam IIdType codeSystem,
            @OperationParam(name = "fromVersion", min = 1, max = 1) StringType fromVersion,
            @OperationParam(name = "project", max = 1) StringType project) {
        return ProjectQualityOperations.call(
                () ->
                        toFhir(
                                quality.schemaImpactOf(
                                        codeSystem.getIdPart(),
                                        required("fromVersion", fromVersion, "1.0.0"),
                                        projectId(project))));
    }

    private static String required(
            String name, org.hl7.fhir.r4.model.PrimitiveType<?> value, String example) {
        return ProjectQualityOperations.text(value)
                .orElseThrow(() -> QualityException.missingParameter(name, example));
    }

    private static Optional<String> projectId(StringType project) {
        return ProjectQualityOperations.text(project)
                .map(p -> p.startsWith("ResearchStudy/") ? p.substring(14) : p);
    }

    static Parameters toFhir(SchemaImpact impact) {
        Parameters parameters = new Parameters();
        parameters.addParameter().setName("system").setValue(new UriType(impact.system()));
        parameters
                .addParameter()
                .setName("fromVersion")
                .setValue(new StringType(impact.fromVersion()));
        parameters.addParameter().setName("toVersion").setValue(new StringType(impact.toVersion()));
        impact.project()
                .ifPresent(
                        p ->
                                parameters
                                        .addParameter()
                                        .setName("project")
                                        .setValue(new Reference(p.reference())));
        for (SchemaChange change : impact.changes()) {
            Parameters.ParametersParameterComponent part =
                    parameters.addParameter().setName("change");
            part.addPart().setName("type").setValue(new CodeType(change.type().code()));
            part.addPart().setName("code").setValue(new CodeType(change.code()));
            if (change.display() != null) {
                part.addPart().setName("display").setValue(new StringType(change.display()));
            }
            if (change.newDisplay() != null) {
                part.addPart().setName("newDisplay").setValue(new StringType(change.newDisplay()));
            }
            change.targets()
                    .forEach(t -> part.addPart().setName("target").setValue(new CodeType(t)));
        }
        for (SchemaImpact.AffectedLabel label : impact.affected()) {
            Parameters.ParametersParameterComponent part =
                    parameters.addParameter().setName("affectedLabel");
            part.addPart().setName("label").setValue(new Reference(label.label()));
            if (label.project() != null) {
                part.addPart().setName("project").setValue(new Reference(label.project()));
            }
            if (label.subject() != null) {
                part.addPart().setName("subject").setValue(new Reference(label.subject()));
            }
            part.addPart().setName("code").setValue(new CodeType(label.code()));
            part.addPart().setName("change").setValue(new CodeType(label.change().type().code()));
        }
        parameters
                .addParameter()
                .setName("affectedCount")
                .setValue(new IntegerType(impact.affected().size()));
        return parameters;
    }
}
