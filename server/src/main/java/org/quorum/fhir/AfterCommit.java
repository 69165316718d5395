package org.quorum.fhir;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Work that follows a FHIR write once it is committed: storage interceptors {@link #add} what a
 * transaction wrote (ids, or what the work needs of the written resources), and the action gets
 * them all, once, after the commit (a transaction Bundle's resources together; nothing when it
 * rolls back, and nothing is kept). Outside a transaction the action runs at once. The action runs
 * in the request thread; it must open a transaction of its own (REQUIRES_NEW) to write.
 */
public final class AfterCommit<T> {

    private final Consumer<Set<T>> action;

    public AfterCommit(Consumer<Set<T>> action) {
        this.action = action;
    }

    /** Queues one item (e.g. the id {@code Observation/123}) of the current transaction. */
    public void add(T id) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.accept(Set.of(id));
            return;
        }
        @SuppressWarnings("unchecked") // bound by this class only, under this instance as key
        Written written = (Written) TransactionSynchronizationManager.getResource(this);
        if (written == null) {
            written = new Written();
            TransactionSynchronizationManager.bindResource(this, written);
            TransactionSynchronizationManager.registerSynchronization(written);
        }
        written.ids.add(id);
    }

    /** What one transaction wrote. */
    private final class Written implements TransactionSynchronization {

        private final Set<T> ids = new LinkedHashSet<>();

        @Override
        public void afterCommit() {
            action.accept(ids);
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(AfterCommit.this);
        }
    }
}
