package org.quorum.dicom.store;

/**
 * A SOP instance that is already stored with different content: DICOM SOP Instance UIDs are unique,
 * so the second dataset is refused rather than silently replacing the first (PS3.4 C.4.2.1.4 status
 * 0111H, "Duplicate SOP Instance").
 */
public class DicomConflictException extends DicomStoreException {

    public DicomConflictException(String message) {
        super(message);
    }
}
