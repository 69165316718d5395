package org.quorum.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An AuditEvent recorded before its request was answered and not yet stored as a FHIR resource (the
 * durable outbox {@link AuditOutbox} drains).
 */
@Entity
@Table(name = "QRM_AUDIT_OUTBOX")
public class AuditOutboxEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    @Column(name = "ID")
    Long id;

    @Column(name = "RECORDED_AT", nullable = false)
    Instant recordedAt;

    @Column(name = "ATTEMPTS", nullable = false)
    int attempts;

    /** Why the last attempt to store it failed (a fixed phrase and the error class, no content). */
    @Column(name = "LAST_ERROR", length = 300)
    String lastError;

    /** The AuditEvent as FHIR JSON. */
    @Column(name = "PAYLOAD", length = 1_000_000, nullable = false)
    String payload;

    protected AuditOutboxEntity() {}
}
