package org.quorum.bridge.resilience;

import java.time.Duration;
import java.util.Optional;

/** A non-FHIR HTTP call (token endpoint, discovery) answered with an error status. */
public final class HttpStatusException extends RuntimeException {

    private final int status;
    private final transient Optional<Duration> retryAfter;

    public HttpStatusException(int status, Optional<Duration> retryAfter, String message) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
