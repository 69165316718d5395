package org.quorum.security;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who made a request, as established from a verified access token.
 *
 * @param subject the token's {@code sub}: a Quorum user name, a registered client id (SMART Backend
 *     Services, where {@code sub = client_id}), or an external identity provider's subject
 * @param clientId the OAuth client the token was issued to ({@code client_id}, or {@code azp} for
 *     external tokens); empty when an external token names none
 * @param issuer the token's {@code iss}
 * @param roles Quorum roles
 * @param projectIds ids of the annotation projects the subject is a member of
 * @param scopes the granted SMART scopes
 * @param fhirUser the FHIR resource representing the user, e.g. {@code PractitionerRole/123}
 * @param tokenId the token's {@code jti} (for audit records); empty when an external token has none
 * @param expiresAt when the token expires
 */
public record QuorumPrincipal(
        String subject,
        String clientId,
        String issuer,
        Set<Role> roles,
        Set<String> projectIds,
        ScopeSet scopes,
        Optional<String> fhirUser,
        String tokenId,
        Instant expiresAt) {

    public QuorumPrincipal {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(issuer, "issuer");
        roles = Set.copyOf(Objects.requireNonNull(roles, "roles"));
        projectIds = Set.copyOf(Objects.requireNonNull(projectIds, "projectIds"));
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(fhirUser, "fhirUser");
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public boolean hasRole(Role role) {
        return roles.contains(role);
    }

    public boolean isMemberOf(String projectId) {
        return projectIds.contains(projectId);
    }

    /** Whether the granted scopes permit {@code op} on {@code resourceType}. */
    public boolean allows(String resourceType, Operation op) {
        return scopes.allows(resourceType, op);
    }
}
