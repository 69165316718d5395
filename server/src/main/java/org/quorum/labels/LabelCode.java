package org.quorum.labels;

/**
 * The code of a label: the label schema (a CodeSystem url), the schema version the label was made
 * under, the code and its display (may be {@code null}).
 */
public record LabelCode(String system, String version, String code, String display) {

    /** {@code system|code}, the key the reports group by (across schema versions). */
    public String key() {
        return system + "|" + code;
    }

    /** The display when there is one, else the code. */
    public String displayOrCode() {
        return display == null || display.isBlank() ? code : display;
    }
}
