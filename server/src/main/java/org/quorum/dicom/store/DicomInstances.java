package org.quorum.dicom.store;

import com.pixelmed.dicom.AttributeList;
import java.util.Optional;

/**
 * The DICOM instances Quorum keeps, as the other capabilities see them: the SR service reads source
 * images and stores the reports it makes; the DICOMweb resources and the PACS routes store what
 * arrives. Implemented by the DICOM store (Part 10 files under the data directory plus an index in
 * the server's database); storing is idempotent per SOP Instance UID.
 */
public interface DicomInstances {

    /** The stored instance's dataset (without pixel data is not promised), if it is stored. */
    Optional<AttributeList> read(String sopInstanceUid) throws DicomStoreException;

    /** Where a stored instance lives, if it is stored. */
    Optional<StoredInstance> find(String sopInstanceUid) throws DicomStoreException;

    /**
     * Stores one dataset (a Part 10 meta header is made when it has none); a SOP instance already
     * stored is not stored twice ({@link StoredInstance#alreadyStored()}). The FHIR ImagingStudy of
     * its study is created or updated.
     */
    StoredInstance store(AttributeList dataset) throws DicomStoreException;

    /** One stored instance's identity. */
    record StoredInstance(
            String studyInstanceUid,
            String seriesInstanceUid,
            String sopInstanceUid,
            String sopClassUid,
            boolean alreadyStored) {}
}
