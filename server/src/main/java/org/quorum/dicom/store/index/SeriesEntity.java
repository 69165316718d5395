package org.quorum.dicom.store.index;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/** One stored series: the general series module's attributes QIDO-RS needs (PS3.18 §10.6.1). */
@Entity
@Table(
        name = "QRM_DICOM_SERIES",
        indexes = @Index(name = "IDX_QRM_DICOM_SERIES_STUDY", columnList = "STUDY_UID"))
public class SeriesEntity {

    @Id
    @Column(name = "SERIES_UID", length = 64, nullable = false)
    String seriesInstanceUid;

    @Column(name = "STUDY_UID", length = 64, nullable = false)
    String studyInstanceUid;

    @Column(name = "MODALITY", length = 16)
    String modality;

    @Column(name = "SERIES_NUMBER", length = 12)
    String seriesNumber;

    @Column(name = "SERIES_DESCRIPTION", length = 64)
    String seriesDescription;

    @Column(name = "SERIES_DATE", length = 8)
    String seriesDate;

    @Column(name = "BODY_PART", length = 16)
    String bodyPartExamined;

    @Column(name = "PPS_START_DATE", length = 8)
    String performedProcedureStepStartDate;

    @Column(name = "PPS_START_TIME", length = 16)
    String performedProcedureStepStartTime;

    protected SeriesEntity() {}

    public SeriesEntity(String seriesInstanceUid, String studyInstanceUid) {
        this.seriesInstanceUid = seriesInstanceUid;
        this.studyInstanceUid = studyInstanceUid;
    }

    public String seriesInstanceUid() {
        return seriesInstanceUid;
    }

    public String studyInstanceUid() {
        return studyInstanceUid;
    }

    public String modality() {
        return modality;
    }

    public String seriesNumber() {
        return seriesNumber;
    }

    public String seriesDescription() {
        return seriesDescription;
    }

    public String seriesDate() {
        return seriesDate;
    }

    public String bodyPartExamined() {
        return bodyPartExamined;
    }

    public String performedProcedureStepStartDate() {
        return performedProcedureStepStartDate;
    }

    public String performedProcedureStepStartTime() {
        return performedProcedureStepStartTime;
    }
}
