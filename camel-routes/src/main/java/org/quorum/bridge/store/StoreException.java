package org.quorum.bridge.store;

/** The bridge's database failed; the message names the operation, never stored PHI. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
