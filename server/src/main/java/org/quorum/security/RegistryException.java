package org.quorum.security;

import java.io.IOException;
import java.util.Objects;

/**
 * A user or client registry file cannot be used, or a change to it conflicts with what it holds.
 * The message names the file or entry and what to do; it never contains a secret.
 */
public final class RegistryException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Stable codes. */
    public enum Code {
        /** The file is not valid JSON of the expected format, or an entry in it is invalid. */
        INVALID_FILE,
        /** An entry with this name or id already exists. */
        ALREADY_EXISTS,
        /** No entry with this name or id. */
        NOT_FOUND
    }

    private final Code code;

    public RegistryException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public Code code() {
        return code;
    }
}
