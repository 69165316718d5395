package org.quorum.security;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The document served at {@code /.well-known/smart-configuration} (SMART App Launch v2 §2.1,
 * "Metadata"), describing Quorum's own authorization server: backend services, the authorization
 * code grant with PKCE for its own browser app (standalone launch, public client) and, optionally,
 * the password grant.
 *
 * @see <a href="https://hl7.org/fhir/smart-app-launch/STU2/conformance.html">SMART App Launch v2,
 *     Conformance</a>
 */
public final class SmartConfiguration {

    /** The scopes advertised by default. */
    public static final List<String> DEFAULT_SCOPES_SUPPORTED =
            List.of("system/*.cruds", "system/*.rs", "user/*.cruds", "user/*.rs", "fhirUser");

    private final String issuer;
    private final String tokenEndpoint;
    private final String jwksUri;
    private final List<String> scopesSupported;
    private final boolean passwordGrantEnabled;
    private final java.util.Optional<String> authorizationEndpoint;

    /**
     * @param issuer Quorum's issuer URL (the {@code iss} of its tokens)
     * @param tokenEndpoint the token endpoint URL (the {@code aud} of client assertions)
     * @param jwksUri where Quorum serves {@link SigningKeys#publicJwksJson()}
     * @param scopesSupported scopes to advertise, e.g. {@link #DEFAULT_SCOPES_SUPPORTED}
     * @param passwordGrantEnabled whether {@link TokenEndpoint} offers the password grant
     */
    public SmartConfiguration(
            String issuer,
            String tokenEndpoint,
            String jwksUri,
            List<String> scopesSupported,
            boolean passwordGrantEnabled) {
        this(
                issuer,
                tokenEndpoint,
                jwksUri,
                scopesSupported,
                passwordGrantEnabled,
                java.util.Optional.empty());
    }

    /**
     * @param authorizationEndpoint the authorization endpoint of the code flow with PKCE
     */
    public SmartConfiguration(
            String issuer,
            String tokenEndpoint,
            String jwksUri,
            List<String> scopesSupported,
            boolean passwordGrantEnabled,
            java.util.Optional<String> authorizationEndpoint) {
        this.authorizationEndpoint = Objects.requireNonNull(authorizationEndpoint);
        this.issuer = TokenIssuer.requireText(issuer, "issuer");
        this.tokenEndpoint = TokenIssuer.requireText(tokenEndpoint, "tokenEndpoint");
        this.jwksUri = TokenIssuer.requireText(jwksUri, "jwksUri");
        this.scopesSupported = List.copyOf(Objects.requireNonNull(scopesSupported));
        this.passwordGrantEnabled = passwordGrantEnabled;
    }

    /** The JSON document, content type {@code application/json}. */
    public String toJson() {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("issuer", issuer);
        doc.put("jwks_uri", jwksUri);
        doc.put("token_endpoint", tokenEndpoint);
        authorizationEndpoint.ifPresent(url -> doc.put("authorization_endpoint", url));
        List<String> grants = new ArrayList<>(List.of("client_credentials"));
        if (authorizationEndpoint.isPresent()) {
            grants.add("authorization_code");
            grants.add("refresh_token");
        }
        if (passwordGrantEnabled) {
            grants.add("password");
        }
        strings(doc, "grant_types_supported", grants);
        strings(
                doc,
                "token_endpoint_auth_methods_supported",
                authorizationEndpoint.isPresent()
                        ? List.of("private_key_jwt", "none")
                        : List.of("private_key_jwt"));
        strings(
                doc,
                "token_endpoint_auth_signing_alg_values_supported",
                ClientAssertionVerifier.ACCEPTED_ALGORITHMS.stream()
                        .map(JWSAlgorithm::getName)
                        .toList());
        strings(doc, "scopes_supported", scopesSupported);
        // SMART App Launch v2 §2.1: S256 is required where the authorization code grant is
        // offered; "plain" is not supported.
        strings(
                doc,
                "code_challenge_methods_supported",
                authorizationEndpoint.isPresent() ? List.of("S256") : List.of());
        List<String> capabilities =
                new ArrayList<>(List.of("client-confidential-asymmetric", "permission-v2"));
        if (authorizationEndpoint.isPresent()) {
            capabilities.addAll(List.of("launch-standalone", "client-public", "permission-user"));
            doc.putArray("response_types_supported").add("code");
        }
        strings(doc, "capabilities", capabilities);
        return Json.write(doc);
    }

    private static void strings(ObjectNode doc, String name, List<String> values) {
        ArrayNode array = doc.putArray(name);
        values.forEach(array::add);
    }
}
