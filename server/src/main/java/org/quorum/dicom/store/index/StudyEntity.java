package org.quorum.dicom.store.index;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One stored study with its patient: the DICOM patient and general study modules' attributes
 * QIDO-RS matches on and returns (PS3.18 §10.6.1.2.1, Table 10.6.1-5). A study belongs to one
 * patient, so the patient's attributes are kept on the study row.
 */
@Entity
@Table(name = "QRM_DICOM_STUDY")
public class StudyEntity {

    @Id
    @Column(name = "STUDY_UID", length = 64, nullable = false)
    String studyInstanceUid;

    @Column(name = "PATIENT_ID", length = 64)
    String patientId;

    @Column(name = "ISSUER_OF_PATIENT_ID", length = 64)
    String issuerOfPatientId;

    @Column(name = "PATIENT_NAME", length = 324)
    String patientName;

    @Column(name = "PATIENT_BIRTH_DATE", length = 8)
    String patientBirthDate;

    @Column(name = "PATIENT_SEX", length = 16)
    String patientSex;

    @Column(name = "STUDY_DATE", length = 8)
    String studyDate;

    @Column(name = "STUDY_TIME", length = 16)
    String studyTime;

    @Column(name = "ACCESSION_NUMBER", length = 16)
    String accessionNumber;

    @Column(name = "REFERRING_PHYSICIAN", length = 324)
    String referringPhysicianName;

    @Column(name = "STUDY_ID", length = 16)
    String studyId;

    @Column(name = "STUDY_DESCRIPTION", length = 64)
    String studyDescription;

    @Column(name = "CHARSET", length = 128)
    String specificCharacterSet;

    /** The id of the FHIR ImagingStudy that mirrors this study, once it exists. */
    @Column(name = "IMAGING_STUDY_ID", length = 64)
    String imagingStudyId;

    protected StudyEntity() {}

    public StudyEntity(String studyInstanceUid) {
        this.studyInstanceUid = studyInstanceUid;
    }

    public String studyInstanceUid() {
        return studyInstanceUid;
    }

    public String patientId() {
        return patientId;
    }

    public String issuerOfPatientId() {
        return issuerOfPatientId;
    }

    public String patientName() {
        return patientName;
    }

    public String patientBirthDate() {
        return patientBirthDate;
    }

    public String patientSex() {
        return patientSex;
    }

    public String studyDate() {
        return studyDate;
    }

    public String studyTime() {
        return studyTime;
    }

    public String accessionNumber() {
        return accessionNumber;
    }

    public String referringPhysicianName() {
        return referringPhysicianName;
    }

    public String studyId() {
        return studyId;
    }

    public String studyDescription() {
        return studyDescription;
    }

    public String specificCharacterSet() {
        return specificCharacterSet;
    }

    public String imagingStudyId() {
        return imagingStudyId;
    }
}
