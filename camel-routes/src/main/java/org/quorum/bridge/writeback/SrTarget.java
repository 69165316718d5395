package org.quorum.bridge.writeback;

import java.util.Optional;

/**
 * A PACS the SR write-back stores into: by STOW-RS ({@link DicomWebSrTarget}) or by C-STORE ({@link
 * DimseSrTarget}). The write-back's rules (which labels, exactly once, re-identification, dead
 * letters) are in {@link PacsSrWriteBackService}; a target only reads the original study, stores
 * and confirms.
 */
interface SrTarget {

    /**
     * The Patient and General Study attributes of the original study, as the PACS holds them (PS3.3
     * C.7.1.1, C.7.2.1); empty strings where the PACS has no value.
     */
    record OriginalStudy(
            String patientName,
            String patientId,
            String patientBirthDate,
            String patientSex,
            String studyDate,
            String studyTime,
            String accessionNumber,
            String studyId,
            String referringPhysicianName) {}

    /** The PACS as the crosswalk names the source of what was pulled from it, and as shown. */
    String name();

    /** The original study, empty when the PACS does not hold it. */
    Optional<OriginalStudy> study(String studyUid);

    /**
     * Stores the re-identified SR.
     *
     * @throws PacsSrWriteBackService.CannotWriteBack when the PACS refuses it
     */
    void store(String sopInstanceUid, byte[] part10) throws PacsSrWriteBackService.CannotWriteBack;

    /** Whether the PACS lists the instance in the study (QIDO-RS, C-FIND at IMAGE level). */
    boolean lists(String studyUid, String seriesUid, String sopInstanceUid);
}
