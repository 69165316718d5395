package org.quorum.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.CannotCreateTransactionException;

class DatabaseFailuresTest {

    @Test
    void a_database_that_is_away_is_told_apart_at_any_depth_of_the_cause_chain() {
        assertThat(
                        DatabaseFailures.isUnavailable(
                                new IllegalStateException(
                                        "wrapped",
                                        new CannotCreateTransactionException("no connection"))))
                .isTrue();
        assertThat(DatabaseFailures.isUnavailable(new SQLTransientConnectionException("pool")))
                .isTrue();
        // PostgreSQL: connection refused (08001), admin shutdown (57P01), starting up (57P03).
        for (String state : new String[] {"08001", "08006", "57P01", "57P03"}) {
            assertThat(
                            DatabaseFailures.isUnavailable(
                                    new RuntimeException(new SQLException("x", state))))
                    .as(state)
                    .isTrue();
        }
    }

    @Test
    void constraint_violations_and_other_errors_are_not_unavailability() {
        assertThat(
                        DatabaseFailures.isUnavailable(
                                new DataIntegrityViolationException(
                                        "duplicate", new SQLException("dup", "23505"))))
                .isFalse();
        assertThat(DatabaseFailures.isUnavailable(new SQLException("syntax", "42601"))).isFalse();
        assertThat(DatabaseFailures.isUnavailable(new NullPointerException())).isFalse();
    }
}
