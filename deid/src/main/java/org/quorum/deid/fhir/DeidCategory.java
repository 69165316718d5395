package org.quorum.deid.fhir;

import java.util.Locale;

/**
 * What a de-identification count counts: the codes of the CodeSystem {@code quorum-deid-category}
 * ({@code fhir-profiles/src/main/fhir/CodeSystem-quorum-deid-category.json}), used in the {@code
 * quorum-deid-counts} extension of every de-identification Provenance. Counts only, never values.
 *
 * <p>The text de-identifier's PHI types and the key service's identifier kinds map onto these by
 * name ({@link #of(String)}).
 */
public enum DeidCategory {
    NAME("Person names (patient, relatives, staff), in structured names and in text"),
    DATE("Dates cut to the year or shifted; instants removed"),
    AGE("Ages over 89 aggregated; birth dates that reveal them removed"),
    TELECOM("ContactPoints removed"),
    PHONE("Telephone numbers in text"),
    FAX("Fax numbers in text"),
    EMAIL("E-mail addresses"),
    ADDRESS("Geographic subdivisions smaller than a state"),
    GEOLOCATION("Coordinates (geolocation extensions, Location.position) removed"),
    ORGANIZATION("Organisation and place names in text"),
    SSN("Social security numbers"),
    MRN("Medical record numbers"),
    HEALTH_PLAN("Health plan beneficiary and member numbers"),
    ACCOUNT("Account, accession and billing numbers"),
    LICENSE("Certificate, licence and practitioner numbers"),
    VEHICLE("Vehicle identifiers and plates"),
    DEVICE("Device identifiers and serial numbers"),
    ID("Identifiers in text with no more specific kind"),
    OTHER_ID("Other identifiers (Identifier.value with no more specific type)"),
    URL("Web addresses and attachment URLs"),
    IP("IP addresses"),
    REFERENCE("References re-linked to pseudonymous ids"),
    RESOURCE_ID("Resource ids replaced by keyed pseudonyms"),
    NARRATIVE("Narratives (text.div) replaced"),
    EXTENSION("Extensions removed (not in the rule table, or identifying by definition)"),
    ATTACHMENT("Attachment content removed because it cannot be scrubbed (PDF, images, ...)"),
    ELEMENT("Elements removed because the rule table does not name them (default deny)");

    private final String definition;

    DeidCategory(String definition) {
        this.definition = definition;
    }

    /** The code in {@code quorum-deid-category}. */
    public String code() {
        return name();
    }

    /** What the code counts, as the CodeSystem defines it. */
    public String definition() {
        return definition;
    }

    /** The category of a text PHI type or identifier kind, by name. */
    public static DeidCategory of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
