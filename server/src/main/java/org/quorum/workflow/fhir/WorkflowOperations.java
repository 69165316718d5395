package org.quorum.workflow.fhir;

import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.quorum.labels.LabelReadModel;
import org.quorum.security.QuorumPrincipal;
import org.quorum.security.Role;
import org.quorum.security.fhir.Principals;
import org.quorum.workflow.Caller;
import org.quorum.workflow.WorkflowException;
import org.quorum.workflow.WorkflowService;

/**
 * The workflow's FHIR operations, thin: parse, call {@link WorkflowService} once, map the answer.
 * Requests and answers: docs/workflow.md.
 *
 * <ul>
 *   <li>{@code POST ResearchStudy/{id}/$open-cases}, {@code $next-case}, {@code $submit} (AI
 *       labels), {@code $re-evaluate}; {@code GET|POST ResearchStudy/{id}/$skills-matrix}, {@code
 *       $automation-bias}, {@code $work-report};
 *   <li>{@code POST Task/{id}/$submit}, {@code $review}, {@code $adjudicate}.
 * </ul>
 */
public final class WorkflowOperations {

    private final WorkflowService workflow;

    public WorkflowOperations(WorkflowService workflow) {
        this.workflow = workflow;
    }

    @Operation(name = "$open-cases", type = ResearchStudy.class, idempotent = false)
    public Parameters openCases(@IdParam IIdType project) {
        return WorkflowErrors.call(
                () -> WorkflowFhir.opened(workflow.openCases(project.getIdPart())));
    }

    @Operation(name = "$skills-matrix", type = ResearchStudy.class, idempotent = true)
    public Parameters skillsMatrix(
            @IdParam IIdType project, @OperationParam(name = "date", max = 1) DateType date) {
        return WorkflowErrors.call(
                () ->
                        WorkflowFhir.matrix(
                                workflow.skillsMatrix(
                                        project.getIdPart(),
                                        Optional.ofNullable(date)
                                                .filter(d -> d.getValue() != null)
                                                .map(
                                                        d ->
                                                                LocalDate.of(
                                                                        d.getYear(),
                                                                        d.getMonth() + 1,
                                                                        d.getDay())))));
    }

    /**
     * Claims the next task: 200 with the Task, or 204 No Content when there is none for the caller.
     * The response is written here (manualResponse): HAPI answers an operation that returns no
     * resource with 404, which would say the project does not exist.
     */
    @Operation(
            name = "$next-case",
            type = ResearchStudy.class,
            idempotent = false,
            manualResponse = true)
    public void nextCase(
            @IdParam IIdType project,
            @OperationParam(name = "stage", max = 1) CodeType stage,
            ServletRequestDetails request)
            throws IOException {
        Caller caller = caller(request);
        Optional<Task> task =
                WorkflowErrors.call(
                        () ->
                                workflow.nextCase(
                                        project.getIdPart(),
                                        caller,
                                        Optional.ofNullable(stage).map(CodeType::getValue)));
        HttpServletResponse response = request.getServletResponse();
        if (task.isEmpty()) {
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        String accept = Optional.ofNullable(request.getHeader("Accept")).orElse("");
        boolean xml = accept.contains("xml") && !accept.contains("json");
        IParser parser =
                xml
                        ? request.getFhirContext().newXmlParser()
                        : request.getFhirContext().newJsonParser();
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(
                (xml ? Constants.CT_FHIR_XML_NEW : Constants.CT_FHIR_JSON_NEW) + ";charset=UTF-8");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(parser.encodeResourceToString(task.get()));
        response.getWriter().flush();
    }

    /** AI pre-labels for the project (integration clients, project admins). */
    @Operation(name = "$submit", type = ResearchStudy.class, idempotent = false)
    public Parameters submitAi(
            @IdParam IIdType project,
            @OperationParam(name = "label", max = OperationParam.MAX_UNLIMITED)
                    List<IBaseResource> labels,
            RequestDetails request) {
        Caller caller = caller(request);
        if (!caller.has(Role.INTEGRATION) && !caller.has(Role.PROJECT_ADMIN)) {
            throw new ForbiddenOperationException(
                    "Access denied: AI labels are loaded by integration clients and project"
                            + " admins");
        }
        return WorkflowErrors.call(
                () ->
                        WorkflowFhir.routed(
                                workflow.submitAiLabels(
                                        project.getIdPart(), labels == null ? List.of() : labels)));
    }

    @Operation(name = "$re-evaluate", type = ResearchStudy.class, idempotent = false)
    public Parameters reEvaluate(
            @IdParam IIdType project,
            @OperationParam(name = "toVersion", min = 1, max = 1) StringType toVersion,
            @OperationParam(name = "fromVersion", max = 1) StringType fromVersion) {
        return WorkflowErrors.call(
                () ->
                        WorkflowFhir.reEvaluation(
                                workflow.reEvaluate(
                                        project.getIdPart(),
                                        required("toVersion", toVersion),
                                        text(fromVersion))));
    }

    @Operation(name = "$automation-bias", type = ResearchStudy.class, idempotent = true)
    public MeasureReport automationBias(@IdParam IIdType project) {
        return WorkflowErrors.call(
                () ->
                        WorkflowMeasureReports.automationBias(
                                workflow.automationBias(project.getIdPart()),
                                "ResearchStudy/" + project.getIdPart(),
                                workflow.clock()));
    }

    @Operation(name = "$work-report", type = ResearchStudy.class, idempotent = true)
    public MeasureReport workReport(@IdParam IIdType project) {
        return WorkflowErrors.call(
                () ->
                        WorkflowMeasureReports.work(
                                workflow.workReport(project.getIdPart()), workflow.clock()));
    }

    @Operation(name = "$submit", type = Task.class, idempotent = false)
    public Parameters submit(
            @IdParam IIdType task,
            @OperationParam(name = "label", max = OperationParam.MAX_UNLIMITED)
                    List<IBaseResource> labels,
            RequestDetails request) {
        Caller caller = caller(request);
        return WorkflowErrors.call(
                () ->
                        WorkflowFhir.outcome(
                                workflow.submit(
                                        task.getIdPart(),
                                        caller,
                                        labels == null ? List.of() : labels)));
    }

    @Operation(name = "$review", type = Task.class, idempotent = false)
    public Parameters review(
            @IdParam IIdType task,
            @OperationParam(name = "decision", max = 1) CodeType decision,
            @OperationParam(name = "comment", max = 1) StringType comment,
            @OperationParam(name = "label", max = OperationParam.MAX_UNLIMITED)
                    List<IBaseResource> labels,
            RequestDetails request) {
        Caller caller = caller(request);
        return WorkflowErrors.call(
                () ->
                        WorkflowFhir.outcome(
                                workflow.review(
                                        task.getIdPart(),
                                        caller,
                                        decision == null ? null : decision.getValue(),
                                        text(comment),
                                        labels == null ? List.of() : labels)));
    }

    @Operation(name = "$adjudicate", type = Task.class, idempotent = false)
    public Parameters adjudicate(
            @IdParam IIdType task,
            @OperationParam(name = "chosen", max = OperationParam.MAX_UNLIMITED)
                    List<Reference> chosen,
            @OperationParam(name = "label", max = OperationParam.MAX_UNLIMITED)
                    List<IBaseResource> labels,
            @OperationParam(name = "rationale", max = 1) StringType rationale,
            RequestDetails request) {
        Caller caller = caller(request);
        return WorkflowErrors.call(
                () ->
                        WorkflowFhir.outcome(
                                workflow.adjudicate(
                                        task.getIdPart(),
                                        caller,
                                        chosen == null
                                                ? List.of()
                                                : chosen.stream()
                                                        .map(LabelReadModel::relative)
                                                        .filter(r -> r != null)
                                                        .toList(),
                                        labels == null ? List.of() : labels,
                                        text(rationale))));
    }

    private static Caller caller(RequestDetails request) {
        QuorumPrincipal principal =
                Principals.of(request)
                        .orElseThrow(
                                () ->
                                        new ForbiddenOperationException(
                                                "Access denied: the request is not"
                                                        + " authenticated"));
        return new Caller(principal.subject(), principal.fhirUser(), principal.roles());
    }

    private static Optional<String> text(StringType value) {
        return Optional.ofNullable(value)
                .map(StringType::getValue)
                .map(String::trim)
                .filter(v -> !v.isEmpty());
    }

    private static String required(String name, StringType value) {
        return text(value)
                .orElseThrow(
                        () ->
                                new WorkflowException(
                                        WorkflowException.Problem.BAD_PARAMETER,
                                        "parameter '" + name + "' is required, e.g. 2.0.0"));
    }

    static LocalDate utc(java.util.Date date) {
        return date.toInstant().atZone(ZoneOffset.UTC).toLocalDate();
    }
}
