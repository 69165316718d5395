package org.quorum.dicom.store;

/**
 * A dataset could not be stored or read. The message is safe to show a client: it names the problem
 * (missing attribute, unreadable file), never a patient's value.
 */
public class DicomStoreException extends Exception {

    public DicomStoreException(String message) {
        super(message);
    }

    public DicomStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
