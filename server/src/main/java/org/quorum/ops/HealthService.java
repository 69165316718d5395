package org.quorum.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Liveness (the process answers) and readiness (the database answers a query within a deadline).
 * Readiness is what a load balancer or orchestrator should route on.
 */
public final class HealthService {

    /** The outcome of one check. */
    public record Check(String name, boolean up, String detail) {}

    /** The outcome of all checks. */
    public record Report(boolean up, Map<String, Check> checks) {}

    private final DataSource dataSource;
    private final Duration databaseTimeout;
    private final List<Supplier<Check>> checks;

    /**
     * @param checks further readiness checks of the capabilities (e.g. the audit writer)
     */
    public HealthService(
            DataSource dataSource, Duration databaseTimeout, List<Supplier<Check>> checks) {
        this.dataSource = dataSource;
        this.databaseTimeout = databaseTimeout;
        this.checks = List.copyOf(checks);
    }

    public Report liveness() {
        return new Report(true, Map.of());
    }

    public Report readiness() {
        Map<String, Check> checks = new LinkedHashMap<>();
        Check database = database();
        checks.put(database.name(), database);
        if (database.up()) {
            for (Supplier<Check> check : this.checks) {
                Check result = check.get();
                checks.put(result.name(), result);
            }
        }
        return new Report(checks.values().stream().allMatch(Check::up), checks);
    }

    private Check database() {
        long start = System.nanoTime();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.setQueryTimeout((int) Math.max(1, databaseTimeout.toSeconds()));
            statement.execute("SELECT 1");
            long millis = (System.nanoTime() - start) / 1_000_000;
            return new Check("database", true, "answered in " + millis + " ms");
        } catch (SQLException e) {
            // The SQL state says what failed without echoing connection details.
            return new Check("database", false, "unreachable (SQL state " + e.getSQLState() + ")");
        }
    }
}
