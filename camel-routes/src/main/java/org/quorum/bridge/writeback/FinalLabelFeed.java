package org.quorum.bridge.writeback;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.quorum.bridge.fhir.FhirPeer;
import org.quorum.bridge.ops.RouteStatus;
import org.quorum.bridge.store.Watermarks;

/**
 * Quorum's final, amended and corrected labels of one project, read page by page from a route's
 * watermark (less a minute of overlap, since several labels may share a timestamp); each label is
 * handed to the route, and the watermark advances past it. Both write-back routes (EHR and PACS)
 * read their labels through this one feed; what a route writes, and its exactly-once ledger, stay
 * in the route.
 */
final class FinalLabelFeed {

    private static final Duration OVERLAP = Duration.ofMinutes(1);

    /** What a route does with one label: whether it wrote something now. */
    interface Handler {
        boolean handle(Observation label);
    }

    private FinalLabelFeed() {}

    /**
     * One poll of the feed.
     *
     * @param what what the watermark stands for, as the route's status shows it
     * @throws org.quorum.bridge.resilience.PeerUnavailableException when Quorum stops answering;
     *     the next poll resumes at the watermark
     */
    static void poll(
            FhirPeer quorum,
            String project,
            Optional<Instant> start,
            String route,
            String what,
            Watermarks watermarks,
            RouteStatus status,
            Handler handler) {
        Optional<Instant> since = watermarks.get(route).map(w -> w.minus(OVERLAP)).or(() -> start);
        String url =
                "Observation?project=ResearchStudy/"
                        + project
                        + "&status=final,amended,corrected"
                        + since.map(s -> "&_lastUpdated=ge" + s).orElse("")
                        + "&_sort=_lastUpdated&_count=50";
        try {
            Bundle page =
                    quorum.call(
                            "final label search",
                            () ->
                                    quorum.client()
                                            .search()
                                            .byUrl(url)
                                            .returnBundle(Bundle.class)
                                            .execute());
            status.beginCycle(page.hasTotal() ? page.getTotal() : null);
            while (true) {
                int seen = 0;
                int written = 0;
                for (Bundle.BundleEntryComponent entry : page.getEntry()) {
                    if (!(entry.getResource() instanceof Observation label)) {
                        continue;
                    }
                    seen++;
                    if (handler.handle(label)) {
                        written++;
                    }
                    if (label.getMeta().hasLastUpdated()) {
                        watermarks.advance(
                                route, what, label.getMeta().getLastUpdated().toInstant());
                    }
                }
                status.advance(seen, written);
                Bundle current = page;
                if (current.getLink(Bundle.LINK_NEXT) == null) {
                    break;
                }
                page =
                        quorum.call(
                                "final label search, next page",
                                () -> quorum.client().loadPage().next(current).execute());
            }
            status.caughtUp();
        } catch (RuntimeException e) {
            status.failed(e.getMessage());
            throw e;
        }
    }
}
