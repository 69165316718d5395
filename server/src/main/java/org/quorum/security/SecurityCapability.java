package org.quorum.security;

import org.quorum.security.http.HttpGuards;

/**
 * The installed security capability, as other capabilities use it: the service (tokens, policy),
 * the clinicians' case assignments, the guard for HTTP routes outside HAPI, and the security store
 * (for local secrets every node shares).
 */
public record SecurityCapability(
        SecurityService service,
        CaseAssignments assignments,
        HttpGuards http,
        SecurityStore store) {

    public AccessPolicy policy() {
        return service.policy();
    }
}
