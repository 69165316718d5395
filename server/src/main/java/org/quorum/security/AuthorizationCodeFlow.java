package org.quorum.security;

import static org.quorum.security.OAuthError.INVALID_CLIENT;
import static org.quorum.security.OAuthError.INVALID_GRANT;
import static org.quorum.security.OAuthError.INVALID_REQUEST;
import static org.quorum.security.OAuthError.INVALID_SCOPE;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The authorization code grant with PKCE for browser apps (RFC 6749 §4.1, RFC 7636, SMART App
 * Launch v2 standalone launch, OAuth 2.0 for Browser-Based Apps): the reviewer UI at {@code /ui} is
 * a public client ({@value #UI_CLIENT_ID}); a user signs in on Quorum's own page, the browser is
 * sent back with a one-time code, and the app redeems it with its PKCE verifier for an access token
 * and a refresh token. No password ever reaches the app.
 *
 * <p>Codes and refresh tokens are signed by Quorum's key and carry what they grant, so any node can
 * redeem them; {@link OnceOnly} makes each usable once (refresh tokens rotate on every use). The
 * user is read again from the registry at each refresh: a removed user or changed role takes effect
 * at the next refresh, at the latest when the access token expires.
 */
public final class AuthorizationCodeFlow {

    /** The reviewer UI, a public client (no secret: PKCE protects its codes). */
    public static final String UI_CLIENT_ID = "quorum-ui";

    static final Duration CODE_LIFETIME = Duration.ofSeconds(60);
    static final Duration REFRESH_LIFETIME = Duration.ofHours(12);
    private static final String CODE_TYPE = "quorum-code+jwt";
    private static final String REFRESH_TYPE = "quorum-refresh+jwt";
    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9\\-._~]{43,128}");
    private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9\\-_]{43}");

    /** A checked authorization request, ready for the sign-in page. */
    public record Request(
            String clientId,
            String redirectUri,
            String scope,
            Optional<String> state,
            String codeChallenge) {}

    /**
     * A refused authorization request. {@link #redirect()} tells whether the error may go back to
     * the redirect URI (RFC 6749 §4.1.2.1): never when the client or the redirect URI is wrong.
     */
    public static final class RequestException extends Exception {
        private final String error;
        private final Optional<String> redirect;

        RequestException(String error, String description, Optional<String> redirect) {
            super(description);
            this.error = error;
            this.redirect = redirect;
        }

        public String error() {
            return error;
        }

        /** Where to send the browser with the error, if anywhere. */
        public Optional<String> redirect() {
            return redirect;
        }
    }

    private final SigningKeys keys;
    private final String issuer;
    private final UserRegistry users;
    private final TokenIssuer tokens;
    private final OnceOnly once;
    private final Clock clock;

    public AuthorizationCodeFlow(
            SigningKeys keys,
            String issuer,
            UserRegistry users,
            TokenIssuer tokens,
            OnceOnly once,
            Clock clock) {
        this.keys = keys;
        this.issuer = issuer;
        this.users = users;
        this.tokens = tokens;
        this.once = once;
        this.clock = clock;
    }

    /** The redirect URIs the UI may use: pages under {@code <issuer>/ui/}. */
    boolean allowedRedirect(String clientId, String redirectUri) {
        if (!UI_CLIENT_ID.equals(clientId) || redirectUri == null) {
            return false;
        }
        try {
            URI uri = new URI(redirectUri);
            return uri.getFragment() == null
                    && uri.getRawUserInfo() == null
                    && redirectUri.startsWith(issuer + "/ui/")
                    && !uri.normalize().getRawPath().contains("..");
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** Checks an authorization request (the query of {@code GET /auth/authorize}). */
    public Request check(Map<String, String> params) throws RequestException {
        String clientId = params.get("client_id");
        String redirectUri = params.get("redirect_uri");
        if (clientId == null || !UI_CLIENT_ID.equals(clientId)) {
            throw new RequestException(
                    "invalid_client",
                    "unknown client_id; this server signs in its own reviewer UI ("
                            + UI_CLIENT_ID
                            + ")",
                    Optional.empty());
        }
        if (!allowedRedirect(clientId, redirectUri)) {
            throw new RequestException(
                    "invalid_request",
                    "redirect_uri must be a page of this server's UI (" + issuer + "/ui/...)",
                    Optional.empty());
        }
        Optional<String> state = Optional.ofNullable(params.get("state"));
        if (!"code".equals(params.get("response_type"))) {
            throw errorTo(
                    redirectUri, state, "unsupported_response_type", "response_type must be code");
        }
        String challenge = params.get("code_challenge");
        if (!"S256".equals(params.get("code_challenge_method"))
                || challenge == null
                || !CHALLENGE.matcher(challenge).matches()) {
            throw errorTo(
                    redirectUri,
                    state,
                    "invalid_request",
                    "PKCE is required: code_challenge_method=S256 and a code_challenge of 43"
                            + " base64url characters (RFC 7636 §4.2)");
        }
        String aud = params.get("aud");
        if (aud != null && !aud.equals(tokens.audience())) {
            throw errorTo(
                    redirectUri,
                    state,
                    "invalid_request",
                    "aud must be this server's FHIR base URL (" + tokens.audience() + ")");
        }
        String scope = params.getOrDefault("scope", "openid fhirUser user/*.cruds online_access");
        try {
            ScopeSet.parse(scope);
        } catch (InvalidScopeException e) {
            throw errorTo(redirectUri, state, "invalid_scope", e.getMessage());
        }
        return new Request(clientId, redirectUri, scope, state, challenge);
    }

    /**
     * Signs a user in for a checked request; the URL to send the browser to (with the code), or
     * empty when the name or password is wrong.
     */
    public Optional<String> signIn(Request request, String username, char[] password) {
        Optional<User> user = users.authenticate(username, password);
        if (user.isEmpty()) {
            return Optional.empty();
        }
        Instant now = now();
        JWTClaimsSet claims =
                new JWTClaimsSet.Builder()
                        .issuer(issuer)
                        .subject(user.get().name())
                        .audience(issuer + "/auth/token")
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(CODE_LIFETIME)))
                        .jwtID(UUID.randomUUID().toString())
                        .claim(ClaimNames.CLIENT_ID, request.clientId())
                        .claim("redirect_uri", request.redirectUri())
                        .claim(ClaimNames.SCOPE, request.scope())
                        .claim("code_challenge", request.codeChallenge())
                        .build();
        String code = sign(CODE_TYPE, claims);
        return Optional.of(
                request.redirectUri()
                        + (request.redirectUri().contains("?") ? "&" : "?")
                        + "code="
                        + encode(code)
                        + request.state().map(s -> "&state=" + encode(s)).orElse(""));
    }

    /** {@code grant_type=authorization_code} at the token endpoint. */
    TokenResponse redeemCode(Map<String, String> params) throws OAuthException {
        String clientId = params.get("client_id");
        if (!UI_CLIENT_ID.equals(clientId)) {
            throw new OAuthException(INVALID_CLIENT, "client_id must be " + UI_CLIENT_ID);
        }
        JWTClaimsSet code = verify(params.get("code"), CODE_TYPE, "code");
        try {
            if (!clientId.equals(code.getStringClaim(ClaimNames.CLIENT_ID))
                    || !code.getStringClaim("redirect_uri").equals(params.get("redirect_uri"))) {
                throw new OAuthException(
                        INVALID_GRANT,
                        "the code was issued to another client or redirect_uri (RFC 6749 §4.1.3)");
            }
            String verifier = params.get("code_verifier");
            if (verifier == null || !VERIFIER.matcher(verifier).matches()) {
                throw new OAuthException(
                        INVALID_REQUEST,
                        "code_verifier is required: 43 to 128 unreserved characters (RFC 7636"
                                + " §4.1)");
            }
            if (!s256(verifier).equals(code.getStringClaim("code_challenge"))) {
                throw new OAuthException(
                        INVALID_GRANT, "code_verifier does not match the code_challenge");
            }
            useOnce(code, "the code was already used; sign in again");
            return tokensFor(code.getSubject(), clientId, code.getStringClaim(ClaimNames.SCOPE));
        } catch (ParseException e) {
            throw new OAuthException(INVALID_GRANT, "the code is not one this server issued");
        }
    }

    /** {@code grant_type=refresh_token} at the token endpoint (the refresh token rotates). */
    TokenResponse refresh(Map<String, String> params) throws OAuthException {
        JWTClaimsSet refresh = verify(params.get("refresh_token"), REFRESH_TYPE, "refresh_token");
        try {
            String clientId = refresh.getStringClaim(ClaimNames.CLIENT_ID);
            if (params.get("client_id") != null && !params.get("client_id").equals(clientId)) {
                throw new OAuthException(
                        INVALID_GRANT, "the refresh token was issued to another client");
            }
            useOnce(refresh, "the refresh token was already used; sign in again");
            return tokensFor(
                    refresh.getSubject(), clientId, refresh.getStringClaim(ClaimNames.SCOPE));
        } catch (ParseException e) {
            throw new OAuthException(
                    INVALID_GRANT, "the refresh token is not one this server issued");
        }
    }

    private TokenResponse tokensFor(String username, String clientId, String scope)
            throws OAuthException {
        Optional<User> user = users.find(username);
        if (user.isEmpty()) {
            throw new OAuthException(INVALID_GRANT, "the user no longer exists");
        }
        ScopeSet requested;
        try {
            requested = ScopeSet.parse(scope);
        } catch (InvalidScopeException e) {
            throw new OAuthException(INVALID_SCOPE, e.getMessage());
        }
        ScopeSet granted = requested.intersect(User.SCOPE_CEILING);
        if (granted.isEmpty()) {
            throw new OAuthException(
                    INVALID_SCOPE, "none of the requested scopes can be granted to a user");
        }
        IssuedToken access = tokens.issueForUser(user.get(), clientId, granted);
        Instant now = now();
        String refresh =
                sign(
                        REFRESH_TYPE,
                        new JWTClaimsSet.Builder()
                                .issuer(issuer)
                                .subject(username)
                                .audience(issuer + "/auth/token")
                                .issueTime(Date.from(now))
                                .expirationTime(Date.from(now.plus(REFRESH_LIFETIME)))
                                .jwtID(UUID.randomUUID().toString())
                                .claim(ClaimNames.CLIENT_ID, clientId)
                                .claim(ClaimNames.SCOPE, scope)
                                .build());
        return new TokenResponse.Success(access, Optional.of(refresh));
    }

    private JWTClaimsSet verify(String value, String type, String name) throws OAuthException {
        if (value == null || value.isEmpty() || value.length() > TokenVerifier.MAX_TOKEN_LENGTH) {
            throw new OAuthException(INVALID_REQUEST, name + " is required");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(value);
            Optional<ECKey> key =
                    jwt.getHeader().getKeyID() == null
                            ? Optional.empty()
                            : keys.publicKey(jwt.getHeader().getKeyID());
            if (key.isEmpty()
                    || !new JOSEObjectType(type).equals(jwt.getHeader().getType())
                    || !jwt.verify(new ECDSAVerifier(key.get()))) {
                throw new OAuthException(
                        INVALID_GRANT, "the " + name + " is not one this server issued");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!issuer.equals(claims.getIssuer())
                    || claims.getExpirationTime() == null
                    || claims.getExpirationTime().toInstant().isBefore(now())) {
                throw new OAuthException(
                        INVALID_GRANT, "the " + name + " has expired; sign in again");
            }
            return claims;
        } catch (ParseException | JOSEException e) {
            throw new OAuthException(
                    INVALID_GRANT, "the " + name + " is not one this server issued");
        }
    }

    private void useOnce(JWTClaimsSet claims, String message) throws OAuthException {
        if (claims.getJWTID() == null
                || !once.firstUse(
                        claims.getJWTID(), claims.getExpirationTime().toInstant(), now())) {
            throw new OAuthException(INVALID_GRANT, message);
        }
    }

    private String sign(String type, JWTClaimsSet claims) {
        return keys.sign(SigningKeys.es256Header().type(new JOSEObjectType(type)), claims)
                .serialize();
    }

    private Instant now() {
        return Instant.ofEpochSecond(clock.instant().getEpochSecond());
    }

    private static RequestException errorTo(
            String redirectUri, Optional<String> state, String error, String description) {
        return new RequestException(
                error,
                description,
                Optional.of(
                        redirectUri
                                + (redirectUri.contains("?") ? "&" : "?")
                                + "error="
                                + encode(error)
                                + "&error_description="
                                + encode(description)
                                + state.map(s -> "&state=" + encode(s)).orElse("")));
    }

    /** BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2). */
    static String s256(String verifier) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
