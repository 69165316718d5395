package org.quorum.security;

import static org.quorum.security.OAuthError.INVALID_CLIENT;
import static org.quorum.security.OAuthError.INVALID_GRANT;
import static org.quorum.security.OAuthError.INVALID_REQUEST;
import static org.quorum.security.OAuthError.INVALID_SCOPE;
import static org.quorum.security.OAuthError.UNSUPPORTED_GRANT_TYPE;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The token endpoint's logic (RFC 6749 §3.2), without HTTP: the servlet hands in the form
 * parameters of the POST and writes out the {@link TokenResponse}.
 *
 * <p><b>Grants.</b>
 *
 * <ul>
 *   <li>{@code client_credentials} with {@code client_assertion_type} {@value
 *       ClientAssertionVerifier#ASSERTION_TYPE} and a {@code client_assertion} JWT: SMART Backend
 *       Services (RFC 6749 §4.4, RFC 7523 §2.2). {@code scope} is required; the token gets the part
 *       of it the client is registered for.
 *   <li>{@code password} (RFC 6749 §4.3), for small installations and scripts only: users of the
 *       {@link UserRegistry} with a password. The token gets the requested {@code user/} scopes
 *       (default {@code user/*.cruds fhirUser}) and {@code client_id} {@value
 *       #PASSWORD_GRANT_CLIENT_ID}. OAuth 2.0 Security BCP (RFC 9700 §2.4) says the password grant
 *       "MUST NOT be used": it teaches users to type passwords into clients. Turn it off where an
 *       identity provider is available, and rate-limit the endpoint: each attempt costs one PBKDF2
 *       computation.
 * </ul>
 *
 * <ul>
 *   <li>{@code authorization_code} with PKCE and {@code refresh_token}: browser apps (the reviewer
 *       UI), see {@link AuthorizationCodeFlow}.
 * </ul>
 *
 * <p>Before handling requests the integrator should call {@link UserRegistry#reloadIfChanged()} and
 * {@link ClientRegistry#reloadIfChanged()} (per request or on a timer) so that users and clients
 * added by the CLI take effect.
 */
public final class TokenEndpoint {

    /** The {@code client_id} of tokens issued by the password grant. */
    public static final String PASSWORD_GRANT_CLIENT_ID = "quorum-password";

    private final TokenIssuer issuer;
    private final ClientAssertionVerifier clientAuthentication;
    private final UserRegistry users;
    private final boolean passwordGrantEnabled;
    private final Optional<AuthorizationCodeFlow> codeFlow;

    /**
     * @param issuer issues the tokens
     * @param clientAuthentication authenticates backend services
     * @param users the users of the password grant
     * @param passwordGrantEnabled whether the password grant is offered
     */
    public TokenEndpoint(
            TokenIssuer issuer,
            ClientAssertionVerifier clientAuthentication,
            UserRegistry users,
            boolean passwordGrantEnabled) {
        this(issuer, clientAuthentication, users, passwordGrantEnabled, Optional.empty());
    }

    /**
     * @param codeFlow the authorization code grant with PKCE (browser apps), and refresh tokens
     */
    public TokenEndpoint(
            TokenIssuer issuer,
            ClientAssertionVerifier clientAuthentication,
            UserRegistry users,
            boolean passwordGrantEnabled,
            Optional<AuthorizationCodeFlow> codeFlow) {
        this.codeFlow = Objects.requireNonNull(codeFlow, "codeFlow");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.clientAuthentication =
                Objects.requireNonNull(clientAuthentication, "clientAuthentication");
        this.users = Objects.requireNonNull(users, "users");
        this.passwordGrantEnabled = passwordGrantEnabled;
    }

    public boolean passwordGrantEnabled() {
        return passwordGrantEnabled;
    }

    /**
     * Handles one token request.
     *
     * @param form the decoded {@code application/x-www-form-urlencoded} parameters (see {@link
     *     #parseForm(String)}), each name with all its values
     */
    public TokenResponse handle(Map<String, List<String>> form) {
        try {
            Map<String, String> params = singleValued(form);
            String grantType = params.get("grant_type");
            if (grantType == null) {
                throw new OAuthException(
                        INVALID_REQUEST,
                        "grant_type is required: client_credentials"
                                + (codeFlow.isPresent()
                                        ? ", authorization_code, refresh_token"
                                        : "")
                                + (passwordGrantEnabled ? " or password" : ""));
            }
            switch (grantType) {
                case "client_credentials":
                    return clientCredentials(params);
                case "authorization_code":
                    if (codeFlow.isPresent()) {
                        return codeFlow.get().redeemCode(params);
                    }
                    throw new OAuthException(
                            UNSUPPORTED_GRANT_TYPE, "the authorization code grant is turned off");
                case "refresh_token":
                    if (codeFlow.isPresent()) {
                        return codeFlow.get().refresh(params);
                    }
                    throw new OAuthException(
                            UNSUPPORTED_GRANT_TYPE, "refresh tokens are not issued here");
                case "password":
                    if (passwordGrantEnabled) {
                        return password(params);
                    }
                    throw new OAuthException(
                            UNSUPPORTED_GRANT_TYPE,
                            "the password grant is turned off on this server; use"
                                    + " client_credentials with a client assertion");
                default:
                    throw new OAuthException(
                            UNSUPPORTED_GRANT_TYPE,
                            "grant_type '"
                                    + SmartScope.echo(grantType)
                                    + "' is not supported; use client_credentials"
                                    + (codeFlow.isPresent()
                                            ? ", authorization_code, refresh_token"
                                            : "")
                                    + (passwordGrantEnabled ? " or password" : ""));
            }
        } catch (OAuthException e) {
            return new TokenResponse.Failure(e.error(), e.getMessage());
        }
    }

    /**
     * Handles one token request given as its raw {@code application/x-www-form-urlencoded} body.
     */
    public TokenResponse handle(String formBody) {
        Map<String, List<String>> form;
        try {
            form = parseForm(formBody);
        } catch (IllegalArgumentException e) {
            return new TokenResponse.Failure(
                    INVALID_REQUEST, "the body is not valid application/x-www-form-urlencoded");
        }
        return handle(form);
    }

    private TokenResponse clientCredentials(Map<String, String> params) throws OAuthException {
        if (params.containsKey("client_secret")) {
            throw new OAuthException(
                    INVALID_CLIENT,
                    "client secrets are not accepted; authenticate with a signed client_assertion"
                            + " (private_key_jwt)");
        }
        String assertionType = params.get("client_assertion_type");
        if (!ClientAssertionVerifier.ASSERTION_TYPE.equals(assertionType)) {
            throw new OAuthException(
                    INVALID_CLIENT,
                    "client authentication is required: client_assertion_type="
                            + ClientAssertionVerifier.ASSERTION_TYPE
                            + " and a client_assertion JWT (SMART Backend Services)");
        }
        String scope = params.get("scope");
        if (scope == null || scope.isBlank()) {
            throw new OAuthException(
                    INVALID_REQUEST, "scope is required, e.g. scope=system/Observation.rs");
        }
        ScopeSet requested = parseScope(scope);
        RegisteredClient client =
                clientAuthentication.verify(
                        params.get("client_assertion"),
                        Optional.ofNullable(params.get("client_id")));
        ScopeSet granted = requested.intersect(client.allowedScopes());
        if (granted.isEmpty()) {
            throw new OAuthException(
                    INVALID_SCOPE,
                    "none of the requested scopes is allowed for client '"
                            + client.clientId()
                            + "'; it may request: "
                            + client.allowedScopes());
        }
        return new TokenResponse.Success(issuer.issueForClient(client, granted));
    }

    private TokenResponse password(Map<String, String> params) throws OAuthException {
        String username = params.get("username");
        String password = params.get("password");
        if (username == null || username.isEmpty() || password == null) {
            throw new OAuthException(
                    INVALID_REQUEST, "the password grant needs username and password");
        }
        String scope = params.get("scope");
        ScopeSet requested =
                scope == null || scope.isBlank() ? User.DEFAULT_SCOPE : parseScope(scope);
        char[] secret = password.toCharArray();
        Optional<User> user;
        try {
            user = users.authenticate(username, secret);
        } finally {
            PasswordHasher.clear(secret);
        }
        if (user.isEmpty()) {
            // One answer for unknown user, no password set and wrong password.
            throw new OAuthException(INVALID_GRANT, "wrong user name or password");
        }
        ScopeSet granted = requested.intersect(User.SCOPE_CEILING);
        if (granted.isEmpty()) {
            throw new OAuthException(
                    INVALID_SCOPE,
                    "none of the requested scopes can be granted to a user; users may request "
                            + User.SCOPE_CEILING);
        }
        return new TokenResponse.Success(
                issuer.issueForUser(user.get(), PASSWORD_GRANT_CLIENT_ID, granted));
    }

    private static ScopeSet parseScope(String scope) throws OAuthException {
        try {
            return ScopeSet.parse(scope);
        } catch (InvalidScopeException e) {
            throw new OAuthException(INVALID_SCOPE, e.getMessage());
        }
    }

    /** RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once." */
    private static Map<String, String> singleValued(Map<String, List<String>> form)
            throws OAuthException {
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> entry : form.entrySet()) {
            List<String> values = entry.getValue();
            if (values == null || values.isEmpty()) {
                continue;
            }
            if (values.size() > 1) {
                throw new OAuthException(
                        INVALID_REQUEST,
                        "parameter '"
                                + SmartScope.echo(entry.getKey())
                                + "' is given more than once");
            }
            params.put(entry.getKey(), values.get(0));
        }
        return params;
    }

    /**
     * Decodes an {@code application/x-www-form-urlencoded} body (UTF-8), keeping repeated names.
     *
     * @throws IllegalArgumentException on a malformed percent-escape
     */
    public static Map<String, List<String>> parseForm(String body) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            form.computeIfAbsent(
                            URLDecoder.decode(name, StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return form;
    }
}
