package org.quorum.bridge.config;

import java.time.Duration;
import java.util.Set;
import org.quorum.config.ConfigSource;

/**
 * Retries (exponential backoff with jitter on 5xx and timeouts; {@code Retry-After} honoured on 429
 * and 503, up to {@code maxRetryAfter}) and the circuit breaker each endpoint has (retries run
 * outside it: a call refused by an open breaker is not retried but ends the cycle).
 *
 * @param breakerFailureRate percentage of failed calls in the window that opens the breaker
 * @param breakerWindow number of calls the failure rate is computed over
 * @param breakerOpenFor how long an open breaker refuses calls before letting one through
 */
public record ReliabilitySettings(
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration maxRetryAfter,
        int breakerFailureRate,
        int breakerWindow,
        Duration breakerOpenFor) {

    public static final String MAX_ATTEMPTS = "QUORUM_BRIDGE_RETRY_MAX_ATTEMPTS";
    public static final String INITIAL_BACKOFF = "QUORUM_BRIDGE_RETRY_INITIAL_BACKOFF";
    public static final String MAX_BACKOFF = "QUORUM_BRIDGE_RETRY_MAX_BACKOFF";
    public static final String MAX_RETRY_AFTER = "QUORUM_BRIDGE_RETRY_MAX_RETRY_AFTER";
    public static final String BREAKER_FAILURE_RATE = "QUORUM_BRIDGE_BREAKER_FAILURE_RATE";
    public static final String BREAKER_WINDOW = "QUORUM_BRIDGE_BREAKER_WINDOW";
    public static final String BREAKER_OPEN_FOR = "QUORUM_BRIDGE_BREAKER_OPEN_FOR";
    static final Set<String> KEYS =
            Set.of(
                    MAX_ATTEMPTS,
                    INITIAL_BACKOFF,
                    MAX_BACKOFF,
                    MAX_RETRY_AFTER,
                    BREAKER_FAILURE_RATE,
                    BREAKER_WINDOW,
                    BREAKER_OPEN_FOR);

    static ReliabilitySettings from(ConfigSource source) {
        return new ReliabilitySettings(
                source.intValue(MAX_ATTEMPTS, 6, 1, 100),
                source.duration(
                        INITIAL_BACKOFF,
                        Duration.ofSeconds(1),
                        Duration.ofMillis(10),
                        Duration.ofMinutes(10)),
                source.duration(
                        MAX_BACKOFF,
                        Duration.ofSeconds(60),
                        Duration.ofMillis(10),
                        Duration.ofHours(1)),
                source.duration(
                        MAX_RETRY_AFTER,
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                source.intValue(BREAKER_FAILURE_RATE, 50, 1, 100),
                source.intValue(BREAKER_WINDOW, 20, 2, 1000),
                source.duration(
                        BREAKER_OPEN_FOR,
                        Duration.ofSeconds(30),
                        Duration.ofMillis(100),
                        Duration.ofHours(1)));
    }
}
