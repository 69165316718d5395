package org.quorum.quality;

/**
 * A request the quality capability cannot answer, with a stable code. The transports translate it
 * in one place each: the FHIR operations to an OperationOutcome with the matching HTTP status
 * ({@code org.quorum.quality.fhir.QualityErrors}), the report page to a plain-text error.
 */
public final class QualityException extends RuntimeException {

    /** What went wrong; the code is stable and appears in every message. */
    public enum Problem {
        /** No ResearchStudy with that id: HTTP 404. */
        UNKNOWN_PROJECT("QUALITY-001", 404),
        /** A parameter has a value the operation does not accept: HTTP 400. */
        BAD_PARAMETER("QUALITY-002", 400),
        /** A label-schema version (CodeSystem url + version) is not stored: HTTP 404. */
        UNKNOWN_SCHEMA_VERSION("QUALITY-003", 404),
        /** The ratings cannot be analysed as asked (e.g. interval level on non-numeric codes). */
        UNANALYSABLE_RATINGS("QUALITY-004", 422);

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

    public QualityException(Problem problem, String message) {
        super(problem.code() + ": " + message);
        this.problem = problem;
    }

    public QualityException(Problem problem, String message, Throwable cause) {
        super(problem.code() + ": " + message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    /** A {@link Problem#BAD_PARAMETER} for a required parameter that is missing. */
    public static QualityException missingParameter(String name, String example) {
        return new QualityException(
                Problem.BAD_PARAMETER,
                "parameter '" + name + "' is required, e.g. " + name + "=" + example);
    }

    /** A {@link Problem#BAD_PARAMETER} naming the parameter, the value and what is allowed. */
    public static QualityException badParameter(String name, Object value, String allowed) {
        return new QualityException(
                Problem.BAD_PARAMETER,
                "parameter '" + name + "' has the value '" + value + "'; " + allowed);
    }
}
