package org.quorum.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.quorum.config.SecuritySettings;
import org.quorum.config.SecuritySettings.ExternalIssuerSettings;
import org.quorum.security.OidcDiscovery;

/**
 * What the reviewer UI needs to sign in, served at {@code /ui/config.json} without a token: the
 * sign-in providers it may offer, each with its endpoints and the public client the UI is there.
 * Quorum's own issuer is always first; an external OpenID Connect provider follows when one is
 * configured with a UI client id ({@code QUORUM_AUTH_EXTERNAL_CLIENT_ID}), its endpoints read from
 * its discovery document ({@link OidcDiscovery}). When that document cannot be read, the provider
 * is listed with the reason, so that the UI can say why the choice is not available.
 *
 * <p>Also decides the origins the page may send requests to (Content-Security-Policy {@code
 * connect-src}): this server, and the external provider's token endpoint.
 */
final class UiConfiguration {

    /** Quorum's own public client (docs/security.md, "Browsers"). */
    static final String OWN_CLIENT_ID = "quorum-ui";

    static final String OWN_SCOPE = "openid fhirUser user/*.cruds online_access";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final SecuritySettings settings;
    private final Optional<OidcDiscovery> external;

    UiConfiguration(SecuritySettings settings, Optional<OidcDiscovery> external) {
        this.settings = settings;
        this.external = external;
    }

    /** For the configured external provider, when it has a UI client id. */
    static Optional<ExternalIssuerSettings> browserProvider(SecuritySettings settings) {
        return settings.external().filter(e -> e.uiClientId().isPresent());
    }

    String toJson() {
        String issuer = settings.issuer();
        ObjectNode doc = MAPPER.createObjectNode();
        ArrayNode providers = doc.putArray("providers");
        ObjectNode own = providers.addObject();
        own.put("id", "quorum");
        own.put("name", "Quorum account");
        own.put("issuer", issuer);
        own.put("authorization_endpoint", issuer + "/auth/authorize");
        own.put("token_endpoint", issuer + "/auth/token");
        own.put("client_id", OWN_CLIENT_ID);
        own.put("redirect_uri", issuer + "/ui/");
        own.put("scope", OWN_SCOPE);
        own.put("aud", issuer + "/fhir");
        browserProvider(settings)
                .ifPresent(
                        ext -> {
                            ObjectNode node = providers.addObject();
                            node.put("id", "external");
                            node.put("name", ext.name());
                            node.put("issuer", ext.issuer());
                            node.put("client_id", ext.uiClientId().orElseThrow());
                            node.put("redirect_uri", issuer + "/ui/");
                            node.put("scope", ext.uiScope());
                            // RFC 8707: the audience as a resource indicator, when it is a URI
                            // (providers such as Keycloak ignore it and use their mappers).
                            if (isAbsoluteUri(ext.audience())) {
                                node.put("resource", ext.audience());
                            }
                            try {
                                OidcDiscovery.Endpoints endpoints =
                                        external.orElseThrow().endpoints();
                                node.put(
                                        "authorization_endpoint",
                                        endpoints.authorizationEndpoint().toString());
                                node.put("token_endpoint", endpoints.tokenEndpoint().toString());
                            } catch (OidcDiscovery.UnavailableException e) {
                                node.put("unavailable", e.getMessage());
                            }
                        });
        doc.put("session_endpoint", "/auth/session");
        return doc.toString();
    }

    /**
     * {@code connect-src}: this server, and the external provider's issuer and token endpoint
     * origins (the endpoint when its discovery document can be read).
     *
     * @param fetch whether the discovery document may be fetched now (for the page itself; the
     *     policy of scripts and style sheets does not govern anything, so they need no fetch)
     */
    String connectSources(boolean fetch) {
        Set<String> sources = new LinkedHashSet<>();
        sources.add("'self'");
        browserProvider(settings)
                .ifPresent(
                        ext -> {
                            sources.add(origin(URI.create(ext.issuer())));
                            OidcDiscovery discovery = external.orElseThrow();
                            try {
                                (fetch ? Optional.of(discovery.endpoints()) : discovery.known())
                                        .ifPresent(e -> sources.add(origin(e.tokenEndpoint())));
                            } catch (OidcDiscovery.UnavailableException e) {
                                // Not known yet: the issuer's origin covers most providers.
                            }
                        });
        return String.join(" ", sources);
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static boolean isAbsoluteUri(String value) {
        try {
            URI uri = new URI(value);
            return uri.isAbsolute() && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }
}
