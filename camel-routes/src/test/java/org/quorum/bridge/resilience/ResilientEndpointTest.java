package org.quorum.bridge.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.client.exceptions.FhirClientConnectionException;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quorum.bridge.config.BridgeSettings;
import org.quorum.bridge.config.ReliabilitySettings;
import org.quorum.config.ConfigSource;

class ResilientEndpointTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final List<Duration> waits = new ArrayList<>();

    private ReliabilitySettings settings(Map<String, String> values) {
        return BridgeSettingsAccess.reliability(ConfigSource.of(values));
    }

    private ResilientEndpoint endpoint(ReliabilitySettings settings) {
        return new ResilientEndpoint("ehr", settings, clock, waits::add, (e, f, d) -> {});
    }

    @Test
    void retry_after_is_honoured_and_capped() {
        ResilientEndpoint endpoint =
                endpoint(settings(Map.of("QUORUM_BRIDGE_RETRY_MAX_RETRY_AFTER", "30s")));
        AtomicInteger calls = new AtomicInteger();
        String answer =
                endpoint.call(
                        "search",
                        null,
                        () -> {
                            if (calls.incrementAndGet() == 1) {
                                throw new InternalErrorException("busy")
                                        .addResponseHeader("Retry-After", "7");
                            }
                            if (calls.get() == 2) {
                                throw new InternalErrorException("busy")
                                        .addResponseHeader("Retry-After", "3600");
                            }
                            return "ok";
                        });
        assertThat(answer).isEqualTo("ok");
        assertThat(waits).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(30));
        assertThat(Failure.parseRetryAfter("Thu, 01 Jan 2026 00:00:09 GMT", clock))
                .contains(Duration.ofSeconds(9));
    }

    @Test
    void transient_failures_back_off_exponentially_within_bounds_then_give_up() {
        ResilientEndpoint endpoint =
                endpoint(
                        settings(
                                Map.of(
                                        "QUORUM_BRIDGE_RETRY_MAX_ATTEMPTS", "5",
                                        "QUORUM_BRIDGE_RETRY_INITIAL_BACKOFF", "1s",
                                        "QUORUM_BRIDGE_RETRY_MAX_BACKOFF", "4s",
                                        "QUORUM_BRIDGE_BREAKER_WINDOW", "100")));
        assertThatThrownBy(
                        () ->
                                endpoint.call(
                                        "page 2",
                                        null,
                                        () -> {
                                            throw new FhirClientConnectionException(
                                                    "read timed out");
                                        }))
                .isInstanceOf(PeerUnavailableException.class)
                .hasMessageContaining("after 5 attempts");
        assertThat(waits).hasSize(4);
        long[][] bounds = {{500, 1000}, {1000, 2000}, {2000, 4000}, {2000, 4000}};
        for (int i = 0; i < 4; i++) {
            assertThat(waits.get(i).toMillis()).isBetween(bounds[i][0], bounds[i][1]);
        }
    }

    @Test
    void a_refusal_is_not_retried_and_401_refreshes_once() {
        ResilientEndpoint endpoint = endpoint(settings(Map.of()));
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(
                        () ->
                                endpoint.call(
                                        "transaction",
                                        null,
                                        () -> {
                                            calls.incrementAndGet();
                                            throw new UnprocessableEntityException("invalid");
                                        }))
                .isInstanceOf(PermanentFailureException.class)
                .hasMessageContaining("422");
        assertThat(calls).hasValue(1);
        AtomicInteger refreshed = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();
        String answer =
                endpoint.call(
                        "search",
                        refreshed::incrementAndGet,
                        () -> {
                            if (attempts.incrementAndGet() == 1) {
                                throw new AuthenticationException("expired");
                            }
                            return "ok";
                        });
        assertThat(answer).isEqualTo("ok");
        assertThat(refreshed).hasValue(1);
        assertThatThrownBy(
                        () ->
                                endpoint.call(
                                        "search",
                                        refreshed::incrementAndGet,
                                        () -> {
                                            throw new AuthenticationException("revoked");
                                        }))
                .isInstanceOf(PermanentFailureException.class)
                .hasMessageContaining("credentials");
        assertThat(waits).isEmpty();
    }

    @Test
    void an_open_breaker_refuses_at_once_without_calling() {
        ResilientEndpoint endpoint =
                endpoint(
                        settings(
                                Map.of(
                                        "QUORUM_BRIDGE_RETRY_MAX_ATTEMPTS", "1",
                                        "QUORUM_BRIDGE_BREAKER_WINDOW", "4",
                                        "QUORUM_BRIDGE_BREAKER_FAILURE_RATE", "50",
                                        "QUORUM_BRIDGE_BREAKER_OPEN_FOR", "1h")));
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(
                            () ->
                                    endpoint.call(
                                            "c",
                                            null,
                                            () -> {
                                                throw new InternalErrorException("down");
                                            }))
                    .isInstanceOf(PeerUnavailableException.class);
        }
        assertThat(endpoint.breaker().getState().name()).isEqualTo("OPEN");
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> endpoint.call("c", null, () -> calls.incrementAndGet()))
                .isInstanceOf(PeerUnavailableException.class)
                .hasMessageContaining("circuit breaker open");
        assertThat(calls).hasValue(0);
        // 4xx answers do not open it
        ResilientEndpoint other = endpoint(settings(Map.of("QUORUM_BRIDGE_BREAKER_WINDOW", "4")));
        for (int i = 0; i < 6; i++) {
            assertThatThrownBy(
                            () ->
                                    other.call(
                                            "c",
                                            null,
                                            () -> {
                                                throw new InvalidRequestException("bad");
                                            }))
                    .isInstanceOf(PermanentFailureException.class);
        }
        assertThat(other.breaker().getState().name()).isEqualTo("CLOSED");
    }

    /** Reaches the package-private factory of the settings record. */
    static final class BridgeSettingsAccess {
        static ReliabilitySettings reliability(ConfigSource source) {
            return org.quorum.bridge.config.TestAccess.reliability(source);
        }
    }

    @SuppressWarnings("unused")
    private static BridgeSettings unused() {
        return null;
    }
}
