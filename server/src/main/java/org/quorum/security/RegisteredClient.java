package org.quorum.security;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.net.URI;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A backend service registered to get tokens with SMART Backend Services (client credentials with a
 * {@code private_key_jwt} assertion, RFC 7523). The client holds its private key; Quorum holds its
 * public keys, inline ({@link #jwks}) or as a URL the client serves them at ({@link #jwksUri},
 * which lets the client rotate keys on its own).
 *
 * @param clientId the client id, also {@code iss} and {@code sub} of its assertions and {@code sub}
 *     of its tokens
 * @param jwks the client's public keys (RSA of 2048+ bits, EC P-256 or P-384, each with a {@code
 *     kid}); exactly one of {@code jwks} and {@code jwksUri}
 * @param jwksUri where the client publishes its public keys (https)
 * @param allowedScopes the most the client may be granted; {@code system/} scopes only
 * @param roles the roles its tokens carry, at least one
 * @param projects ids of the projects it belongs to
 * @see <a href="https://hl7.org/fhir/smart-app-launch/STU2/backend-services.html">SMART App Launch
 *     v2, Backend Services</a>
 */
public record RegisteredClient(
        String clientId,
        Optional<JWKSet> jwks,
        Optional<URI> jwksUri,
        ScopeSet allowedScopes,
        Set<Role> roles,
        Set<String> projects) {

    public RegisteredClient {
        Identifiers.checkName(clientId, "client id");
        Objects.requireNonNull(jwks, "jwks");
        Objects.requireNonNull(jwksUri, "jwksUri");
        if (jwks.isPresent() == jwksUri.isPresent()) {
            throw new IllegalArgumentException(
                    "client '" + clientId + "' needs either a JWKS or a JWKS URL, not both");
        }
        jwks.ifPresent(set -> checkKeys(clientId, set));
        jwksUri.ifPresent(RemoteJwks::checkUri);
        Objects.requireNonNull(allowedScopes, "allowedScopes");
        if (allowedScopes.isEmpty()) {
            throw new IllegalArgumentException(
                    "client '" + clientId + "' needs at least one scope, e.g. system/*.rs");
        }
        for (SmartScope scope : allowedScopes.scopes()) {
            if (scope.context().orElse(null) != SmartScope.Context.SYSTEM) {
                throw new IllegalArgumentException(
                        "scope '"
                                + scope
                                + "' cannot be granted to a backend service: use system/ scopes");
            }
        }
        roles = Set.copyOf(Objects.requireNonNull(roles, "roles"));
        if (roles.isEmpty()) {
            throw new IllegalArgumentException(
                    "client '" + clientId + "' needs at least one role, e.g. integration");
        }
        projects = Identifiers.checkProjects(Objects.requireNonNull(projects, "projects"));
    }

    private static void checkKeys(String clientId, JWKSet set) {
        if (set.isEmpty()) {
            throw new IllegalArgumentException("the JWKS of client '" + clientId + "' is empty");
        }
        Set<String> kids = new HashSet<>();
        for (JWK key : set.getKeys()) {
            // Never echo the key: it may be the private one by mistake.
            if (key.isPrivate()) {
                throw new IllegalArgumentException(
                        "the JWKS of client '"
                                + clientId
                                + "' contains private key material; register the public keys only"
                                + " and keep the private key with the client");
            }
            if (key.getKeyID() == null || !kids.add(key.getKeyID())) {
                // SMART Backend Services: assertions carry a kid, unique within the JWK Set.
                throw new IllegalArgumentException(
                        "every key in the JWKS of client '"
                                + clientId
                                + "' needs its own kid (SMART Backend Services)");
            }
            boolean usable =
                    (key instanceof RSAKey && key.size() >= JwsSignatures.MIN_RSA_BITS)
                            || (key instanceof ECKey
                                    && (Curve.P_256.equals(((ECKey) key).getCurve())
                                            || Curve.P_384.equals(((ECKey) key).getCurve())));
            if (!usable) {
                throw new IllegalArgumentException(
                        "key '"
                                + SmartScope.echo(key.getKeyID())
                                + "' of client '"
                                + clientId
                                + "' is neither RSA of 2048+ bits nor EC P-256/P-384");
            }
        }
    }

    /** A client with inline public keys. */
    public static RegisteredClient withJwks(
            String clientId,
            JWKSet jwks,
            ScopeSet allowedScopes,
            Set<Role> roles,
            Set<String> projects) {
        return new RegisteredClient(
                clientId, Optional.of(jwks), Optional.empty(), allowedScopes, roles, projects);
    }

    /** A client that publishes its public keys at a URL. */
    public static RegisteredClient withJwksUri(
            String clientId,
            URI jwksUri,
            ScopeSet allowedScopes,
            Set<Role> roles,
            Set<String> projects) {
        return new RegisteredClient(
                clientId, Optional.empty(), Optional.of(jwksUri), allowedScopes, roles, projects);
    }

    @Override
    public String toString() {
        return "RegisteredClient[clientId="
                + clientId
                + ", keys="
                + jwks.map(s -> s.getKeys().stream().map(JWK::getKeyID).toList().toString())
                        .orElseGet(() -> jwksUri.orElseThrow().toString())
                + ", allowedScopes="
                + allowedScopes
                + ", roles="
                + roles
                + ", projects="
                + projects
                + "]";
    }
}
