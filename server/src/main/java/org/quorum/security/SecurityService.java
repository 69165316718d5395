package org.quorum.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.quorum.config.SecuritySettings;

/**
 * The security capability, assembled: Quorum's signing keys, the token verifier every transport
 * uses, the token issuer and endpoint of the embedded authorisation server, the user and client
 * registries (files under {@code <data dir>/security}, shared with the CLI), the SMART discovery
 * document and the access policy.
 */
public final class SecurityService {

    private final SigningKeys keys;
    private final TokenVerifier verifier;
    private final TokenIssuer issuer;
    private final TokenEndpoint tokenEndpoint;
    private final UserRegistry users;
    private final ClientRegistry clients;
    private final SmartConfiguration smartConfiguration;
    private final AccessPolicy policy = new AccessPolicy();
    private final SecuritySettings settings;
    private final AuthorizationCodeFlow codeFlow;

    private SecurityService(
            SecuritySettings settings,
            SigningKeys keys,
            TokenVerifier verifier,
            TokenIssuer issuer,
            TokenEndpoint tokenEndpoint,
            UserRegistry users,
            ClientRegistry clients,
            SmartConfiguration smart,
            AuthorizationCodeFlow codeFlow) {
        this.codeFlow = codeFlow;
        this.settings = settings;
        this.keys = keys;
        this.verifier = verifier;
        this.issuer = issuer;
        this.tokenEndpoint = tokenEndpoint;
        this.users = users;
        this.clients = clients;
        this.smartConfiguration = smart;
    }

    public static SecurityService create(SecuritySettings settings, Path dataDir, Clock clock) {
        try {
            SigningKeys keys = SigningKeys.loadOrCreate(dataDir);
            IssuerRecord.write(dataDir, settings.issuer(), settings.audience());
            List<ExternalIssuer> external =
                    settings.external()
                            .map(
                                    e ->
                                            List.of(
                                                    ExternalIssuer.of(
                                                                    e.issuer(),
                                                                    e.audience(),
                                                                    e.jwksUrl())
                                                            .withRolesClaim(e.rolesClaim(), "")))
                            .orElse(List.of());
            TokenVerifier verifier =
                    new TokenVerifier(
                            keys, settings.issuer(), settings.audience(), external, clock);
            TokenIssuer issuer =
                    new TokenIssuer(
                            keys,
                            settings.issuer(),
                            settings.audience(),
                            TokenIssuer.DEFAULT_CLIENT_TOKEN_LIFETIME,
                            settings.userTokenLifetime(),
                            clock);
            UserRegistry users = new UserRegistry(dataDir);
            ClientRegistry clients = new ClientRegistry(dataDir);
            String tokenUrl = tokenEndpointUrl(settings);
            AuthorizationCodeFlow codeFlow =
                    new AuthorizationCodeFlow(
                            keys,
                            settings.issuer(),
                            users,
                            issuer,
                            OnceOnly.inMemory(100_000),
                            clock);
            TokenEndpoint endpoint =
                    new TokenEndpoint(
                            issuer,
                            new ClientAssertionVerifier(clients, tokenUrl, clock),
                            users,
                            settings.passwordGrant(),
                            Optional.of(codeFlow));
            SmartConfiguration smart =
                    new SmartConfiguration(
                            settings.issuer(),
                            tokenUrl,
                            settings.issuer() + "/auth/jwks",
                            SmartConfiguration.DEFAULT_SCOPES_SUPPORTED,
                            settings.passwordGrant(),
                            Optional.of(settings.issuer() + "/auth/authorize"));
            return new SecurityService(
                    settings, keys, verifier, issuer, endpoint, users, clients, smart, codeFlow);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot read or create the security files under " + dataDir.resolve("security"),
                    e);
        }
    }

    /** The token endpoint's URL: the audience of SMART client assertions (RFC 7523 §3). */
    public static String tokenEndpointUrl(SecuritySettings settings) {
        return settings.issuer() + "/auth/token";
    }

    /** The authorization code flow of the sign-in page (reloads users the CLI added). */
    public AuthorizationCodeFlow codeFlow() {
        try {
            users.reloadIfChanged();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the user registry", e);
        }
        return codeFlow;
    }

    public TokenVerifier verifier() {
        return verifier;
    }

    public TokenIssuer issuer() {
        return issuer;
    }

    public AccessPolicy policy() {
        return policy;
    }

    public SmartConfiguration smartConfiguration() {
        return smartConfiguration;
    }

    public String publicJwks() {
        return keys.publicJwksJson();
    }

    public SecuritySettings settings() {
        return settings;
    }

    /** Handles a token request, reading registry changes the CLI made since the last one. */
    public TokenResponse token(String formBody) {
        try {
            users.reloadIfChanged();
            clients.reloadIfChanged();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the user or client registry", e);
        }
        return tokenEndpoint.handle(formBody);
    }

    /** True on a fresh install: nobody can get a token yet. */
    public boolean hasNoAccounts() {
        try {
            users.reloadIfChanged();
            clients.reloadIfChanged();
        } catch (IOException e) {
            return false;
        }
        return users.users().isEmpty() && clients.clients().isEmpty();
    }
}
