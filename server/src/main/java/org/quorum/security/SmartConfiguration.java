package org.quorum.security;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The document served at {@code /.well-known/smart-configuration} (SMART App Launch v2 §2.1,
 * "Metadata"), describing Quorum's own authorization server. Quorum offers no authorization
 * endpoint (no app launch): only backend services and, optionally, the password grant.
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
        List<String> grants = new ArrayList<>(List.of("client_credentials"));
        if (passwordGrantEnabled) {
            grants.add("password");
        }
        strings(doc, "grant_types_supported", grants);
        strings(doc, "token_endpoint_auth_methods_supported", List.of("private_key_jwt"));
        strings(
                doc,
                "token_endpoint_auth_signing_alg_values_supported",
                ClientAssertionVerifier.ACCEPTED_ALGORITHMS.stream()
                        .map(JWSAlgorithm::getName)
                        .toList());
        strings(doc, "scopes_supported", scopesSupported);
        // Quorum issues no authorization codes, so there is no PKCE method to list (SMART asks
        // for S256 where the authorization code grant is offered).
        strings(doc, "code_challenge_methods_supported", List.of());
        strings(doc, "capabilities", List.of("client-confidential-asymmetric", "permission-v2"));
        return Json.write(doc);
    }

    private static void strings(ObjectNode doc, String name, List<String> values) {
        ArrayNode array = doc.putArray(name);
        values.forEach(array::add);
    }
}
