package org.quorum.security.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.quorum.audit.AuditRecord;
import org.quorum.audit.AuditService;
import org.quorum.security.SecurityService;
import org.quorum.security.StateUnavailableException;
import org.quorum.security.TokenResponse;

/**
 * The embedded authorisation server's HTTP side: the token endpoint (RFC 6749 §3.2, SMART Backend
 * Services), the public keys (RFC 7517 JWKS) and the SMART discovery document (SMART App Launch v2
 * §2.1). These are reachable without a bearer token: they are how one is obtained.
 */
public final class AuthEndpoints {

    /**
     * Password hashing costs ~0.3 s of CPU: at most two at a time, so guessing cannot starve the
     * server.
     */
    private final Semaphore hashing = new Semaphore(2);

    private final SecurityService security;
    private final AuditService audit;
    private final Clock clock;

    public AuthEndpoints(SecurityService security, AuditService audit, Clock clock) {
        this.security = security;
        this.audit = audit;
        this.clock = clock;
    }

    public HttpHandler smartConfiguration() {
        return json(() -> security.smartConfiguration().toJson());
    }

    public HttpHandler jwks() {
        return json(security::publicJwks);
    }

    public HttpHandler token() {
        return new HttpHandler() {
            @Override
            public void handleRequest(HttpServerExchange exchange) {
                if (exchange.isInIoThread()) {
                    exchange.dispatch(this);
                    return;
                }
                if (!exchange.getRequestMethod().equals(Methods.POST)) {
                    exchange.setStatusCode(405);
                    exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
                    exchange.endExchange();
                    return;
                }
                exchange.getRequestReceiver()
                        .receiveFullBytes(
                                (done, bytes) -> {
                                    String form = new String(bytes, StandardCharsets.UTF_8);
                                    TokenResponse response;
                                    hashing.acquireUninterruptibly();
                                    try {
                                        response = security.token(form);
                                    } catch (StateUnavailableException e) {
                                        // The shared database is away: try again, not "wrong".
                                        response = TokenResponse.unavailable();
                                    } finally {
                                        hashing.release();
                                    }
                                    done.setStatusCode(response.httpStatus());
                                    for (Map.Entry<String, String> header :
                                            response.headers().entrySet()) {
                                        done.getResponseHeaders()
                                                .put(
                                                        new HttpString(header.getKey()),
                                                        header.getValue());
                                    }
                                    // RFC 6749 §5.1: token responses are never cached.
                                    done.getResponseHeaders()
                                            .put(Headers.CACHE_CONTROL, "no-store");
                                    done.getResponseHeaders().put(Headers.PRAGMA, "no-cache");
                                    done.getResponseHeaders()
                                            .put(Headers.CONTENT_TYPE, "application/json");
                                    audit.record(
                                            new AuditRecord(
                                                    clock.instant(),
                                                    "token",
                                                    AuditRecord.Action.EXECUTE,
                                                    response.httpStatus(),
                                                    response.httpStatus() < 400
                                                            ? ""
                                                            : "token refused",
                                                    Optional.empty(),
                                                    Optional.empty(),
                                                    List.of(),
                                                    Optional.ofNullable(done.getSourceAddress())
                                                            .map(
                                                                    a ->
                                                                            a.getAddress()
                                                                                    .getHostAddress()),
                                                    done.getRequestPath(),
                                                    List.of(),
                                                    List.of(),
                                                    Optional.empty()));
                                    done.getResponseSender().send(response.toJson());
                                });
            }
        };
    }

    private static HttpHandler json(java.util.function.Supplier<String> body) {
        return exchange -> {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "max-age=300");
            exchange.getResponseSender().send(body.get());
        };
    }
}
