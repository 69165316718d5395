package org.quorum.deid.text;

import org.quorum.deid.keys.IdentifierKind;

/**
 * Kinds of protected health information found in clinical text, after the Safe Harbor list.
 *
 * @see <a href="https://www.ecfr.gov/current/title-45/section-164.514#p-164.514(b)(2)">45 CFR
 *     164.514(b)(2)(i)</a>
 */
public enum PhiType {
    /** (A) Names of the patient, relatives, employers, household members, clinicians. */
    NAME(IdentifierKind.NAME),
    /** (C) All elements of dates except the year; also years that reveal an age over 89. */
    DATE(IdentifierKind.OTHER_ID),
    /** (C) Ages over 89. */
    AGE(IdentifierKind.OTHER_ID),
    /** (D) Telephone numbers. */
    PHONE(IdentifierKind.PHONE),
    /** (E) Fax numbers. */
    FAX(IdentifierKind.PHONE),
    /** (F) Electronic mail addresses. */
    EMAIL(IdentifierKind.EMAIL),
    /** (G) Social security numbers. */
    SSN(IdentifierKind.SSN),
    /** (H, I, R) Medical record, health plan and other identifying numbers. */
    ID(IdentifierKind.MRN),
    /** (J) Account numbers, card numbers, IBANs. */
    ACCOUNT(IdentifierKind.ACCOUNT),
    /** (K) Certificate and licence numbers. */
    LICENSE(IdentifierKind.LICENSE),
    /** (L) Vehicle identifiers: VINs and licence plates. */
    VEHICLE(IdentifierKind.VEHICLE),
    /** (M) Device identifiers and serial numbers. */
    DEVICE(IdentifierKind.DEVICE),
    /** (N) Web URLs and domain names. */
    URL(IdentifierKind.URL),
    /** (O) IP addresses. */
    IP(IdentifierKind.IP),
    /** (B) Street address, city, county, precinct and ZIP code. */
    ADDRESS(IdentifierKind.ADDRESS),
    /** Names of hospitals, employers and other organisations (they locate the patient). */
    ORGANIZATION(IdentifierKind.ORGANIZATION);

    private final IdentifierKind identifierKind;

    PhiType(IdentifierKind identifierKind) {
        this.identifierKind = identifierKind;
    }

    /** The key-service domain that pseudonyms of this type are made in. */
    public IdentifierKind identifierKind() {
        return identifierKind;
    }

    /** The tag that replaces a value under {@link ReplacementStyle#TAG}, e.g. {@code [NAME]}. */
    public String tag() {
        return "[" + name() + "]";
    }
}
