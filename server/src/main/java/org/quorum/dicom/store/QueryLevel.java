package org.quorum.dicom.store;

/** The QIDO-RS query levels (PS3.18 §10.6.1: studies, series, instances). */
public enum QueryLevel {
    STUDY,
    SERIES,
    INSTANCE
}
