package org.quorum.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.r4.model.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores an AuditEvent for every audited request, in the FHIR store itself (auditors search it like
 * any resource). Requests hand their records to a bounded queue and a single writer thread stores
 * them, so auditing does not add a database write to each request's latency. When the queue is
 * full, requests wait: an access must never go unrecorded.
 */
public final class AuditService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditService.class);
    private static final AuditRecord STOP =
            new AuditRecord(
                    java.time.Instant.EPOCH,
                    "stop",
                    AuditRecord.Action.EXECUTE,
                    0,
                    "",
                    java.util.Optional.empty(),
                    java.util.Optional.empty(),
                    List.of(),
                    java.util.Optional.empty(),
                    "",
                    List.of(),
                    List.of(),
                    java.util.Optional.empty());

    private final IFhirResourceDao<AuditEvent> dao;
    private final AuditEventMapper mapper;
    private final BlockingQueue<AuditRecord> queue = new ArrayBlockingQueue<>(10_000);
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final Counter storedCounter;
    private final Counter failedCounter;
    private final Thread writer;

    public AuditService(
            IFhirResourceDao<AuditEvent> dao, AuditEventMapper mapper, MeterRegistry metrics) {
        this.dao = dao;
        this.mapper = mapper;
        this.storedCounter = metrics.counter("quorum.audit.events.stored");
        this.failedCounter = metrics.counter("quorum.audit.events.failed");
        this.writer = new Thread(this::writeLoop, "quorum-audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Queues a record; blocks while the queue is full. */
    public void record(AuditRecord record) {
        submitted.incrementAndGet();
        try {
            queue.put(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            storeNow(List.of(record));
        }
    }

    /** Waits until every record submitted so far is stored (or failed); false on timeout. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long target = submitted.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stored) {
            while (stored.get() < target) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(stored, remaining);
            }
        }
        return true;
    }

    private void writeLoop() {
        List<AuditRecord> batch = new ArrayList<>();
        while (true) {
            try {
                AuditRecord first = queue.take();
                if (first == STOP) {
                    return;
                }
                batch.add(first);
                queue.drainTo(batch, 99);
                boolean stop = batch.remove(STOP);
                storeNow(batch);
                batch.clear();
                if (stop) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void storeNow(List<AuditRecord> records) {
        for (AuditRecord record : records) {
            try {
                dao.create(mapper.toAuditEvent(record), new SystemRequestDetails());
                storedCounter.increment();
            } catch (RuntimeException e) {
                // Keep writing the others; the failure is counted and logged without content.
                failedCounter.increment();
                LOG.error(
                        "Could not store an AuditEvent ({} {}): {}",
                        record.interaction(),
                        record.httpStatus(),
                        e.getMessage()); // names elements and pseudonymous ids, not content
            }
        }
        synchronized (stored) {
            stored.addAndGet(records.size());
            stored.notifyAll();
        }
    }

    @Override
    public void close() {
        try {
            flush(Duration.ofSeconds(30));
            queue.put(STOP);
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
