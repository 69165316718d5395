package org.quorum.security.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.quorum.audit.AuditRecord;
import org.quorum.audit.AuditService;
import org.quorum.security.AuthenticationException;
import org.quorum.security.Json;
import org.quorum.security.QuorumPrincipal;
import org.quorum.security.Role;
import org.quorum.security.TokenVerifier;
import org.quorum.security.fhir.Principals;

/**
 * Bearer-token authentication and a role check for the endpoints outside HAPI (metrics, reports,
 * later DICOMweb), with the same 401 / 403 answers as the FHIR side and an audit record for every
 * request.
 */
public final class BearerAuthHandler implements HttpHandler {

    /** Where the principal is attached to the exchange for the wrapped handler. */
    public static final io.undertow.util.AttachmentKey<QuorumPrincipal> PRINCIPAL =
            io.undertow.util.AttachmentKey.create(QuorumPrincipal.class);

    private final TokenVerifier verifier;
    private final Set<Role> anyOf;
    private final String interaction;
    private final AuditService audit;
    private final Clock clock;
    private final HttpHandler next;

    public BearerAuthHandler(
            TokenVerifier verifier,
            Set<Role> anyOf,
            String interaction,
            AuditService audit,
            Clock clock,
            HttpHandler next) {
        this.verifier = verifier;
        this.anyOf = anyOf.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(anyOf);
        this.interaction = interaction;
        this.audit = audit;
        this.clock = clock;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        QuorumPrincipal principal;
        try {
            principal =
                    verifier.verifyAuthorizationHeader(
                            exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
        } catch (AuthenticationException e) {
            exchange.getResponseHeaders()
                    .put(Headers.WWW_AUTHENTICATE, e.wwwAuthenticate("quorum"));
            record(exchange, null, e.httpStatus(), "authentication failed");
            reply(exchange, e.httpStatus(), e.getMessage());
            return;
        }
        if (principal.roles().stream().noneMatch(anyOf::contains)) {
            record(exchange, principal, 403, "access denied");
            reply(
                    exchange,
                    403,
                    "Access denied: needs one of the roles "
                            + anyOf.stream().map(Role::wireName).sorted().toList());
            return;
        }
        exchange.putAttachment(PRINCIPAL, principal);
        RequestAudit requestAudit = new RequestAudit(exchange, principal);
        exchange.putAttachment(AUDIT, requestAudit);
        // Recorded when the response is about to be committed, so the AuditEvent is durable
        // before the client can read the answer; unless the handler recorded it already, with
        // this status, in its own transaction.
        exchange.addResponseCommitListener(
                committed -> {
                    if (requestAudit.recordedStatus != committed.getStatusCode()) {
                        record(committed, principal, committed.getStatusCode(), "");
                    }
                });
        next.handleRequest(exchange);
    }

    /** Where the wrapped handler finds the request's {@link RequestAudit}. */
    public static final io.undertow.util.AttachmentKey<RequestAudit> AUDIT =
            io.undertow.util.AttachmentKey.create(RequestAudit.class);

    /**
     * The audit record of one authenticated request, for a handler that writes data in a
     * transaction of its own: it can record the AuditEvent in that transaction (one commit for
     * both) instead of after the response. When the response then goes out with the recorded
     * status, the AuditEvent is not recorded again; with another status it is.
     */
    public final class RequestAudit {
        private final HttpServerExchange exchange;
        private final QuorumPrincipal principal;
        private volatile int recordedStatus = -1;

        private RequestAudit(HttpServerExchange exchange, QuorumPrincipal principal) {
            this.exchange = exchange;
            this.principal = principal;
        }

        /**
         * Records the request's AuditEvent, answered with {@code status}, in the caller's open
         * transaction (see {@link AuditService#recordInTransaction}).
         */
        public void recordInTransaction(int status) {
            audit.recordInTransaction(
                    auditRecord(exchange, principal, status, ""), () -> recordedStatus = status);
        }
    }

    private void record(
            HttpServerExchange exchange, QuorumPrincipal principal, int status, String reason) {
        audit.record(auditRecord(exchange, principal, status, reason));
    }

    private AuditRecord auditRecord(
            HttpServerExchange exchange, QuorumPrincipal principal, int status, String reason) {
        var identity =
                principal == null
                        ? org.quorum.audit.RequestIdentity.ANONYMOUS
                        : Principals.identity(principal);
        return new AuditRecord(
                clock.instant(),
                interaction,
                action(exchange.getRequestMethod().toString()),
                status,
                reason,
                identity.user(),
                identity.client(),
                identity.roles(),
                Optional.ofNullable(exchange.getSourceAddress())
                        .map(a -> a.getAddress().getHostAddress()),
                exchange.getRequestPath(),
                List.of(),
                List.of(),
                Optional.empty());
    }

    /** The audit action of an HTTP method: a DICOMweb STOW (POST) is a create, not a read. */
    static AuditRecord.Action action(String method) {
        return switch (method) {
            case "POST" -> AuditRecord.Action.CREATE;
            case "PUT", "PATCH" -> AuditRecord.Action.UPDATE;
            case "DELETE" -> AuditRecord.Action.DELETE;
            default -> AuditRecord.Action.READ;
        };
    }

    /** An OperationOutcome, as the FHIR side answers. */
    static void reply(HttpServerExchange exchange, int status, String message) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/fhir+json");
        String code = status == 401 ? "login" : status == 403 ? "forbidden" : "exception";
        exchange.getResponseSender().send(Json.operationOutcome(code, message));
    }
}
