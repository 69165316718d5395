package org.quorum.dicom.store;

/** Told when instances of a study were stored (the FHIR ImagingStudy mirror listens). */
public interface StudyObserver {

    /**
     * Called after the instances are indexed, once per study and store call. The observer may act
     * later (after the caller's transaction commits).
     */
    void studyChanged(String studyInstanceUid);

    /**
     * Like {@link #studyChanged}, for a caller that needs the observer's work done when this
     * returns (in the caller's transaction when there is one).
     */
    default void studyChangedNow(String studyInstanceUid) {
        studyChanged(studyInstanceUid);
    }
}
