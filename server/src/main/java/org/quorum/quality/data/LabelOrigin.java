package org.quorum.quality.data;

/** Which {@link LabelSource} a report reads. */
public enum LabelOrigin {
    /** The compact label index (the default). */
    INDEX,
    /** The FHIR store through HAPI's DAOs: slow, the reference the index is checked against. */
    STORE
}
