package org.quorum.dicom.store;

import java.util.Optional;

/**
 * What became of one dataset given to {@link DicomStore#storeAll}: stored (or already stored with
 * the same content), or failed with a DICOM failure reason (PS3.18 §10.5.3, PS3.4 Annex C.4.2.1.4)
 * and a message safe to show the sender.
 */
public sealed interface StoreOutcome {

    record Stored(DicomInstances.StoredInstance instance) implements StoreOutcome {}

    record Failed(
            Optional<String> sopClassUid,
            Optional<String> sopInstanceUid,
            int failureReason,
            String message)
            implements StoreOutcome {}

    /** 0111H: the SOP Instance is already stored with other content. */
    int DUPLICATE_SOP_INSTANCE = 0x0111;

    /** C000H: the dataset cannot be understood (not Part 10, unreadable, required UID missing). */
    int CANNOT_UNDERSTAND = 0xC000;

    /** A900H: the dataset does not belong where it was sent (other study than the URL's). */
    int STUDY_MISMATCH = 0xA900;

    /** A700H: the server could not write it (disk, database). */
    int OUT_OF_RESOURCES = 0xA700;
}
