package org.quorum.security;

import java.time.Instant;

/**
 * The client assertions already used (RFC 7523 §3 item 7: the server "MAY ensure that JWTs are not
 * replayed by maintaining the set of used jti values for the length of time for which the JWT would
 * be considered valid"). Shared by every node when it is the database's ({@link
 * DatabaseReplayCache}), so that an assertion replayed to another node is refused too.
 */
public interface ReplayCache {

    /**
     * Records the first use of a client's assertion id.
     *
     * @param forgetAt when the assertion expires (it can be forgotten then)
     * @return false when the id was already used and has not expired: a replay
     * @throws StateUnavailableException when the cache cannot answer (a replay cannot be ruled out:
     *     the request must be refused, as temporarily unavailable)
     * @throws IllegalStateException when the cache is full
     */
    boolean firstUse(String clientId, String jti, Instant forgetAt, Instant now);
}
