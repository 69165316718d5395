package org.quorum.security;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers one-time credentials (authorization codes, rotated refresh tokens) until they expire,
 * so that each is accepted once (RFC 6749 §4.1.2: "The client MUST NOT use the authorization code
 * more than once"). The server keeps them in the database with the used client assertions ({@link
 * DatabaseReplayCache}), so that a code redeemed on one node is refused on all; {@link #inMemory}
 * is for a single process and tests.
 */
public interface OnceOnly {

    /** Records {@code id} as used; false if it was used before (and has not expired). */
    boolean firstUse(String id, Instant forgetAfter, Instant now);

    /** In memory, for a single node. */
    static OnceOnly inMemory(int capacity) {
        Map<String, Instant> seen = new ConcurrentHashMap<>();
        return (id, forgetAfter, now) -> {
            if (seen.size() >= capacity) {
                seen.values().removeIf(expiry -> expiry.isBefore(now));
                if (seen.size() >= capacity) {
                    // Refuse rather than forget an unexpired one: a replay must never pass.
                    return false;
                }
            }
            return seen.putIfAbsent(id, forgetAfter) == null;
        };
    }
}
