package org.quorum.dicom.web;

/**
 * A DICOMweb request that is answered with an HTTP error status and a short reason (PS3.18 §8.6);
 * translated to the wire in one place, {@link DicomWebExceptionMapper}.
 */
public class DicomWebException extends RuntimeException {

    private final int status;

    public DicomWebException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static DicomWebException badRequest(String reason) {
        return new DicomWebException(400, reason);
    }

    static DicomWebException forbidden(String reason) {
        return new DicomWebException(403, reason);
    }

    static DicomWebException notFound(String reason) {
        return new DicomWebException(404, reason);
    }

    static DicomWebException notAcceptable(String reason) {
        return new DicomWebException(406, reason);
    }

    static DicomWebException payloadTooLarge(String reason) {
        return new DicomWebException(413, reason);
    }

    static DicomWebException unsupportedMediaType(String reason) {
        return new DicomWebException(415, reason);
    }
}
