package org.quorum.security;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A JWK Set fetched from a URL (an identity provider's {@code jwks_uri}, or a registered client's),
 * cached, and refetched when it is older than {@code maxAge} or when a token names a {@code kid} it
 * does not hold. Fetches are at least {@code minRefreshInterval} apart, successful or not, so a
 * stream of tokens with made-up key ids cannot turn Quorum into a request amplifier against the
 * identity provider.
 *
 * <p>Only {@code https} URLs are accepted, except {@code http} to a loopback address (a provider on
 * the same host, and tests). Redirects are not followed; responses over {@value #MAX_BYTES} bytes
 * are refused.
 */
final class RemoteJwks {

    static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);
    static final Duration DEFAULT_MIN_REFRESH_INTERVAL = Duration.ofSeconds(60);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_BYTES = 512 * 1024;

    /** The keys could not be fetched and none are cached. */
    static final class UnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message) {
            super(message);
        }
    }

    private final URI uri;
    private final HttpClient http;
    private final Clock clock;
    private final Duration maxAge;
    private final Duration minRefreshInterval;

    private JWKSet cached; // guarded by this
    private Instant fetchedAt; // guarded by this
    private Instant lastAttempt; // guarded by this
    private int fetches; // guarded by this
    private String lastFailure = "not fetched yet"; // guarded by this

    RemoteJwks(
            URI uri, HttpClient http, Clock clock, Duration maxAge, Duration minRefreshInterval) {
        this.uri = checkUri(uri);
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.minRefreshInterval = Objects.requireNonNull(minRefreshInterval, "minRefreshInterval");
    }

    /**
     * Checks that a JWKS URL is https, or http to a loopback address.
     *
     * @throws IllegalArgumentException saying why not
     */
    static URI checkUri(URI uri) {
        return checkUri(uri, "JWKS URL");
    }

    /**
     * Checks that a URL of an identity provider ({@code what}: its JWKS, discovery document or an
     * endpoint) is https, or http to a loopback address.
     *
     * @throws IllegalArgumentException saying why not
     */
    static URI checkUri(URI uri, String what) {
        Objects.requireNonNull(uri, what);
        String scheme = String.valueOf(uri.getScheme());
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException(
                    what + " '" + uri + "' is not an absolute https URL");
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw new IllegalArgumentException(
                    what
                            + " '"
                            + uri
                            + "' must use https (plain http is allowed to loopback addresses only):"
                            + " what goes in clear text could be read or replaced on the way");
        }
        return uri;
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        // Literal addresses only: a name that resolves to loopback today may not tomorrow.
        if (!host.matches("[0-9.]+|\\[[0-9A-Fa-f:.]+\\]")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    URI uri() {
        return uri;
    }

    /** The cached keys, fetched first if there are none yet or they are older than max age. */
    synchronized JWKSet current() throws UnavailableException {
        Instant now = clock.instant();
        boolean stale = cached == null || !now.isBefore(fetchedAt.plus(maxAge));
        if (stale && mayFetch(now)) {
            fetch(now);
        }
        if (cached == null) {
            throw new UnavailableException(
                    "the keys at " + uri + " could not be fetched (" + lastFailure + ")");
        }
        // A stale set is still used when the refetch failed: the provider may be restarting.
        return cached;
    }

    /**
     * Refetches because a token named an unknown key, unless the last fetch was less than the
     * minimum refresh interval ago.
     *
     * @return whether a fetch succeeded now
     */
    synchronized boolean refreshForUnknownKey() {
        Instant now = clock.instant();
        if (!mayFetch(now)) {
            return false;
        }
        return fetch(now);
    }

    private boolean mayFetch(Instant now) {
        return lastAttempt == null || !now.isBefore(lastAttempt.plus(minRefreshInterval));
    }

    private boolean fetch(Instant now) {
        lastAttempt = now;
        fetches++;
        HttpRequest request =
                HttpRequest.newBuilder(uri)
                        .timeout(REQUEST_TIMEOUT)
                        .header("Accept", "application/jwk-set+json, application/json")
                        .GET()
                        .build();
        try {
            HttpResponse<InputStream> response =
                    http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    lastFailure = "HTTP status " + response.statusCode();
                    return false;
                }
                byte[] bytes = body.readNBytes(MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    lastFailure = "response larger than " + MAX_BYTES + " bytes";
                    return false;
                }
                // Only public keys are kept, should a provider publish more than it should.
                cached = JWKSet.parse(new String(bytes, StandardCharsets.UTF_8)).toPublicJWKSet();
                fetchedAt = now;
                return true;
            }
        } catch (ParseException e) {
            lastFailure = "not a JWK Set: " + e.getMessage();
            return false;
        } catch (IOException e) {
            lastFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lastFailure = "interrupted";
            return false;
        }
    }

    /** Why the last fetch failed, for error messages. */
    synchronized String lastFailure() {
        return lastFailure;
    }

    /** How many fetches were attempted (for tests and metrics). */
    synchronized int fetchCount() {
        return fetches;
    }
}
