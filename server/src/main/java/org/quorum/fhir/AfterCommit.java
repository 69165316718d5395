package org.quorum.fhir;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Work that follows a FHIR write once it is committed: storage interceptors {@link #add} the ids a
 * transaction wrote, and the action gets them all, once, after the commit (a transaction Bundle's
 * resources together; nothing when it rolls back). Outside a transaction the action runs at once.
 * The action runs in the request thread; it must open a transaction of its own (REQUIRES_NEW) to
 * write.
 */
public final class AfterCommit {

    private final Consumer<Set<String>> action;

    public AfterCommit(Consumer<Set<String>> action) {
        this.action = action;
    }

    /** Queues one resource id (e.g. {@code Observation/123}) of the current transaction. */
    public void add(String id) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.accept(Set.of(id));
            return;
        }
        Written written = (Written) TransactionSynchronizationManager.getResource(this);
        if (written == null) {
            written = new Written();
            TransactionSynchronizationManager.bindResource(this, written);
            TransactionSynchronizationManager.registerSynchronization(written);
        }
        written.ids.add(id);
    }

    /** The ids one transaction wrote. */
    private final class Written implements TransactionSynchronization {

        private final Set<String> ids = new LinkedHashSet<>();

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
