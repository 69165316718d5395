package org.quorum.bridge.resilience;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.quorum.bridge.config.ReliabilitySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls to one peer endpoint (the EHR, Quorum): a circuit breaker around each call, and retries
 * outside it. Transient failures are retried with exponential backoff and full jitter, or after the
 * server's {@code Retry-After} (429, 503) when it gives one, up to the configured number of
 * attempts; a 401 refreshes the credentials once. While the breaker is open no call is made: the
 * caller gets {@link PeerUnavailableException} at once and ends its cycle.
 *
 * <p>Only failures of the peer open the breaker (5xx, time-outs, refused connections); 4xx answers
 * are the request's fault and 429 is the server pacing us.
 */
public final class ResilientEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(ResilientEndpoint.class);

    /** Something to do before retrying after a 401 (drop a cached token). */
    public interface CredentialsRefresher {
        void refresh();
    }

    /** Waits between attempts; tests and shutdown interrupt it. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Observes retries (metrics). */
    public interface RetryListener {
        void retrying(String endpoint, Failure failure, Duration delay);
    }

    private final String name;
    private final ReliabilitySettings settings;
    private final CircuitBreaker breaker;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RetryListener listener;

    public ResilientEndpoint(
            String name,
            ReliabilitySettings settings,
            Clock clock,
            Sleeper sleeper,
            RetryListener listener) {
        this.name = name;
        this.settings = settings;
        this.clock = clock;
        this.sleeper = sleeper;
        this.listener = listener;
        this.breaker =
                CircuitBreaker.of(
                        name,
                        CircuitBreakerConfig.custom()
                                .failureRateThreshold(settings.breakerFailureRate())
                                .slidingWindowSize(settings.breakerWindow())
                                .minimumNumberOfCalls(Math.min(settings.breakerWindow(), 5))
                                .waitDurationInOpenState(settings.breakerOpenFor())
                                .permittedNumberOfCallsInHalfOpenState(1)
                                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                                .recordException(
                                        error -> {
                                            Failure failure = Failure.of(error, clock);
                                            return failure.kind() == Failure.Kind.TRANSIENT
                                                    && failure.status() != 429;
                                        })
                                .build());
    }

    public String name() {
        return name;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * Runs {@code call} with retries.
     *
     * @param what what the call does, for messages ("search page 3 of ehr-1")
     * @throws PeerUnavailableException when transient failures outlast the retries, or the breaker
     *     is open
     * @throws PermanentFailureException when the peer refuses the request
     */
    public <T> T call(String what, CredentialsRefresher refresher, Callable<T> call) {
        boolean refreshed = false;
        Failure last = null;
        Throwable lastError = null;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            try {
                return breaker.executeCallable(call);
            } catch (CallNotPermittedException e) {
                Failure open =
                        new Failure(
                                Failure.Kind.TRANSIENT,
                                0,
                                java.util.Optional.empty(),
                                "circuit breaker of " + name + " is open");
                throw new PeerUnavailableException(
                        name + " is unavailable (circuit breaker open): " + what, open, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PeerUnavailableException(
                        "interrupted: " + what,
                        new Failure(
                                Failure.Kind.TRANSIENT,
                                0,
                                java.util.Optional.empty(),
                                "interrupted"),
                        e);
            } catch (Exception e) {
                Failure failure = Failure.of(e, clock);
                last = failure;
                lastError = e;
                if (failure.kind() == Failure.Kind.PERMANENT) {
                    throw new PermanentFailureException(
                            name + " refused " + what + ": " + failure.description(), failure, e);
                }
                if (failure.kind() == Failure.Kind.UNAUTHORIZED) {
                    if (refreshed || refresher == null) {
                        throw new PermanentFailureException(
                                name
                                        + " refused the bridge's credentials for "
                                        + what
                                        + ": "
                                        + failure.description(),
                                failure,
                                e);
                    }
                    refresher.refresh();
                    refreshed = true;
                    attempt--; // a fresh token is not a retry of a failure
                    continue;
                }
                if (attempt == settings.maxAttempts()) {
                    break;
                }
                Duration delay = delay(attempt, failure);
                LOG.warn(
                        "{}: {} failed ({}), attempt {} of {}; retrying in {} ms",
                        name,
                        what,
                        failure.description(),
                        attempt,
                        settings.maxAttempts(),
                        delay.toMillis());
                listener.retrying(name, failure, delay);
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new PeerUnavailableException(
                            "interrupted while waiting to retry " + what, failure, interrupted);
                }
            }
        }
        throw new PeerUnavailableException(
                name
                        + " did not answer "
                        + what
                        + " after "
                        + settings.maxAttempts()
                        + " attempts: "
                        + last.description(),
                last,
                lastError);
    }

    /** Retry-After when the server sent one (capped), else exponential backoff, full jitter. */
    Duration delay(int attempt, Failure failure) {
        if (failure.retryAfter().isPresent()) {
            Duration asked = failure.retryAfter().get();
            return asked.compareTo(settings.maxRetryAfter()) > 0 ? settings.maxRetryAfter() : asked;
        }
        long base = settings.initialBackoff().toMillis();
        long cap = settings.maxBackoff().toMillis();
        long exponential = Math.min(cap, base << Math.min(attempt - 1, 30));
        // AWS architecture blog, "Exponential Backoff and Jitter": full jitter spreads retries of
        // many clients; keep half of the step so that a retry never comes back at once.
        long jittered = exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
        return Duration.ofMillis(jittered);
    }
}
