package org.quorum.bridge.resilience;

/**
 * A peer (the EHR, Quorum) did not answer usefully after every retry, or its circuit breaker is
 * open: the current cycle stops where it is (nothing after the last committed batch is lost) and
 * the next poll starts again from the watermark.
 */
public final class PeerUnavailableException extends RuntimeException {

    private final Failure failure;

    public PeerUnavailableException(String message, Failure failure, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
