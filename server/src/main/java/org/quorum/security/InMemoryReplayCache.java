package org.quorum.security;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link ReplayCache} in this JVM's memory: for one process, and for tests. */
public final class InMemoryReplayCache implements ReplayCache {

    /** At most this many assertion ids are remembered at once (each for five minutes at most). */
    static final int MAX_REMEMBERED_ASSERTIONS = 100_000;

    private final Map<String, Instant> seen = new ConcurrentHashMap<>();

    @Override
    public boolean firstUse(String clientId, String jti, Instant forgetAt, Instant now) {
        if (seen.size() >= MAX_REMEMBERED_ASSERTIONS) {
            seen.values().removeIf(t -> t.isBefore(now));
            if (seen.size() >= MAX_REMEMBERED_ASSERTIONS) {
                throw new IllegalStateException(
                        "too many client assertions in the last five minutes; retry later");
            }
        }
        Instant[] previous = new Instant[1];
        seen.compute(
                clientId + "\n" + jti,
                (k, old) -> {
                    previous[0] = old;
                    return old != null && !old.isBefore(now) ? old : forgetAt;
                });
        return previous[0] == null || previous[0].isBefore(now);
    }
}
