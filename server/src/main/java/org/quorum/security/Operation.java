package org.quorum.security;

/**
 * The interactions a SMART v2 clinical scope grants, one letter each in the scope's permission
 * string ({@code c r u d s}, always in this order).
 *
 * @see <a href="https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html">SMART
 *     App Launch v2, Scopes for requesting clinical data</a>
 */
public enum Operation {
    /** {@code c}: type level create. */
    CREATE('c'),
    /** {@code r}: read and vread. */
    READ('r'),
    /** {@code u}: update and patch. */
    UPDATE('u'),
    /** {@code d}: delete. */
    DELETE('d'),
    /** {@code s}: type level search and history. */
    SEARCH('s');

    private final char letter;

    Operation(char letter) {
        this.letter = letter;
    }

    /** The permission letter in a SMART v2 scope. */
    public char letter() {
        return letter;
    }
}
