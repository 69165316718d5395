package org.quorum.deid.keys;

/**
 * The kinds of identifier the key service pseudonymises. Each kind keys its own HMAC domain, so the
 * same string never yields the same pseudonym as an MRN and as, say, an account number.
 *
 * @see <a href="https://www.ecfr.gov/current/title-45/section-164.514#p-164.514(b)(2)">45 CFR
 *     164.514(b)(2)(i) — the 18 Safe Harbor identifiers</a>
 */
public enum IdentifierKind {
    /** Medical record number; also the patient key for date offsets. (A) */
    MRN("MRN"),
    /** Social security number. (G) */
    SSN("SSN"),
    /** Health plan beneficiary number. (I) */
    HEALTH_PLAN("HPN"),
    /** Account numbers, card numbers, IBANs. (J) */
    ACCOUNT("ACC"),
    /** Certificate and licence numbers. (K) */
    LICENSE("LIC"),
    /** Vehicle identifiers and serial numbers, including licence plates. (L) */
    VEHICLE("VEH"),
    /** Device identifiers and serial numbers. (M) */
    DEVICE("DEV"),
    /** Any other unique identifying number, characteristic or code. (R) */
    OTHER_ID("ID"),
    /** Electronic mail addresses. (F) */
    EMAIL("EML"),
    /** Web URLs. (N) */
    URL("URL"),
    /** Internet protocol addresses. (O) */
    IP("IP"),
    /** Telephone and fax numbers. (D, E) */
    PHONE("TEL"),
    /** Person names. (A) */
    NAME("NAM"),
    /** Geographic subdivisions smaller than a state. (B) */
    ADDRESS("ADR"),
    /** Organisation names (employers, care providers). */
    ORGANIZATION("ORG");

    private final String prefix;

    IdentifierKind(String prefix) {
        this.prefix = prefix;
    }

    /** Short upper-case prefix put before pseudonyms of this kind, e.g. {@code MRN-…}. */
    public String prefix() {
        return prefix;
    }
}
