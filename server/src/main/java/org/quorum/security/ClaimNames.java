package org.quorum.security;

/**
 * Claim names of Quorum's access tokens. Registered claims ({@code iss sub aud exp nbf iat jti},
 * RFC 7519 §4.1) are used as registered; these are the others.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9068#section-2.2">RFC 9068 §2.2, JWT access token
 *     data structure</a>
 */
public final class ClaimNames {

    /** RFC 9068 §2.2 / RFC 8693 §4.3: the OAuth client the token was issued to. */
    public static final String CLIENT_ID = "client_id";

    /** RFC 9068 §2.2.3 / RFC 8693 §4.2: the granted scopes, one space-delimited string. */
    public static final String SCOPE = "scope";

    /**
     * Quorum's roles of the subject, a JSON array of {@link Role#wireName() wire names}. Named with
     * a prefix so that it cannot be mistaken for an identity provider's own {@code roles}.
     */
    public static final String ROLES = "quorum_roles";

    /** The ids of the annotation projects (ResearchStudy ids) the subject is a member of. */
    public static final String PROJECTS = "quorum_projects";

    /**
     * SMART App Launch v2 §"Scopes for requesting identity data": the FHIR resource that represents
     * the user, e.g. {@code PractitionerRole/123}.
     */
    public static final String FHIR_USER = "fhirUser";

    /** The JWS {@code typ} of access tokens, RFC 9068 §2.1 ({@code application/at+jwt}). */
    public static final String ACCESS_TOKEN_TYPE = "at+jwt";

    private ClaimNames() {}
}
