package org.quorum.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.security.Role;
import org.quorum.testing.RunningServer;
import org.quorum.workflow.WorkflowFixture.Credential;

/**
 * Bad input to the workflow operations: each gets a 4xx with an OperationOutcome that says why, and
 * nothing changes (the task keeps its version, no label is stored).
 */
@ExtendWith(RunningServer.class)
class WorkflowBadInputIT {

    private static WorkflowFixture fx;
    private static final List<String> notes = new ArrayList<>();

    /** A's claimed, open annotate task. */
    private static Task open;

    @BeforeAll
    static void project(RunningServer server) {
        fx = new WorkflowFixture(server);
        for (int i = 0; i < 4; i++) {
            notes.add(fx.note());
        }
        fx.study(
                notes,
                Map.of(
                        "annotatorsPerCase",
                        new PositiveIntType(1),
                        "maxOpenPerAnnotator",
                        new PositiveIntType(1)));
        fx.require("annotate", WorkflowFixture.LICENCE, WorkflowFixture.MD, null);
        Credential licence =
                new Credential(WorkflowFixture.LICENCE, WorkflowFixture.MD, "2020-01-01", null);
        fx.member("A", "annotator", Role.ANNOTATOR, licence);
        fx.member("B", "annotator", Role.ANNOTATOR, licence);
        fx.member("R", "reviewer", Role.REVIEWER, licence);
        fx.member("J", "adjudicator", Role.ADJUDICATOR, licence);
        fx.member(
                "X",
                "annotator",
                Role.ANNOTATOR,
                new Credential(
                        WorkflowFixture.LICENCE, WorkflowFixture.MD, "2010-01-01", "2015-12-31"));
        HttpResponse<String> opened =
                fx.post(fx.server.http(), "/fhir/" + fx.project + "/$open-cases", new Parameters());
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
        HttpResponse<String> claimed = fx.nextCase("A", null);
        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
        open = fx.task(claimed);
    }

    private static String openTask() {
        return "Task/" + open.getIdElement().getIdPart();
    }

    /** Asserts the status and that the OperationOutcome's diagnostics contain every fragment. */
    private static void refused(HttpResponse<String> response, int status, String... fragments) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        OperationOutcome outcome = fx.json.parseResource(OperationOutcome.class, response.body());
        String diagnostics = outcome.getIssueFirstRep().getDiagnostics();
        for (String fragment : fragments) {
            assertThat(diagnostics).contains(fragment);
        }
    }

    private static void unchanged() {
        Task now = fx.read(Task.class, openTask());
        assertThat(now.getStatus()).isEqualTo(Task.TaskStatus.INPROGRESS);
        assertThat(now.getMeta().getVersionId()).isEqualTo(open.getMeta().getVersionId());
        assertThat(
                        fx.all(
                                Observation.class,
                                "derived-from=" + WorkflowFixture.ref(open.getFocus())))
                .isEmpty();
    }

    @Test
    void submitting_to_someone_elses_task_is_refused() {
        refused(
                fx.submit("B", openTask(), fx.label("normal")),
                403,
                "WORKFLOW-006",
                "is not assigned to " + fx.members.get("B"));
        unchanged();
    }

    @Test
    void a_code_outside_the_schema_version_is_refused_naming_the_allowed_codes() {
        refused(
                fx.submit("A", openTask(), fx.label("fracture")),
                422,
                "WORKFLOW-013",
                "'fracture'",
                "allowed: effusion, normal, pneumonia");
        Observation otherVersion = fx.label("normal");
        otherVersion.getCode().getCodingFirstRep().setVersion("0.9.0");
        refused(
                fx.submit("A", openTask(), otherVersion),
                422,
                "WORKFLOW-013",
                "version 0.9.0",
                "version 1.0.0");
        Observation otherSchema = new Observation();
        otherSchema.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("60046008");
        refused(
                fx.submit("A", openTask(), otherSchema),
                422,
                "WORKFLOW-013",
                "0 codings of the label schema");
        unchanged();
    }

    @Test
    void a_final_label_from_an_annotator_or_one_about_another_case_is_refused() {
        Observation finalLabel = fx.label("normal");
        finalLabel.setStatus(Observation.ObservationStatus.FINAL);
        refused(
                fx.submit("A", openTask(), finalLabel),
                422,
                "WORKFLOW-012",
                "status final",
                "only by a review or adjudication");
        Observation elsewhere = fx.label("normal");
        String other =
                notes.stream()
                        .filter(n -> !n.equals(WorkflowFixture.ref(open.getFocus())))
                        .findFirst()
                        .orElseThrow();
        elsewhere.addDerivedFrom(new Reference(other));
        refused(fx.submit("A", openTask(), elsewhere), 422, "WORKFLOW-012", "derivedFrom " + other);
        refused(fx.submit("A", openTask()), 400, "WORKFLOW-004", "'label' is required");
        unchanged();
    }

    @Test
    void review_and_adjudication_operations_on_an_annotation_task_are_refused() {
        refused(fx.review("R", openTask(), "accept", null), 403, "WORKFLOW-006");
        refused(fx.review("A", openTask(), "accept", null), 403, "$review");
        unchanged();
    }

    @Test
    void an_unqualified_clinician_and_one_off_the_roster_get_no_case() {
        refused(fx.nextCase("X", null), 403, "WORKFLOW-008", "may not annotate", "not valid today");
        String stranger =
                fx.server.token(
                        "wf-stranger",
                        java.util.Set.of(Role.ANNOTATOR),
                        WorkflowFixture.SCOPES,
                        java.util.Optional.of("PractitionerRole/" + Long.MAX_VALUE),
                        java.util.Set.of());
        refused(
                fx.post(
                        fx.server.http(stranger),
                        "/fhir/" + fx.project + "/$next-case",
                        new Parameters()),
                403,
                "WORKFLOW-005",
                "not on the roster");
        String noUser =
                fx.server.token(
                        "wf-nouser",
                        java.util.Set.of(Role.ANNOTATOR),
                        WorkflowFixture.SCOPES,
                        java.util.Optional.empty(),
                        java.util.Set.of());
        refused(
                fx.post(
                        fx.server.http(noUser),
                        "/fhir/" + fx.project + "/$next-case",
                        new Parameters()),
                403,
                "names no PractitionerRole");
        refused(fx.nextCase("A", "adjudicate"), 403, "WORKFLOW-015");
        refused(fx.nextCase("A", "triage"), 400, "WORKFLOW-004", "'triage'");
    }

    @Test
    void a_second_claim_over_the_projects_limit_is_refused() {
        refused(fx.nextCase("A", null), 409, "WORKFLOW-011", openTask(), "maxOpenPerAnnotator 1");
        unchanged();
    }

    @Test
    void unknown_projects_and_tasks_are_404() {
        refused(
                fx.post(
                        fx.server.http(),
                        "/fhir/ResearchStudy/wf-no-such-project/$open-cases",
                        new Parameters()),
                404,
                "ResearchStudy/wf-no-such-project");
        refused(fx.submit("A", "Task/wf-no-such-task", fx.label("normal")), 404, "WORKFLOW-002");
    }

    @Test
    void a_project_without_a_review_policy_cannot_be_opened() {
        String bare =
                fx.create(new ResearchStudy().setStatus(ResearchStudy.ResearchStudyStatus.ACTIVE));
        refused(
                fx.post(fx.server.http(), "/fhir/" + bare + "/$open-cases", new Parameters()),
                422,
                "WORKFLOW-003",
                "quorum-review-policy");
        assertThat(fx.all(Task.class, "project=" + bare)).isEmpty();
    }

    @Test
    void decisions_need_their_comment_and_closed_tasks_take_nothing() {
        // B labels a case; R claims its review.
        HttpResponse<String> claimed = fx.nextCase("B", null);
        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
        String annotate = "Task/" + fx.task(claimed).getIdElement().getIdPart();
        assertThat(fx.submit("B", annotate, fx.label("pneumonia")).statusCode()).isEqualTo(200);
        refused(
                fx.submit("B", annotate, fx.label("pneumonia")),
                409,
                "WORKFLOW-007",
                "is completed");
        HttpResponse<String> review = fx.nextCase("R", "review");
        assertThat(review.statusCode()).as(review.body()).isEqualTo(200);
        Task reviewTask = fx.task(review);
        String id = "Task/" + reviewTask.getIdElement().getIdPart();

        refused(
                fx.review("R", id, "reject", null),
                400,
                "WORKFLOW-004",
                "'comment' is required when you reject");
        refused(fx.review("R", id, "modify", "  "), 400, "'comment' is required when you modify");
        refused(fx.review("R", id, "modify", "wrong class"), 400, "needs the corrected label");
        refused(fx.review("R", id, "approve", "ok"), 400, "'approve'", "accept, modify or reject");
        refused(
                fx.review("R", id, "accept", null, fx.label("normal")),
                400,
                "goes with decision modify only");
        Task still = fx.read(Task.class, id);
        assertThat(still.getStatus()).isEqualTo(Task.TaskStatus.INPROGRESS);
        assertThat(still.getMeta().getVersionId()).isEqualTo(reviewTask.getMeta().getVersionId());
        assertThat(fx.all(Observation.class, "project=" + fx.project + "&status=final")).isEmpty();

        // A cancelled task takes nothing either.
        still.setStatus(Task.TaskStatus.CANCELLED);
        fx.admin.update().resource(still).execute();
        refused(fx.review("R", id, "accept", null), 409, "WORKFLOW-007", "is cancelled");
    }

    @Test
    void adjudication_is_for_the_adjudicator_of_the_task() {
        Parameters request = new Parameters();
        request.addParameter().setName("chosen").setValue(new Reference("Observation/1"));
        request.addParameter("rationale", new org.hl7.fhir.r4.model.StringType("because"));
        refused(
                fx.post(fx.as("J"), "/fhir/" + openTask() + "/$adjudicate", request),
                403,
                "WORKFLOW-006");
        refused(fx.adjudicate("A", openTask(), "Observation/1", "because"), 403, "$adjudicate");
        unchanged();
    }
}
