package org.quorum.labels;

/** Where a label was made: on a note (DocumentReference) or on an image study (ImagingStudy). */
public enum Modality {
    NOTE,
    IMAGE,
    /** Derived from both kinds of source, or from neither. */
    OTHER
}
