package org.quorum.quality.index;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/**
 * One label (an Observation of an annotation project) reduced to what {@code $agreement}, {@code
 * $bias-report} and {@code $class-balance} read: project, status, code, subject, sources, annotator
 * and the text span or image region that tells units apart. Written in the transaction of the
 * label's write ({@link LabelIndex}).
 *
 * <p>A row whose {@code PROJECT} is null is a tombstone: the Observation was deleted (or stopped
 * being a label) at version {@code RES_VERSION}, so that a rebuild running at the same time does
 * not bring back the older version it read. {@code SEEN} is 0 only during a rebuild, for rows the
 * rebuild has not met yet; the rows still 0 at its end are gone from the store and removed.
 */
@Entity
@Table(
        name = "QRM_LABEL_INDEX",
        indexes = {
            @Index(name = "IDX_QRM_LABEL_PROJECT", columnList = "PROJECT, RES_PID"),
            // The cross-modal consistency check reads a written label's patients' labels.
            @Index(name = "IDX_QRM_LABEL_SUBJECT", columnList = "PROJECT, SUBJECT")
        })
public class LabelIndexEntity {

    @Id
    @Column(name = "LABEL_ID", length = 100, nullable = false)
    String id;

    /** HAPI's resource PID: the order in which the reports meet the labels. */
    @Column(name = "RES_PID", nullable = false)
    long pid;

    @Column(name = "RES_VERSION", nullable = false)
    long version;

    @Column(name = "SEEN", nullable = false)
    int seen;

    @Column(name = "PROJECT", length = 200)
    String project;

    @Column(name = "STATUS", length = 32)
    String status;

    @Column(name = "CODE_SYSTEM", length = 500)
    String codeSystem;

    @Column(name = "CODE_VERSION", length = 100)
    String codeVersion;

    @Column(name = "CODE", length = 200)
    String code;

    @Column(name = "CODE_DISPLAY", length = 500)
    String display;

    @Column(name = "SUBJECT", length = 200)
    String subject;

    /** derivedFrom, sorted, joined by a line feed. */
    @Column(name = "SOURCES", length = 4000)
    String sources;

    @Column(name = "PERFORMER", length = 200)
    String performer;

    @Column(name = "DEVICE", length = 200)
    String device;

    @Column(name = "TEXT_SPAN", length = 100)
    String textSpan;

    @Column(name = "IMAGE_REGION", length = 200)
    String imageRegion;

    protected LabelIndexEntity() {}

    LabelIndexEntity(String id) {
        this.id = id;
    }
}
