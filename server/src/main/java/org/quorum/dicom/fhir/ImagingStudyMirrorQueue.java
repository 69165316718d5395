package org.quorum.dicom.fhir;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.quorum.dicom.store.StudyObserver;
import org.quorum.dicom.store.index.DicomIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Rebuilds FHIR ImagingStudy mirrors after the store has answered, not on the STOW-RS request path:
 * durable, coalescing, one worker thread per node.
 *
 * <p><b>Durable.</b> The transaction that indexes an instance also raises its study's stale count
 * (a row of {@code QRM_DICOM_MIRROR_QUEUE}). After that transaction commits the study is queued
 * here; the worker rebuilds the ImagingStudy and, in the same transaction, removes the row only if
 * its count is still the value the rebuild started from (else more instances arrived and the study
 * is queued again). A crash between the index commit and the rebuild loses nothing: the worker
 * scans the index for stale studies at start and whenever it is idle, which also picks up studies
 * another node left behind.
 *
 * <p><b>Coalescing.</b> A study's instances sent one per request (as modalities and gateways do)
 * cost one rebuild per burst, not one per instance: the worker waits until no study was queued for
 * {@link #SETTLE} (at most {@link #MAX_DELAY}), or until a reader waits.
 *
 * <p><b>Backpressure.</b> When {@link #MAX_BACKLOG} studies wait on this node, STOW-RS requests
 * wait for the worker before they answer (at most {@link #BACKLOG_WAIT}).
 *
 * <p><b>Consistency.</b> QIDO-RS and WADO-RS read the index, which is complete when the STOW-RS
 * response is sent. FHIR requests that can show an ImagingStudy call {@link #awaitCaughtUp} first
 * ({@link ImagingStudyMirrorBarrier}), so a client that reads the mirror after its STOW-RS response
 * sees every instance of it. Stores made in-process ({@link #studyChangedNow}, the SRs of labels)
 * rebuild at once, in the caller's transaction.
 */
public final class ImagingStudyMirrorQueue implements StudyObserver, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImagingStudyMirrorQueue.class);

    /** Rebuild attempts when another node wrote the same study's mirror at the same time. */
    private static final int ATTEMPTS = 3;

    /** How often an idle worker scans the index for stale studies (other nodes', failed ones). */
    private static final Duration SCAN_EVERY = Duration.ofSeconds(5);

    private static final int SCAN_LIMIT = 500;

    /**
     * How long the worker lets a queued study rest before rebuilding it, unless a reader waits:
     * instances sent one per request arrive milliseconds apart, and one rebuild after the burst
     * replaces one per instance.
     */
    static final Duration SETTLE = Duration.ofMillis(250);

    /**
     * Backpressure: when this many studies wait for their rebuild on this node, a STOW-RS request
     * waits (at most {@link #BACKLOG_WAIT}) before it answers, so that a sustained stream of new
     * studies cannot leave the mirror ever further behind.
     */
    static final int MAX_BACKLOG = 64;

    static final Duration BACKLOG_WAIT = Duration.ofSeconds(30);

    /** The longest a queued study waits for its rebuild under a steady stream of instances. */
    static final Duration MAX_DELAY = Duration.ofSeconds(2);

    private final ImagingStudyMirror mirror;
    private final DicomIndex index;
    private final TransactionTemplate transaction;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition progress = lock.newCondition();
    private final LinkedHashSet<String> queued = new LinkedHashSet<>();

    /** Queue requests so far, and how many of them the worker has completed (under lock). */
    private long requested;

    private long completed;

    /** When the last study was queued, and whether a reader waits (under lock). */
    private long lastQueuedNanos;

    private long firstQueuedNanos;

    private int readersWaiting;

    /** Studies of the worker's current batch not rebuilt yet (under lock). */
    private int inFlight;

    private volatile boolean running = true;
    private final Thread worker;

    public ImagingStudyMirrorQueue(
            ImagingStudyMirror mirror, DicomIndex index, PlatformTransactionManager transactions) {
        this.mirror = mirror;
        this.index = index;
        this.transaction = new TransactionTemplate(transactions);
        this.worker = new Thread(this::run, "quorum-imagingstudy-mirror");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    @Override
    public void studyChanged(String studyInstanceUid) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            // Queued once the caller's transaction has committed, when the worker can see it.
            TransactionSynchronizationManager.registerSynchronization(
                    new TransactionSynchronization() {
                        @Override
                        public void afterCommit() {
                            enqueue(List.of(studyInstanceUid));
                        }
                    });
        } else {
            enqueue(List.of(studyInstanceUid));
            awaitBacklogBelowLimit();
        }
    }

    private void awaitBacklogBelowLimit() {
        long deadline = System.nanoTime() + BACKLOG_WAIT.toNanos();
        lock.lock();
        try {
            while (queued.size() + inFlight >= MAX_BACKLOG && running) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return;
                }
                progress.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void studyChangedNow(String studyInstanceUid) {
        rebuild(studyInstanceUid);
    }

    /**
     * Waits until the worker has rebuilt every study queued on this node before the call and, with
     * {@code includeIndex}, every study the index marks stale (another node's); false when {@code
     * timeout} passed first.
     */
    public boolean awaitCaughtUp(boolean includeIndex, Duration timeout)
            throws InterruptedException {
        if (includeIndex) {
            // Also those whose last rebuild failed: the reader waits for one more attempt (a
            // failure costs milliseconds), so it never misses a mirror that can be built now.
            List<String> stale = index.mirrorPending(SCAN_LIMIT);
            if (!stale.isEmpty()) {
                enqueue(stale);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            long target = requested;
            if (completed >= target) {
                return true;
            }
            readersWaiting++;
            work.signalAll();
            try {
                while (completed < target) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0 || !running) {
                        return false;
                    }
                    progress.awaitNanos(remaining);
                }
                return true;
            } finally {
                readersWaiting--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether studies queued on this node wait for their rebuild. */
    public boolean busy() {
        lock.lock();
        try {
            return completed < requested;
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(List<String> studies) {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (queued.isEmpty()) {
                firstQueuedNanos = now;
            }
            queued.addAll(studies);
            requested++;
            lastQueuedNanos = now;
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try {
            enqueue(index.mirrorPending(SCAN_LIMIT));
        } catch (RuntimeException e) {
            LOG.warn("Could not scan for stale ImagingStudy mirrors: {}", e.getClass().getName());
        }
        while (running) {
            List<String> batch;
            long upTo;
            lock.lock();
            try {
                if (queued.isEmpty() && requested == completed) {
                    boolean signalled = work.await(SCAN_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                    if (!signalled && queued.isEmpty() && running) {
                        lock.unlock();
                        try {
                            scan();
                        } finally {
                            lock.lock();
                        }
                    }
                    continue;
                }
                long now = System.nanoTime();
                long settled =
                        Math.min(
                                        lastQueuedNanos + SETTLE.toNanos(),
                                        firstQueuedNanos + MAX_DELAY.toNanos())
                                - now;
                if (settled > 0 && readersWaiting == 0 && running) {
                    // More of the same studies may be on their way.
                    work.awaitNanos(settled);
                    continue;
                }
                batch = new ArrayList<>(queued);
                queued.clear();
                inFlight = batch.size();
                upTo = requested;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            for (String study : batch) {
                if (!running) {
                    return;
                }
                rebuild(study);
                lock.lock();
                try {
                    inFlight--;
                    progress.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            lock.lock();
            try {
                inFlight = 0;
                completed = Math.max(completed, upTo);
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void scan() {
        try {
            List<String> stale = index.mirrorPending(SCAN_LIMIT);
            if (!stale.isEmpty()) {
                enqueue(stale);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not scan for stale ImagingStudy mirrors: {}", e.getClass().getName());
        }
    }

    /** Rebuilds one study's mirror; leaves it stale (for a later scan) when that fails. */
    private void rebuild(String studyInstanceUid) {
        for (int attempt = 1; ; attempt++) {
            try {
                Boolean upToDate =
                        transaction.execute(tx -> rebuildInTransaction(studyInstanceUid));
                if (Boolean.FALSE.equals(upToDate)) {
                    // More instances arrived while it was rebuilt: once more with them.
                    studyChanged(studyInstanceUid);
                }
                return;
            } catch (RuntimeException e) {
                if (attempt < ATTEMPTS) {
                    // Typically another node mirrored the same study at the same moment: the
                    // next attempt reads the index again, with both nodes' instances.
                    continue;
                }
                LOG.warn(
                        "ImagingStudy mirror failed for a stored study (retried later): {}",
                        e.getClass().getSimpleName());
                LOG.debug("ImagingStudy mirror failure", e);
                return;
            }
        }
    }

    private boolean rebuildInTransaction(String studyInstanceUid) {
        int seen = index.mirrorStale(studyInstanceUid);
        if (seen == 0) {
            return true;
        }
        Optional<String> id = mirror.rebuild(studyInstanceUid);
        return id.isEmpty() || index.mirrorDone(studyInstanceUid, seen, id.get());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        lock.lock();
        try {
            work.signalAll();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
        worker.join(TimeUnit.SECONDS.toMillis(10));
    }
}
