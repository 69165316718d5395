package org.quorum.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.quorum.config.SecuritySettings;

/**
 * The security capability, assembled: Quorum's signing keys, the token verifier every transport
 * uses, the token issuer and endpoint of the embedded authorisation server, the user and client
 * registries (in the {@link SecurityStore}, shared with the CLI and, on PostgreSQL, with every
 * node), the SMART discovery document and the access policy.
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

    /** The namespace of authorization codes and refresh tokens in the replay record. */
    static final String ONE_TIME_CREDENTIALS = "quorum:one-time-credential";

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

    /**
     * @param store where users, clients and keys live (files, or the shared database)
     * @param usedAssertions the client assertions already used (shared by the nodes)
     */
    public static SecurityService create(
            SecuritySettings settings,
            SecurityStore store,
            ReplayCache usedAssertions,
            Clock clock) {
        try {
            SigningKeys keys = SigningKeys.loadOrCreate(store);
            IssuerRecord.write(store, settings.issuer(), settings.audience());
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
            UserRegistry users = new UserRegistry(store);
            ClientRegistry clients = new ClientRegistry(store);
            String tokenUrl = tokenEndpointUrl(settings);
            AuthorizationCodeFlow codeFlow =
                    new AuthorizationCodeFlow(
                            keys,
                            settings.issuer(),
                            users,
                            issuer,
                            // Codes and rotated refresh tokens: used once across every node.
                            (id, forgetAfter, now) ->
                                    usedAssertions.firstUse(
                                            ONE_TIME_CREDENTIALS, id, forgetAfter, now),
                            clock);
            TokenEndpoint endpoint =
                    new TokenEndpoint(
                            issuer,
                            new ClientAssertionVerifier(clients, tokenUrl, clock, usedAssertions),
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
                    "Cannot read or create the security state in " + store.location(), e);
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
            throw new StateUnavailableException("the user registry cannot be read", e);
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
            throw new StateUnavailableException("the user or client registry cannot be read", e);
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
