package org.quorum.storage;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a failure caused by the database being away (stopped, restarting, unreachable) from other
 * failures, so that every transport answers it as 503 Service Unavailable with {@code Retry-After}
 * (the request may succeed in a moment, on this node or another) rather than as an internal error.
 */
public final class DatabaseFailures {

    /** Seconds a client should wait before retrying while the database is away. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private DatabaseFailures() {}

    /** Whether {@code failure}, or any of its causes, says the database cannot be reached. */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLNonTransientConnectionException
                    || cause instanceof org.hibernate.exception.JDBCConnectionException
                    || cause
                            instanceof
                            org.springframework.transaction.CannotCreateTransactionException
                    || cause
                            instanceof org.springframework.dao.DataAccessResourceFailureException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // SQL:2008 class 08 (connection exception); PostgreSQL 57P01-57P03 (admin
                // shutdown, crash shutdown, cannot connect now: starting or stopping).
                if (state.startsWith("08") || state.startsWith("57P")) {
                    return true;
                }
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
