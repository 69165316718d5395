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
import org.quorum.security.AuthorizationCodeFlow;
import org.quorum.security.QuorumPrincipal;
import org.quorum.security.Role;
import org.quorum.security.SecurityService;
import org.quorum.security.StateUnavailableException;
import org.quorum.security.TokenEndpoint;
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

    /**
     * {@code /auth/authorize}: GET shows the sign-in page for a checked authorization request
     * (authorization code with PKCE, {@link AuthorizationCodeFlow}); POST signs the user in and
     * sends the browser back to the app with a code. Errors about the client or the redirect URI
     * are shown here, never sent to an unchecked address (RFC 6749 §4.1.2.1).
     */
    public HttpHandler authorize() {
        return new HttpHandler() {
            @Override
            public void handleRequest(HttpServerExchange exchange) {
                if (exchange.isInIoThread()) {
                    exchange.dispatch(this);
                    return;
                }
                exchange.getResponseHeaders()
                        .put(
                                new HttpString("Content-Security-Policy"),
                                SignInPage.CONTENT_SECURITY_POLICY)
                        .put(Headers.CACHE_CONTROL, "no-store");
                if (exchange.getRequestMethod().equals(Methods.GET)) {
                    Map<String, String> params = new java.util.LinkedHashMap<>();
                    exchange.getQueryParameters()
                            .forEach((name, values) -> params.put(name, values.getFirst()));
                    checked(exchange, params)
                            .ifPresent(
                                    request ->
                                            html(
                                                    exchange,
                                                    200,
                                                    SignInPage.form(params, null, null)));
                } else if (exchange.getRequestMethod().equals(Methods.POST)) {
                    exchange.startBlocking();
                    String body;
                    try {
                        body =
                                new String(
                                        exchange.getInputStream().readNBytes(64 * 1024),
                                        StandardCharsets.UTF_8);
                    } catch (java.io.IOException e) {
                        html(exchange, 400, SignInPage.problem("The form could not be read."));
                        return;
                    }
                    Map<String, String> params = new java.util.LinkedHashMap<>();
                    TokenEndpoint.parseForm(body)
                            .forEach((name, values) -> params.put(name, values.get(0)));
                    checked(exchange, params)
                            .ifPresent(request -> signIn(exchange, params, request));
                } else {
                    exchange.setStatusCode(405);
                    exchange.getResponseHeaders().put(Headers.ALLOW, "GET, POST");
                    exchange.endExchange();
                }
            }
        };
    }

    private java.util.Optional<AuthorizationCodeFlow.Request> checked(
            HttpServerExchange exchange, Map<String, String> params) {
        try {
            return java.util.Optional.of(security.codeFlow().check(params));
        } catch (AuthorizationCodeFlow.RequestException e) {
            if (e.redirect().isPresent()) {
                exchange.setStatusCode(302);
                exchange.getResponseHeaders().put(Headers.LOCATION, e.redirect().get());
                exchange.endExchange();
            } else {
                html(exchange, 400, SignInPage.problem(e.getMessage()));
            }
            return java.util.Optional.empty();
        }
    }

    private void signIn(
            HttpServerExchange exchange,
            Map<String, String> params,
            AuthorizationCodeFlow.Request request) {
        String username = params.getOrDefault("username", "");
        char[] password = params.getOrDefault("password", "").toCharArray();
        java.util.Optional<String> redirect;
        hashing.acquireUninterruptibly();
        try {
            redirect = security.codeFlow().signIn(request, username, password);
        } finally {
            hashing.release();
            java.util.Arrays.fill(password, '\0');
        }
        int status = redirect.isPresent() ? 302 : 401;
        audit.record(
                new AuditRecord(
                        clock.instant(),
                        "sign-in",
                        AuditRecord.Action.EXECUTE,
                        status,
                        redirect.isPresent() ? "" : "sign-in refused",
                        redirect.isPresent()
                                ? java.util.Optional.of(username)
                                : java.util.Optional.empty(),
                        java.util.Optional.of(request.clientId()),
                        List.of(),
                        Optional.ofNullable(exchange.getSourceAddress())
                                .map(a -> a.getAddress().getHostAddress()),
                        exchange.getRequestPath(),
                        List.of(),
                        List.of(),
                        Optional.empty()));
        if (redirect.isPresent()) {
            exchange.setStatusCode(302);
            exchange.getResponseHeaders().put(Headers.LOCATION, redirect.get());
            exchange.endExchange();
        } else {
            // One answer for unknown user, no password set and wrong password.
            html(exchange, 401, SignInPage.form(params, username, "Wrong user name or password."));
        }
    }

    private static void html(HttpServerExchange exchange, int status, String page) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
        exchange.getResponseSender().send(page, StandardCharsets.UTF_8);
    }

    /**
     * {@code /auth/session}, behind a bearer-token guard: who the token speaks for, as this server
     * understands it (the roles and fhirUser mapped from an external provider's claims, not the
     * claims as the provider wrote them). The reviewer UI shows the user and chooses its screens
     * from this, whichever issuer signed the token.
     */
    public HttpHandler session() {
        return exchange -> {
            QuorumPrincipal principal = exchange.getAttachment(BearerAuthHandler.PRINCIPAL);
            com.fasterxml.jackson.databind.node.ObjectNode doc =
                    new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            doc.put("sub", principal.subject());
            doc.put("iss", principal.issuer());
            doc.put("client_id", principal.clientId());
            principal.roles().stream()
                    .map(Role::wireName)
                    .sorted()
                    .forEach(doc.putArray("roles")::add);
            principal.projectIds().stream().sorted().forEach(doc.putArray("projects")::add);
            doc.put("fhirUser", principal.fhirUser().orElse(null));
            principal.scopes().values().stream().sorted().forEach(doc.putArray("scopes")::add);
            doc.put("exp", principal.expiresAt().getEpochSecond());
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getResponseSender().send(doc.toString());
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
