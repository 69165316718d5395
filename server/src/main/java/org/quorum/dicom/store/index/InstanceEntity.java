package org.quorum.dicom.store.index;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/**
 * One stored SOP instance: where its Part 10 file lives, the digest of the bytes received (to tell
 * a repeated store from a conflicting one) and the instance attributes QIDO-RS needs.
 */
@Entity
@Table(
        name = "QRM_DICOM_INSTANCE",
        indexes = {
            @Index(name = "IDX_QRM_DICOM_INSTANCE_SERIES", columnList = "SERIES_UID"),
            @Index(name = "IDX_QRM_DICOM_INSTANCE_STUDY", columnList = "STUDY_UID")
        })
public class InstanceEntity {

    @Id
    @Column(name = "SOP_INSTANCE_UID", length = 64, nullable = false)
    String sopInstanceUid;

    @Column(name = "SERIES_UID", length = 64, nullable = false)
    String seriesInstanceUid;

    @Column(name = "STUDY_UID", length = 64, nullable = false)
    String studyInstanceUid;

    @Column(name = "SOP_CLASS_UID", length = 64, nullable = false)
    String sopClassUid;

    @Column(name = "TRANSFER_SYNTAX_UID", length = 64, nullable = false)
    String transferSyntaxUid;

    @Column(name = "INSTANCE_NUMBER", length = 12)
    String instanceNumber;

    @Column(name = "CONTENT_DATE", length = 8)
    String contentDate;

    @Column(name = "NUMBER_OF_FRAMES", length = 12)
    String numberOfFrames;

    @Column(name = "IMG_ROWS")
    Integer rows;

    @Column(name = "IMG_COLUMNS")
    Integer columns;

    @Column(name = "BITS_ALLOCATED")
    Integer bitsAllocated;

    /** Relative to the store's root directory. */
    @Column(name = "FILE_PATH", length = 300, nullable = false)
    String path;

    @Column(name = "FILE_SIZE", nullable = false)
    long size;

    /** SHA-256 of the Part 10 bytes, hex. */
    @Column(name = "SHA256", length = 64, nullable = false)
    String sha256;

    protected InstanceEntity() {}

    public InstanceEntity(
            String sopInstanceUid,
            String seriesInstanceUid,
            String studyInstanceUid,
            String sopClassUid) {
        this.sopInstanceUid = sopInstanceUid;
        this.seriesInstanceUid = seriesInstanceUid;
        this.studyInstanceUid = studyInstanceUid;
        this.sopClassUid = sopClassUid;
    }

    public String sopInstanceUid() {
        return sopInstanceUid;
    }

    public String seriesInstanceUid() {
        return seriesInstanceUid;
    }

    public String studyInstanceUid() {
        return studyInstanceUid;
    }

    public String sopClassUid() {
        return sopClassUid;
    }

    public String transferSyntaxUid() {
        return transferSyntaxUid;
    }

    public String instanceNumber() {
        return instanceNumber;
    }

    public String contentDate() {
        return contentDate;
    }

    public String numberOfFrames() {
        return numberOfFrames;
    }

    public Integer rows() {
        return rows;
    }

    public Integer columns() {
        return columns;
    }

    public Integer bitsAllocated() {
        return bitsAllocated;
    }

    public String path() {
        return path;
    }

    public long size() {
        return size;
    }

    public String sha256() {
        return sha256;
    }
}
