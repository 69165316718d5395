package org.quorum.dicom.store;

/** A QIDO-RS query that cannot be run as asked: the message names the bad key or value. */
public class InvalidDicomQueryException extends DicomStoreException {

    public InvalidDicomQueryException(String message) {
        super(message);
    }
}
