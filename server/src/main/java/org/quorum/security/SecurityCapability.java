package org.quorum.security;

import org.quorum.security.http.HttpGuards;

/**
 * The installed security capability, as other capabilities use it: the service (tokens, policy),
 * the clinicians' case assignments, and the guard for HTTP routes outside HAPI.
 */
public record SecurityCapability(
        SecurityService service, CaseAssignments assignments, HttpGuards http) {

    public AccessPolicy policy() {
        return service.policy();
    }
}
