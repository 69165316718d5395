package org.quorum.quality.index;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A Patient's demographic keys as {@code $bias-report} groups by them (gender, birth date at its
 * precision, US Core OMB race and ethnicity categories), written in the transaction of the
 * Patient's write ({@link LabelIndex}). A deleted Patient keeps a row with {@code DELETED} = 1 and
 * its delete version, for the same reason as a label's tombstone; {@code SEEN} works as for labels.
 */
@Entity
@Table(name = "QRM_LABEL_PATIENT")
public class LabelPatientEntity {

    @Id
    @Column(name = "PATIENT_ID", length = 100, nullable = false)
    String id;

    @Column(name = "RES_VERSION", nullable = false)
    long version;

    @Column(name = "SEEN", nullable = false)
    int seen;

    @Column(name = "DELETED", nullable = false)
    int deleted;

    @Column(name = "GENDER", length = 32)
    String gender;

    /** 0 when there is no birth date. */
    @Column(name = "BIRTH_YEAR", nullable = false)
    int birthYear;

    /** 0 when only the year is known. */
    @Column(name = "BIRTH_MONTH", nullable = false)
    int birthMonth;

    /** 0 when the day is not known. */
    @Column(name = "BIRTH_DAY", nullable = false)
    int birthDay;

    /** OMB race categories, sorted, joined by commas. */
    @Column(name = "RACES", length = 200)
    String races;

    @Column(name = "ETHNICITY", length = 32)
    String ethnicity;

    protected LabelPatientEntity() {}

    LabelPatientEntity(String id) {
        this.id = id;
    }
}
