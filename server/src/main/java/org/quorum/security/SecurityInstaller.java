package org.quorum.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.quorum.audit.AuditService;
import org.quorum.platform.Platform;
import org.quorum.security.assignment.CaseAssignmentIndex;
import org.quorum.security.fhir.CaseAssignmentInterceptor;
import org.quorum.security.fhir.ClinicalWriteInterceptor;
import org.quorum.security.fhir.FhirAccessInterceptor;
import org.quorum.security.fhir.FhirAuthenticationInterceptor;
import org.quorum.security.fhir.QuorumAuthorizationInterceptor;
import org.quorum.security.fhir.QuorumSearchNarrowingInterceptor;
import org.quorum.security.http.AuthEndpoints;
import org.quorum.security.http.HttpGuards;

/**
 * The security capability: tokens, the access policy and case assignments, the FHIR interceptors
 * that enforce them, the embedded authorisation server's endpoints, and the guard other HTTP routes
 * are wrapped in.
 */
public final class SecurityInstaller {

    private SecurityInstaller() {}

    public static SecurityCapability install(Platform platform, AuditService audit) {
        SecurityStore store;
        try {
            // Files for the embedded single node, the shared database with PostgreSQL.
            store =
                    SecurityStores.open(
                            platform.settings().storage(), Optional.of(platform.dataSource()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the security state", e);
        }
        platform.onClose(store);
        SecurityService service =
                SecurityService.create(
                        platform.settings().security(),
                        store,
                        new DatabaseReplayCache(platform.dataSource()),
                        platform.clock());
        CaseAssignments assignments =
                new CaseAssignments(
                        platform.daos(),
                        new CaseAssignmentIndex(
                                platform.entityManagerFactory(), platform.transactionManager()));
        // Every Task and label write keeps the assignment table current, whoever makes it.
        platform.storageInterceptors()
                .registerInterceptor(new CaseAssignmentInterceptor(assignments));
        assignments.rebuildIfNeeded();
        var fhirServer = platform.fhirServer();
        fhirServer.registerInterceptor(new FhirAuthenticationInterceptor(service.verifier()));
        fhirServer.registerInterceptor(new FhirAccessInterceptor(service.policy()));
        fhirServer.registerInterceptor(
                new QuorumAuthorizationInterceptor(platform.fhir(), service.policy(), assignments));
        fhirServer.registerInterceptor(
                new QuorumSearchNarrowingInterceptor(
                        platform.fhir(), service.policy(), assignments));
        // On the REST server: its storage hooks fire for requests that came over HTTP.
        fhirServer.registerInterceptor(
                new ClinicalWriteInterceptor(
                        platform.fhir(), service.policy(), assignments, platform.daos()));

        AuthEndpoints auth = new AuthEndpoints(service, audit, platform.clock());
        platform.exactRoute("/fhir/.well-known/smart-configuration", auth.smartConfiguration());
        platform.exactRoute("/.well-known/smart-configuration", auth.smartConfiguration());
        platform.exactRoute("/auth/token", auth.token());
        platform.exactRoute("/auth/jwks", auth.jwks());
        platform.exactRoute("/auth/authorize", auth.authorize());
        HttpGuards guards = new HttpGuards(service.verifier(), audit, platform.clock());
        // Verifying an external token may fetch the provider's keys: not on an IO thread.
        platform.exactRoute(
                "/auth/session",
                new io.undertow.server.handlers.BlockingHandler(
                        guards.require(
                                java.util.EnumSet.allOf(Role.class), "session", auth.session())));
        return new SecurityCapability(service, assignments, guards, store);
    }
}
