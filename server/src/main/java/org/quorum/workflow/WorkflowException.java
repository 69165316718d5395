package org.quorum.workflow;

/**
 * A workflow request that cannot be carried out, with a stable code and the HTTP status it maps to.
 * The FHIR operations translate it in one place ({@code workflow.fhir.WorkflowErrors}) into an
 * OperationOutcome. Messages say what was wrong and what to do, and never carry label content or
 * patient data.
 */
public final class WorkflowException extends RuntimeException {

    /** What went wrong; the code appears in every message. */
    public enum Problem {
        /** No such ResearchStudy. */
        UNKNOWN_PROJECT("WORKFLOW-001", 404),
        /** No such Task, or it is not a review task of a project. */
        UNKNOWN_TASK("WORKFLOW-002", 404),
        /** The project's review policy is missing or has a bad value. */
        BAD_POLICY("WORKFLOW-003", 422),
        /** A parameter is missing or has a value the operation does not accept. */
        BAD_PARAMETER("WORKFLOW-004", 400),
        /** The caller is not a member of the project (no PractitionerRole on its roster). */
        NOT_ON_ROSTER("WORKFLOW-005", 403),
        /** The Task is owned by someone else. */
        NOT_YOUR_TASK("WORKFLOW-006", 403),
        /** The Task is completed, cancelled or otherwise not open for this action. */
        TASK_CLOSED("WORKFLOW-007", 409),
        /** The caller lacks a qualification the stage requires (missing or expired today). */
        NOT_QUALIFIED("WORKFLOW-008", 403),
        /** The caller has not passed the project's calibration. */
        NOT_CALIBRATED("WORKFLOW-009", 403),
        /** The caller is paused: their agreement with the gold items fell below the threshold. */
        PAUSED("WORKFLOW-010", 403),
        /** The caller holds as many open tasks (or cases) as the project allows. */
        CAP_REACHED("WORKFLOW-011", 409),
        /** A submitted label is not acceptable (wrong source, status, performer, shape). */
        INVALID_LABEL("WORKFLOW-012", 422),
        /** A submitted label's code is not in the project's label schema version. */
        CODE_NOT_IN_SCHEMA("WORKFLOW-013", 422),
        /** The operation does not apply to this kind of task (e.g. $review on an annotate task). */
        WRONG_STAGE("WORKFLOW-014", 409),
        /** The token's roles do not allow this stage. */
        ROLE_NOT_ALLOWED("WORKFLOW-015", 403),
        /** Concurrent changes to the same case did not settle; the request can be repeated. */
        BUSY("WORKFLOW-016", 409);

        private final String code;
        private final int httpStatus;

        Problem(String code, int httpStatus) {
            this.code = code;
            this.httpStatus = httpStatus;
        }

        public String code() {
            return code;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Problem problem;

    public WorkflowException(Problem problem, String message) {
        super(problem.code() + ": " + message);
        this.problem = problem;
    }

    public WorkflowException(Problem problem, String message, Throwable cause) {
        super(problem.code() + ": " + message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
