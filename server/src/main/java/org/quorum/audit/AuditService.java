package org.quorum.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.hibernate.Session;
import org.hl7.fhir.r4.model.AuditEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Records an AuditEvent for every audited request, durably before the request is answered: the
 * transport calls {@link #record} before its response goes out, which commits the event to the
 * database outbox ({@link AuditOutbox}). A writer thread then stores the events as FHIR AuditEvent
 * resources (auditors search them like any resource), each batch in one transaction that also
 * deletes its outbox rows, so an event is stored exactly once, also across a crash and a restart:
 * whatever the outbox holds at start-up is drained then. Requests answered at the same time share
 * one outbox commit ({@link #appendGrouped}); the writer lets a part-filled batch wait up to {@link
 * #LINGER} for more.
 *
 * <p>A batch that fails is retried with a growing pause; an event that still fails after {@value
 * #MAX_ATTEMPTS} attempts stays in the outbox and the readiness check reports the writer stuck, as
 * it does when the oldest waiting event is older than {@link #STUCK_AFTER}.
 */
public final class AuditService implements AutoCloseable {

    static final int MAX_ATTEMPTS = 5;
    static final Duration STUCK_AFTER = Duration.ofSeconds(60);

    /**
     * How long the writer lets a part-filled batch wait for more events before it stores it. The
     * events are durable in the outbox from before their answer; the pause only decides when they
     * become searchable AuditEvents, and it turns one HAPI transaction per request into one per
     * batch (searches answered one at a time otherwise paid a store transaction each, on the same
     * cores as the requests). {@link #flush} skips it.
     */
    static final Duration LINGER = Duration.ofMillis(250);

    private static final int BATCH = 100;
    private static final Logger LOG = LoggerFactory.getLogger(AuditService.class);

    private final IFhirResourceDao<AuditEvent> dao;
    private final IParser json;
    private final AuditEventMapper mapper;
    private final AuditOutbox outbox;
    private final IHapiTransactionService transactions;
    private final EntityManager entities;
    private final Clock clock;
    private final Counter storedCounter;
    private final Counter failedCounter;
    private final AtomicLong lastAppended = new AtomicLong(-1);

    /** Events recorded on this node so far (the writer's cue that a batch has filled). */
    private final AtomicLong recordedCount = new AtomicLong();

    /** Callers of {@link #flush} waiting now: the writer then stores without lingering. */
    private final java.util.concurrent.atomic.AtomicInteger flushing =
            new java.util.concurrent.atomic.AtomicInteger();

    /** Events the outbox could not take (database unreachable), appended when it answers again. */
    private final Deque<String[]> unsaved = new ArrayDeque<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition drained = lock.newCondition();
    private volatile boolean running = true;
    private volatile Instant writerFailingSince;
    private final Thread writer;

    public AuditService(
            IFhirResourceDao<AuditEvent> dao,
            FhirContext fhir,
            AuditEventMapper mapper,
            AuditOutbox outbox,
            IHapiTransactionService transactions,
            EntityManagerFactory entityManagerFactory,
            MeterRegistry metrics,
            Clock clock) {
        this.dao = dao;
        this.json = fhir.newJsonParser();
        this.mapper = mapper;
        this.outbox = outbox;
        this.transactions = transactions;
        this.entities = SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory);
        this.clock = clock;
        this.storedCounter = metrics.counter("quorum.audit.events.stored");
        this.failedCounter = metrics.counter("quorum.audit.events.failed");
        Gauge.builder("quorum.audit.events.pending", this, AuditService::pendingOrMinusOne)
                .description("AuditEvents recorded and not yet stored as FHIR resources")
                .register(metrics);
        this.writer = new Thread(this::writeLoop, "quorum-audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Records one request's AuditEvent durably (committed to the outbox when this returns). Call it
     * before the response is sent.
     */
    public void record(AuditRecord record) {
        String payload;
        synchronized (json) {
            payload = json.encodeResourceToString(mapper.toAuditEvent(record));
        }
        try {
            appendGrouped(new AuditOutbox.Entry(record.recorded(), payload));
        } catch (SQLException e) {
            // The database is away: the request itself cannot be served durably either. Keep the
            // event for when it is back, and let the readiness check say so.
            failedCounter.increment();
            LOG.error(
                    "Could not record an AuditEvent ({} {}): database unreachable (SQL state {})",
                    record.interaction(),
                    record.httpStatus(),
                    e.getSQLState());
            synchronized (unsaved) {
                unsaved.add(new String[] {record.recorded().toString(), payload});
            }
        }
        recordedCount.incrementAndGet();
        signal();
    }

    /**
     * Records one request's AuditEvent within the caller's open transaction (on the platform's
     * transaction manager, as the DICOM index writes): it commits with that transaction, so the
     * request's data and its audit record reach the disk in one commit, and it is gone if the
     * transaction rolls back. {@code afterCommit} runs once both are committed (the transport then
     * knows not to record the request again).
     *
     * @throws IllegalStateException when no transaction is open
     */
    public void recordInTransaction(AuditRecord record, Runnable afterCommit) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("No open transaction to record the AuditEvent in");
        }
        String payload;
        synchronized (json) {
            payload = json.encodeResourceToString(mapper.toAuditEvent(record));
        }
        long id =
                entities.unwrap(Session.class)
                        .doReturningWork(
                                connection ->
                                        AuditOutbox.append(connection, record.recorded(), payload));
        TransactionSynchronizationManager.registerSynchronization(
                new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        lastAppended.accumulateAndGet(id, Math::max);
                        recordedCount.incrementAndGet();
                        signal();
                        afterCommit.run();
                    }
                });
    }

    /** An event waiting for its group commit. */
    private static final class Appending {
        final AuditOutbox.Entry entry;
        boolean done;
        Exception failure;

        Appending(AuditOutbox.Entry entry) {
            this.entry = entry;
        }
    }

    private final Object appendLock = new Object();
    private List<Appending> appendQueue = new ArrayList<>();
    private boolean appending;

    /**
     * Group commit: the first request thread to arrive commits its event and every event queued
     * while the previous commit ran, in one transaction; the others wait for the commit that holds
     * theirs. Each caller returns only once its own event is committed (or throws when that commit
     * failed), as with one commit per event, so nothing is answered before its audit record is
     * durable. Requests answered at the same time share one commit instead of queueing for one
     * each.
     */
    private void appendGrouped(AuditOutbox.Entry entry) throws SQLException {
        Appending mine = new Appending(entry);
        List<Appending> batch;
        boolean interrupted = false;
        synchronized (appendLock) {
            appendQueue.add(mine);
            while (appending && !mine.done) {
                try {
                    appendLock.wait();
                } catch (InterruptedException e) {
                    // The event must still be committed before the answer: wait on.
                    interrupted = true;
                }
            }
            if (!mine.done) {
                appending = true;
                batch = appendQueue;
                appendQueue = new ArrayList<>();
            } else {
                batch = List.of();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!batch.isEmpty()) {
            // Stays set unless the commit is known to have happened (also if an Error escapes).
            Exception failure = new IllegalStateException("the audit outbox commit did not finish");
            try {
                long id = outbox.appendAll(batch.stream().map(a -> a.entry).toList());
                lastAppended.accumulateAndGet(id, Math::max);
                failure = null;
            } catch (SQLException | RuntimeException e) {
                // Every event of the batch shares its commit's fate: none may pass as committed.
                failure = e;
            } finally {
                synchronized (appendLock) {
                    for (Appending a : batch) {
                        a.done = true;
                        a.failure = failure;
                    }
                    appending = false;
                    appendLock.notifyAll();
                }
            }
        }
        if (mine.failure instanceof SQLException e) {
            throw e;
        }
        if (mine.failure instanceof RuntimeException e) {
            throw e;
        }
    }

    private void append(Instant recorded, String payload) throws SQLException {
        long id = outbox.append(recorded, payload);
        lastAppended.accumulateAndGet(id, Math::max);
    }

    /** Waits until every event recorded so far is stored; false on timeout. */
    public boolean flush(Duration timeout) throws InterruptedException {
        flushing.incrementAndGet();
        try {
            return awaitDrained(timeout);
        } finally {
            flushing.decrementAndGet();
        }
    }

    private boolean awaitDrained(Duration timeout) throws InterruptedException {
        long target = lastAppended.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (unsavedCount() == 0 && (target < 0 || outbox.pendingUpTo(target) == 0)) {
                    return true;
                }
            } catch (SQLException e) {
                // Not drained while the database is away; keep waiting until the deadline.
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            lock.lock();
            try {
                work.signalAll();
                drained.await(
                        Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(200)),
                        TimeUnit.NANOSECONDS);
            } finally {
                lock.unlock();
            }
        }
    }

    /** The readiness view of the writer: up unless events are stuck or the outbox is away. */
    public org.quorum.ops.HealthService.Check health() {
        String name = "audit";
        if (!writer.isAlive()) {
            return new org.quorum.ops.HealthService.Check(name, false, "the audit writer stopped");
        }
        try {
            AuditOutbox.Backlog backlog = outbox.backlog(MAX_ATTEMPTS);
            long unsavedNow = unsavedCount();
            if (backlog.failing() > 0) {
                return new org.quorum.ops.HealthService.Check(
                        name,
                        false,
                        "audit writer stuck: "
                                + backlog.failing()
                                + " AuditEvent(s) failed "
                                + MAX_ATTEMPTS
                                + " times and wait in the outbox");
            }
            if (unsavedNow > 0) {
                return new org.quorum.ops.HealthService.Check(
                        name, false, unsavedNow + " AuditEvent(s) could not reach the outbox");
            }
            if (backlog.oldest().isPresent()
                    && backlog.oldest().get().isBefore(clock.instant().minus(STUCK_AFTER))) {
                return new org.quorum.ops.HealthService.Check(
                        name,
                        false,
                        "audit writer stuck: "
                                + backlog.pending()
                                + " AuditEvent(s) waiting, the oldest for more than "
                                + STUCK_AFTER.toSeconds()
                                + " s");
            }
            return new org.quorum.ops.HealthService.Check(
                    name, true, backlog.pending() + " waiting");
        } catch (SQLException e) {
            return new org.quorum.ops.HealthService.Check(
                    name, false, "outbox unreachable (SQL state " + e.getSQLState() + ")");
        }
    }

    private void writeLoop() {
        try {
            drainUntilStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainUntilStopped() throws InterruptedException {
        long pause = 0;
        while (running) {
            try {
                retryUnsaved();
                long seen = recordedCount.get();
                List<AuditOutbox.Pending> batch = outbox.oldest(BATCH, MAX_ATTEMPTS);
                if (batch.isEmpty()) {
                    writerFailingSince = null;
                    pause = 0;
                    awaitWork(Duration.ofSeconds(1));
                    continue;
                }
                if (batch.size() < BATCH && pause == 0 && lingerForMore(seen, batch.size())) {
                    batch = outbox.oldest(BATCH, MAX_ATTEMPTS);
                }
                if (storeBatch(batch) || storeOneByOne(batch)) {
                    writerFailingSince = null;
                    pause = 0;
                } else {
                    if (writerFailingSince == null) {
                        writerFailingSince = clock.instant();
                    }
                    pause = Math.min(30_000, Math.max(500, pause * 2));
                    awaitWork(Duration.ofMillis(pause));
                }
                signalDrained();
            } catch (SQLException e) {
                // The database is away; try again after a pause.
                LOG.warn("Audit outbox unreachable (SQL state {})", e.getSQLState());
                pause = Math.min(30_000, Math.max(500, pause * 2));
                awaitWork(Duration.ofMillis(pause));
            }
        }
    }

    /** Stores the batch in one transaction with the deletion of its outbox rows. */
    private boolean storeBatch(List<AuditOutbox.Pending> batch) {
        try {
            transactions
                    .withSystemRequest()
                    .withPropagation(Propagation.REQUIRES_NEW)
                    .execute(() -> store(batch));
            storedCounter.increment(batch.size());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** After a failed batch: each event alone, so one bad event does not hold up the others. */
    private boolean storeOneByOne(List<AuditOutbox.Pending> batch) throws SQLException {
        boolean any = false;
        for (AuditOutbox.Pending pending : batch) {
            try {
                transactions
                        .withSystemRequest()
                        .withPropagation(Propagation.REQUIRES_NEW)
                        .execute(() -> store(List.of(pending)));
                storedCounter.increment();
                any = true;
            } catch (RuntimeException e) {
                failedCounter.increment();
                // Names the error, never the event's content.
                LOG.error(
                        "Could not store AuditEvent outbox row {} (attempt {}): {}",
                        pending.id(),
                        pending.attempts() + 1,
                        e.getClass().getSimpleName());
                outbox.failed(pending.id(), e.getClass().getName());
            }
        }
        return any;
    }

    private Void store(List<AuditOutbox.Pending> batch) {
        for (AuditOutbox.Pending pending : batch) {
            AuditEvent event;
            synchronized (json) {
                event = json.parseResource(AuditEvent.class, pending.payload());
            }
            dao.create(event, new SystemRequestDetails());
        }
        int deleted =
                entities.createQuery("delete from AuditOutboxEntity e where e.id in :ids")
                        .setParameter("ids", batch.stream().map(AuditOutbox.Pending::id).toList())
                        .executeUpdate();
        if (deleted != batch.size()) {
            // Another node stored some of them first: roll back, never store an event twice.
            throw new IllegalStateException("outbox rows were taken by another writer");
        }
        return null;
    }

    private void retryUnsaved() throws SQLException {
        while (true) {
            String[] next;
            synchronized (unsaved) {
                next = unsaved.peek();
            }
            if (next == null) {
                return;
            }
            append(Instant.parse(next[0]), next[1]);
            synchronized (unsaved) {
                unsaved.poll();
            }
        }
    }

    private long unsavedCount() {
        synchronized (unsaved) {
            return unsaved.size();
        }
    }

    private double pendingOrMinusOne() {
        try {
            return outbox.backlog(MAX_ATTEMPTS).pending() + unsavedCount();
        } catch (SQLException e) {
            return -1;
        }
    }

    private void signal() {
        lock.lock();
        try {
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void signalDrained() {
        lock.lock();
        try {
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@link #LINGER} while fewer than a batch of events are known and nobody flushes;
     * true when it waited (the caller reads the outbox again).
     */
    private boolean lingerForMore(long seen, int have) throws InterruptedException {
        long deadline = System.nanoTime() + LINGER.toNanos();
        boolean waited = false;
        lock.lock();
        try {
            while (running && flushing.get() == 0 && have + (recordedCount.get() - seen) < BATCH) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                waited = true;
                work.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
        return waited;
    }

    private void awaitWork(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            drained.signalAll();
            work.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        try {
            flush(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
        signal();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
