package org.quorum.bridge.resilience;

/** A peer refused a request in a way no retry can fix (4xx other than 401, 408, 409, 429). */
public final class PermanentFailureException extends RuntimeException {

    private final Failure failure;

    public PermanentFailureException(String message, Failure failure, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
