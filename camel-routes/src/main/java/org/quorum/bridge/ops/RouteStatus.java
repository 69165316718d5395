package org.quorum.bridge.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one route for {@code /status}, {@code quorum bridge status} and the progress line of
 * long backfills ({@code done / total, rate, ETA}). Totals come from the source (a search Bundle's
 * {@code total}) and are only a hint: the bridge follows {@code next} links to the end whatever the
 * total says.
 */
public final class RouteStatus {

    private static final Logger LOG = LoggerFactory.getLogger(RouteStatus.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private final String route;
    private final String kind;
    private final String description;
    private final Clock clock;

    private Instant cycleStart;
    private Integer total;
    private long done;
    private long delivered;
    private Instant lastProgressLine;
    private Instant lastCaughtUp;
    private String lastError;
    private boolean running;

    public RouteStatus(String route, String kind, String description, Clock clock) {
        this.route = route;
        this.kind = kind;
        this.description = description;
        this.clock = clock;
    }

    public String route() {
        return route;
    }

    public synchronized void beginCycle(Integer reportedTotal) {
        cycleStart = clock.instant();
        total = reportedTotal;
        done = 0;
        delivered = 0;
        running = true;
        lastProgressLine = cycleStart;
    }

    /** Counts records seen in this cycle; prints a progress line every few seconds. */
    public synchronized void advance(int records, int newlyDelivered) {
        done += records;
        delivered += newlyDelivered;
        Instant now = clock.instant();
        if (Duration.between(lastProgressLine, now).compareTo(PROGRESS_EVERY) >= 0) {
            lastProgressLine = now;
            LOG.info("{}", progressLine());
        }
    }

    /** The cycle reached the end of the source's changes. */
    public synchronized void caughtUp() {
        running = false;
        lastCaughtUp = cycleStart;
        lastError = null;
        if (delivered > 0) {
            LOG.info("{} (done)", progressLine());
        }
    }

    /**
     * The cycle stopped early (the peer is unavailable); the next one starts from the watermark.
     */
    public synchronized void failed(String error) {
        running = false;
        lastError = error;
    }

    /** Time since the route last reached the newest change of its source. */
    public synchronized Duration lag() {
        if (lastCaughtUp == null) {
            return cycleStart == null
                    ? Duration.ZERO
                    : Duration.between(cycleStart, clock.instant());
        }
        return Duration.between(lastCaughtUp, clock.instant());
    }

    public synchronized Optional<Instant> lastCaughtUp() {
        return Optional.ofNullable(lastCaughtUp);
    }

    public synchronized String progressLine() {
        double seconds =
                Math.max(0.001, Duration.between(cycleStart, clock.instant()).toMillis() / 1000.0);
        double rate = done / seconds;
        StringBuilder line =
                new StringBuilder(route)
                        .append(": ")
                        .append(String.format(Locale.ROOT, "%,d", done));
        if (total != null && total >= done) {
            line.append(
                    String.format(
                            Locale.ROOT,
                            " / %,d records (%d%%)",
                            total,
                            total == 0 ? 100 : done * 100 / total));
        } else if (total != null) {
            line.append(String.format(Locale.ROOT, " records (the source announced %,d)", total));
        } else {
            line.append(" records");
        }
        line.append(String.format(Locale.ROOT, ", %,d delivered, %.1f/s", delivered, rate));
        if (total != null && total > done && rate > 0) {
            long eta = Math.round((total - done) / rate);
            line.append(", ETA ").append(eta).append(" s");
        }
        return line.toString();
    }

    /** A snapshot for {@code /status}. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(
                route,
                kind,
                description,
                running ? "running" : lastError != null ? "failing" : "idle",
                cycleStart == null ? null : progressLine(),
                lastCaughtUp,
                lag().toSeconds(),
                lastError);
    }

    /** What {@code /status} shows for a route. */
    public record Snapshot(
            String route,
            String kind,
            String source,
            String state,
            String progress,
            Instant lastCaughtUp,
            long lagSeconds,
            String lastError) {}
}
