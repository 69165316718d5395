package org.quorum.dicom.store;

/** Told when instances of a study were stored (the FHIR ImagingStudy mirror listens). */
@FunctionalInterface
public interface StudyObserver {

    /** Called after the instances are stored and indexed, once per study and store call. */
    void studyChanged(String studyInstanceUid);
}
