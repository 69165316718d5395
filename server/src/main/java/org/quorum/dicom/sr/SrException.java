package org.quorum.dicom.sr;

/**
 * A label cannot become a Structured Report, with a stable code. The message is safe to show a
 * client: it names the problem (missing image region, image not stored), never a patient's value.
 * The FHIR adapter translates it in one place ({@code org.quorum.dicom.sr.fhir.SrErrors}).
 */
public final class SrException extends RuntimeException {

    /** What went wrong; the code is stable and appears in every message. */
    public enum Problem {
        /** The label cannot be turned into an SR (no image region, bad coordinates...): 422. */
        UNMAPPABLE_LABEL("DICOM-SR-001", 422),
        /** The source image the label points at is not in the DICOM store: 404. */
        SOURCE_IMAGE_NOT_STORED("DICOM-SR-002", 404),
        /** No label (Observation) with that id: 404. */
        UNKNOWN_LABEL("DICOM-SR-003", 404),
        /** The DICOM store failed to read or store: 500 (the cause is logged, not shown). */
        STORE_FAILED("DICOM-SR-004", 500),
        /** PixelMed refused to build the dataset: 500. */
        BUILD_FAILED("DICOM-SR-005", 500);

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

    public SrException(Problem problem, String message) {
        super(problem.code() + ": " + message);
        this.problem = problem;
    }

    public SrException(Problem problem, String message, Throwable cause) {
        super(problem.code() + ": " + message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    static SrException unmappable(String message) {
        return new SrException(Problem.UNMAPPABLE_LABEL, message);
    }
}
