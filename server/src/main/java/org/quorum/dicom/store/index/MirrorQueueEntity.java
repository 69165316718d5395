package org.quorum.dicom.store.index;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A study whose FHIR ImagingStudy mirror has not caught up with its instances: the row is written
 * in the transaction that indexes an instance ({@code STALE} counts the additions) and removed by
 * the mirror queue in the transaction that rebuilt the mirror from what it saw. A table of its own,
 * holding only the studies in flight, so that the per-instance write touches a small table rather
 * than the study table and its indexes.
 */
@Entity
@Table(name = "QRM_DICOM_MIRROR_QUEUE")
public class MirrorQueueEntity {

    @Id
    @Column(name = "STUDY_UID", length = 64, nullable = false)
    String studyInstanceUid;

    @Column(name = "STALE", nullable = false)
    int stale;

    protected MirrorQueueEntity() {}

    MirrorQueueEntity(String studyInstanceUid) {
        this.studyInstanceUid = studyInstanceUid;
    }
}
