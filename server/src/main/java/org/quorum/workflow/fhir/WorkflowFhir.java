package org.quorum.workflow.fhir;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;
import org.quorum.quality.agreement.Estimate;
import org.quorum.quality.calibration.Calibration;
import org.quorum.quality.schema.SchemaImpact;
import org.quorum.workflow.CaseRouting;
import org.quorum.workflow.Reports;
import org.quorum.workflow.Route;
import org.quorum.workflow.Stages;
import org.quorum.workflow.skills.Member;
import org.quorum.workflow.skills.Qualification;

/** The workflow's answers as FHIR Parameters (names and parts: docs/workflow.md). */
final class WorkflowFhir {

    private WorkflowFhir() {}

    static Parameters opened(CaseRouting.Opened opened) {
        Parameters parameters = new Parameters();
        parameters.addParameter("opened", new IntegerType(opened.opened()));
        parameters.addParameter("alreadyOpen", new IntegerType(opened.alreadyOpen()));
        for (Map.Entry<Route, Integer> route : opened.routes().entrySet()) {
            ParametersParameterComponent part = parameters.addParameter().setName("route");
            part.addPart().setName("route").setValue(new CodeType(route.getKey().code()));
            part.addPart().setName("cases").setValue(new IntegerType(route.getValue()));
        }
        parameters.addParameter("goldItems", new IntegerType(opened.goldItems()));
        opened.calibrateTasks()
                .forEach(
                        t ->
                                parameters
                                        .addParameter()
                                        .setName("calibrateTask")
                                        .setValue(new Reference(t)));
        return parameters;
    }

    /** The answer of {@code $submit}, {@code $review}, {@code $adjudicate}. */
    static Parameters outcome(Stages.Outcome outcome) {
        Parameters parameters = new Parameters();
        parameters.addParameter().setName("task").setResource(outcome.task());
        parameters.addParameter("outcome", new CodeType(outcome.outcome()));
        for (Observation label : outcome.labels()) {
            parameters.addParameter().setName("label").setResource(label);
        }
        for (Observation label : outcome.finalLabels()) {
            parameters.addParameter().setName("finalLabel").setResource(label);
        }
        outcome.calibration().ifPresent(result -> calibration(parameters, result));
        return parameters;
    }

    private static void calibration(Parameters parameters, Calibration.Result result) {
        ParametersParameterComponent part = parameters.addParameter().setName("calibration");
        part.addPart().setName("items").setValue(new IntegerType(result.items()));
        estimate(part, "percentAgreement", result.percentAgreement());
        estimate(part, "cohenKappa", result.kappa());
        part.addPart().setName("threshold").setValue(new DecimalType(decimal(result.threshold())));
        part.addPart().setName("passed").setValue(new BooleanType(result.passed()));
        part.addPart()
                .setName("disagreements")
                .setValue(new IntegerType(result.disagreements().size()));
    }

    private static void estimate(ParametersParameterComponent parent, String name, Estimate e) {
        ParametersParameterComponent part = parent.addPart().setName(name);
        if (!e.defined()) {
            part.addPart()
                    .setName("undefined")
                    .setValue(new StringType(e.undefinedReason().orElse("undefined")));
            return;
        }
        part.addPart().setName("value").setValue(new DecimalType(decimal(e.value())));
        e.interval()
                .filter(i -> !Double.isNaN(i.lower()))
                .ifPresent(
                        i -> {
                            part.addPart()
                                    .setName("lower")
                                    .setValue(new DecimalType(decimal(i.lower())));
                            part.addPart()
                                    .setName("upper")
                                    .setValue(new DecimalType(decimal(i.upper())));
                            part.addPart()
                                    .setName("level")
                                    .setValue(new DecimalType(decimal(i.level())));
                        });
    }

    static Parameters routed(java.util.List<CaseRouting.Routed> routed) {
        Parameters parameters = new Parameters();
        for (CaseRouting.Routed r : routed) {
            ParametersParameterComponent part = parameters.addParameter().setName("label");
            part.addPart().setName("label").setValue(new Reference(r.label()));
            part.addPart().setName("source").setValue(new Reference(r.source()));
            r.route()
                    .ifPresent(
                            route ->
                                    part.addPart()
                                            .setName("route")
                                            .setValue(new CodeType(route.code())));
            part.addPart().setName("note").setValue(new StringType(r.note()));
        }
        return parameters;
    }

    static Parameters reEvaluation(CaseRouting.ReEvaluation reEvaluation) {
        SchemaImpact impact = reEvaluation.impact();
        Parameters parameters = new Parameters();
        parameters.addParameter().setName("system").setValue(new UriType(impact.system()));
        parameters.addParameter("fromVersion", new StringType(impact.fromVersion()));
        parameters.addParameter("toVersion", new StringType(impact.toVersion()));
        parameters.addParameter("affectedCount", new IntegerType(impact.affected().size()));
        parameters.addParameter("alreadyOpen", new IntegerType(reEvaluation.alreadyOpen()));
        reEvaluation
                .created()
                .forEach(t -> parameters.addParameter().setName("task").setValue(new Reference(t)));
        return parameters;
    }

    static Parameters matrix(Reports.Matrix matrix) {
        Parameters parameters = new Parameters();
        parameters
                .addParameter()
                .setName("project")
                .setValue(new Reference(matrix.project().reference()));
        parameters.addParameter().setName("date").setValue(new DateType(matrix.day().toString()));
        for (Member member : matrix.members()) {
            ParametersParameterComponent entry = parameters.addParameter().setName("member");
            entry.addPart().setName("practitionerRole").setValue(new Reference(member.role()));
            member.practitioner()
                    .ifPresent(
                            p ->
                                    entry.addPart()
                                            .setName("practitioner")
                                            .setValue(new Reference(p)));
            member.projectRoles()
                    .forEach(r -> entry.addPart().setName("projectRole").setValue(new CodeType(r)));
            for (Qualification q : member.qualifications()) {
                ParametersParameterComponent qualification =
                        entry.addPart().setName("qualification");
                qualification.addPart().setName("code").setValue(new StringType(q.code()));
                q.issuer()
                        .ifPresent(
                                i ->
                                        qualification
                                                .addPart()
                                                .setName("issuer")
                                                .setValue(new Reference(i)));
                qualification
                        .addPart()
                        .setName("start")
                        .setValue(new DateType(q.start().toString()));
                q.end()
                        .ifPresent(
                                e ->
                                        qualification
                                                .addPart()
                                                .setName("end")
                                                .setValue(new DateType(e.toString())));
                qualification
                        .addPart()
                        .setName("valid")
                        .setValue(new BooleanType(q.validOn(matrix.day())));
            }
            member.specialties()
                    .forEach(s -> entry.addPart().setName("specialty").setValue(new StringType(s)));
            for (Reports.Cell cell : matrix.cells()) {
                if (cell.member() != member) {
                    continue;
                }
                ParametersParameterComponent may = entry.addPart().setName("may");
                may.addPart().setName("stage").setValue(new CodeType(cell.stage().code()));
                cell.caseType()
                        .ifPresent(
                                t -> may.addPart().setName("caseType").setValue(new StringType(t)));
                may.addPart()
                        .setName("qualified")
                        .setValue(new BooleanType(cell.eligibility().qualified()));
                cell.eligibility()
                        .missing()
                        .forEach(m -> may.addPart().setName("missing").setValue(new StringType(m)));
                cell.eligibility()
                        .expired()
                        .forEach(m -> may.addPart().setName("expired").setValue(new StringType(m)));
                if (!cell.calibration().isEmpty()) {
                    may.addPart().setName("calibration").setValue(new CodeType(cell.calibration()));
                }
            }
        }
        return parameters;
    }

    static BigDecimal decimal(double value) {
        return new BigDecimal(value).round(new MathContext(12)).stripTrailingZeros();
    }
}
