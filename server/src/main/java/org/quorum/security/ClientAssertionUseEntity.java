package org.quorum.security;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A client assertion already used ({@link DatabaseReplayCache}): SHA-256 of client id and {@code
 * jti}, kept until the assertion expires.
 */
@Entity
@Table(
        name = "QRM_CLIENT_ASSERTION",
        indexes = @Index(name = "IDX_QRM_CLIENT_ASSERTION_EXPIRY", columnList = "EXPIRES_AT"))
public class ClientAssertionUseEntity {

    @Id
    @Column(name = "ASSERTION_KEY", length = 64, nullable = false)
    String assertionKey;

    @Column(name = "EXPIRES_AT", nullable = false)
    Instant expiresAt;

    protected ClientAssertionUseEntity() {}
}
