package org.quorum.bridge.pacs;

import java.util.List;

/**
 * Where a PACS route reads studies from, e.g. DICOMweb ({@link DicomWebSource}). The pull's rules
 * (window, ledger, de-identification, quarantine, delivery) are in {@link PacsPullService}; a
 * source only finds and fetches.
 */
public interface PacsSource {

    /** A study found, with the number of instances the PACS announces (-1 when it does not say). */
    record Study(String studyUid, int announcedInstances) {}

    /** One instance of a study. */
    record Locator(String study, String series, String sop) {}

    /** What the crosswalk records as the originals' source, e.g. the DICOMweb root. */
    String name();

    /**
     * Studies with a Study Date in the window.
     *
     * @param window a DICOM date range {@code YYYYMMDD-YYYYMMDD}
     * @param modality a Modality in Study, or empty for every study
     * @param accession an Accession Number (matched exactly: the caller passes no wildcard), or
     *     empty for any
     */
    List<Study> findStudies(String window, String modality, String accession);

    /** Every instance of a study. */
    List<Locator> instancesOf(String study);

    /** The Part 10 bytes of an instance, in the transfer syntax the PACS holds it in. */
    byte[] retrieve(Locator locator);
}
