package org.quorum.bridge.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.factories.DefaultJWSSignerFactory;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.quorum.bridge.config.ClientAuth;
import org.quorum.bridge.resilience.Failure;
import org.quorum.bridge.resilience.HttpStatusException;

/**
 * SMART Backend Services (SMART App Launch v2, "Backend Services"): client credentials grant with a
 * private_key_jwt client assertion (RFC 7523): {@code iss} = {@code sub} = client id, {@code aud} =
 * the token endpoint, a unique {@code jti}, valid for five minutes. The access token is cached
 * until a minute before it expires.
 *
 * @see <a href="https://hl7.org/fhir/smart-app-launch/backend-services.html">SMART Backend
 *     Services</a>
 */
public final class SmartTokenClient {

    /** RFC 7523 §2.2. */
    public static final String ASSERTION_TYPE =
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private final ClientAuth.Smart settings;
    private final URI fhirBase;
    private final ClientKeys.SigningKey key;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private URI tokenEndpoint;
    private String token;
    private Instant expires = Instant.MIN;

    public SmartTokenClient(
            ClientAuth.Smart settings,
            URI fhirBase,
            Duration connectTimeout,
            Duration timeout,
            Clock clock) {
        this.settings = settings;
        this.fhirBase = fhirBase;
        this.key = ClientKeys.load(settings.keyFile());
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.tokenEndpoint = settings.tokenUrl().orElse(null);
    }

    /** A valid access token, requested when the cached one is missing or about to expire. */
    public synchronized String accessToken() {
        if (token == null || clock.instant().isAfter(expires.minusSeconds(60))) {
            request();
        }
        return token;
    }

    /** Forgets the cached token (after a 401). */
    public synchronized void invalidate() {
        token = null;
    }

    private void request() {
        URI endpoint = tokenEndpoint();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("scope", settings.scope());
        form.put("client_assertion_type", ASSERTION_TYPE);
        form.put("client_assertion", assertion(endpoint));
        String body =
                form.entrySet().stream()
                        .map(
                                e ->
                                        e.getKey()
                                                + "="
                                                + URLEncoder.encode(
                                                        e.getValue(), StandardCharsets.UTF_8))
                        .collect(Collectors.joining("&"));
        HttpResponse<String> response =
                send(
                        HttpRequest.newBuilder(endpoint)
                                .timeout(timeout)
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("Accept", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build());
        JsonNode answer = parse(response.body(), "token response");
        if (!answer.hasNonNull("access_token")) {
            throw new HttpStatusException(
                    502,
                    Optional.empty(),
                    "the token endpoint " + endpoint + " sent no access_token");
        }
        token = answer.get("access_token").asText();
        long seconds = answer.path("expires_in").asLong(300);
        expires = clock.instant().plusSeconds(seconds);
    }

    private String assertion(URI endpoint) {
        Instant now = clock.instant();
        JWTClaimsSet claims =
                new JWTClaimsSet.Builder()
                        .issuer(settings.clientId())
                        .subject(settings.clientId())
                        .audience(endpoint.toString())
                        .jwtID(UUID.randomUUID().toString())
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(300)))
                        .build();
        JWSHeader header =
                new JWSHeader.Builder(key.algorithm())
                        .keyID(key.key().getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build();
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            JWSSigner signer =
                    new DefaultJWSSignerFactory().createJWSSigner(key.key(), key.algorithm());
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(
                    "Cannot sign the client assertion: " + e.getMessage(), e);
        }
    }

    /** The token endpoint: configured, or from {@code .well-known/smart-configuration}. */
    private URI tokenEndpoint() {
        if (tokenEndpoint == null) {
            String base = fhirBase.toString().replaceAll("/+$", "");
            HttpResponse<String> response =
                    send(
                            HttpRequest.newBuilder(
                                            URI.create(base + "/.well-known/smart-configuration"))
                                    .timeout(timeout)
                                    .header("Accept", "application/json")
                                    .GET()
                                    .build());
            JsonNode discovery = parse(response.body(), "SMART configuration");
            if (!discovery.hasNonNull("token_endpoint")) {
                throw new HttpStatusException(
                        502,
                        Optional.empty(),
                        base + "/.well-known/smart-configuration names no token_endpoint");
            }
            tokenEndpoint = URI.create(discovery.get("token_endpoint").asText());
        }
        return tokenEndpoint;
    }

    private HttpResponse<String> send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() / 100 != 2) {
            Optional<Duration> retryAfter =
                    response.headers()
                            .firstValue("Retry-After")
                            .flatMap(v -> Failure.parseRetryAfter(v, clock));
            throw new HttpStatusException(
                    response.statusCode(),
                    retryAfter,
                    request.method()
                            + " "
                            + request.uri()
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + brief(response.body()));
        }
        return response;
    }

    private JsonNode parse(String body, String what) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new HttpStatusException(502, Optional.empty(), "unreadable " + what);
        }
    }

    private static String brief(String body) {
        String text = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return text.length() > 200 ? text.substring(0, 197) + "..." : text;
    }
}
