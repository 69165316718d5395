package org.quorum.security.http;

import io.undertow.server.HttpHandler;
import java.time.Clock;
import java.util.Set;
import org.quorum.audit.AuditService;
import org.quorum.security.Role;
import org.quorum.security.TokenVerifier;

/** Wraps HTTP routes outside HAPI in bearer-token authentication, a role check and audit. */
public final class HttpGuards {

    private final TokenVerifier verifier;
    private final AuditService audit;
    private final Clock clock;

    public HttpGuards(TokenVerifier verifier, AuditService audit, Clock clock) {
        this.verifier = verifier;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * {@code next}, reachable with a valid token holding one of {@code roles}; audited as {@code
     * interaction}.
     */
    public HttpHandler require(Set<Role> roles, String interaction, HttpHandler next) {
        return new BearerAuthHandler(verifier, roles, interaction, audit, clock, next);
    }
}
