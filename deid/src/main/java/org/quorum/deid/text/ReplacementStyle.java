package org.quorum.deid.text;

/** How found PHI is written in the output. */
public enum ReplacementStyle {
    /** Realistic, consistent stand-ins: same input, same surrogate (keyed by the key service). */
    SURROGATE,
    /** The PHI type in brackets, e.g. {@code [NAME]}. */
    TAG
}
