package org.quorum.security;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The endpoints of an external OpenID Connect provider, read from its discovery document ({@code
 * <issuer>/.well-known/openid-configuration}, OpenID Connect Discovery 1.0 §4) for the reviewer
 * UI's browser sign-in. Fetched when first needed (the provider may start after Quorum), kept for
 * an hour, and fetched again at most every 10 s while it fails (a provider that starts after Quorum
 * is offered soon after).
 *
 * <p>The same transport rules as for the provider's keys ({@link RemoteJwks#checkUri}): https, or
 * plain http to a loopback address only; no redirects; at most {@value RemoteJwks#MAX_BYTES} bytes.
 * The document must name the configured issuer exactly (Discovery §4.3: otherwise an attacker's
 * document could send users to another provider), and its authorization and token endpoints must
 * follow the same transport rules.
 */
public final class OidcDiscovery {

    static final Duration MAX_AGE = Duration.ofHours(1);
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(10);

    /** What the UI needs from the provider. */
    public record Endpoints(URI authorizationEndpoint, URI tokenEndpoint) {}

    /** The discovery document could not be fetched or is not acceptable. */
    public static final class UnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message) {
            super(message);
        }
    }

    private final String issuer;
    private final URI documentUri;
    private final HttpClient http;
    private final Clock clock;

    private Endpoints cached; // guarded by this
    private Instant fetchedAt; // guarded by this
    private Instant lastAttempt; // guarded by this
    private String lastFailure = "not fetched yet"; // guarded by this

    public OidcDiscovery(String issuer, HttpClient http, Clock clock) {
        this.issuer = TokenIssuer.requireText(issuer, "issuer");
        this.documentUri =
                RemoteJwks.checkUri(
                        URI.create(
                                issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration"),
                        "discovery URL");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** With a client that follows no redirect and gives up connecting after 5 s. */
    public OidcDiscovery(String issuer, Clock clock) {
        this(issuer, TokenVerifier.defaultHttpClient(), clock);
    }

    /** The provider's endpoints, fetched if not known or older than an hour. */
    public synchronized Endpoints endpoints() throws UnavailableException {
        Instant now = clock.instant();
        boolean stale = cached == null || !now.isBefore(fetchedAt.plus(MAX_AGE));
        if (stale && (lastAttempt == null || !now.isBefore(lastAttempt.plus(RETRY_INTERVAL)))) {
            lastAttempt = now;
            try {
                cached = fetch();
                fetchedAt = now;
            } catch (UnavailableException e) {
                lastFailure = e.getMessage();
            }
        }
        if (cached == null) {
            throw new UnavailableException(
                    "the discovery document at " + documentUri + " is unusable: " + lastFailure);
        }
        // A stale document is still used when the refetch failed: the provider may be restarting.
        return cached;
    }

    /** The endpoints if they were fetched already; never fetches. */
    public synchronized java.util.Optional<Endpoints> known() {
        return java.util.Optional.ofNullable(cached);
    }

    private Endpoints fetch() throws UnavailableException {
        HttpRequest request =
                HttpRequest.newBuilder(documentUri)
                        .timeout(RemoteJwks.REQUEST_TIMEOUT)
                        .header("Accept", "application/json")
                        .GET()
                        .build();
        JsonNode document;
        try {
            HttpResponse<InputStream> response =
                    http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new UnavailableException("HTTP status " + response.statusCode());
                }
                byte[] bytes = body.readNBytes(RemoteJwks.MAX_BYTES + 1);
                if (bytes.length > RemoteJwks.MAX_BYTES) {
                    throw new UnavailableException(
                            "larger than " + RemoteJwks.MAX_BYTES + " bytes");
                }
                document = Json.MAPPER.readTree(bytes);
            }
        } catch (IOException e) {
            throw new UnavailableException(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        }
        if (document == null || !document.isObject()) {
            throw new UnavailableException("not a JSON object");
        }
        if (!issuer.equals(document.path("issuer").asText(null))) {
            throw new UnavailableException(
                    "it names another issuer than " + issuer + " (OpenID Connect Discovery §4.3)");
        }
        JsonNode methods = document.path("code_challenge_methods_supported");
        if (methods.isArray()) {
            boolean s256 = false;
            for (JsonNode method : methods) {
                s256 |= "S256".equals(method.asText());
            }
            if (!s256) {
                throw new UnavailableException("the provider does not support PKCE with S256");
            }
        }
        return new Endpoints(
                endpoint(document, "authorization_endpoint"), endpoint(document, "token_endpoint"));
    }

    private static URI endpoint(JsonNode document, String name) throws UnavailableException {
        String value = document.path(name).asText("");
        if (value.isEmpty()) {
            throw new UnavailableException("it has no " + name);
        }
        try {
            return RemoteJwks.checkUri(URI.create(value), name);
        } catch (IllegalArgumentException e) {
            throw new UnavailableException(e.getMessage());
        }
    }
}
