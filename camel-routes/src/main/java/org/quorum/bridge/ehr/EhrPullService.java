package org.quorum.bridge.ehr;

import ca.uhn.fhir.rest.gclient.TokenClientParam;
import ca.uhn.fhir.util.FhirTerser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.instance.model.api.IAnyResource;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.quorum.bridge.config.EhrSettings;
import org.quorum.bridge.fhir.FhirPeer;
import org.quorum.bridge.ingest.IngestService;
import org.quorum.bridge.ops.BridgeMetrics;
import org.quorum.bridge.ops.RouteStatus;
import org.quorum.bridge.resilience.PeerUnavailableException;
import org.quorum.bridge.store.DeliveryLedger;
import org.quorum.bridge.store.Watermarks;

/**
 * Pulls one cohort query from the EHR, incrementally: {@code _lastUpdated=ge(watermark − overlap)}
 * sorted by {@code _lastUpdated}, page by page through the {@code next} links; hits already
 * delivered (same type/id/versionId) are skipped; each page's new hits go to {@link IngestService}
 * with the resources they reference (the followed types, fetched in a few searches per page) and
 * their attachments inlined. The watermark moves to a page's newest {@code lastUpdated} only once
 * Quorum has committed that page.
 *
 * @see <a href="https://hl7.org/fhir/R4/search.html#lastUpdated">FHIR R4 search: _lastUpdated</a>
 */
public final class EhrPullService {

    private static final int ID_BATCH = 50;

    private final String route;
    private final String query;
    private final String type;
    private final EhrSettings settings;
    private final FhirPeer ehr;
    private final FhirTerser terser;
    private final IngestService ingest;
    private final Watermarks watermarks;
    private final DeliveryLedger ledger;
    private final RouteStatus status;
    private final BridgeMetrics metrics;
    private final Clock clock;

    public EhrPullService(
            String route,
            String query,
            EhrSettings settings,
            FhirPeer ehr,
            FhirTerser terser,
            IngestService ingest,
            Watermarks watermarks,
            DeliveryLedger ledger,
            RouteStatus status,
            BridgeMetrics metrics,
            Clock clock) {
        this.route = route;
        this.query = query;
        this.type = query.contains("?") ? query.substring(0, query.indexOf('?')) : query;
        this.settings = settings;
        this.ehr = ehr;
        this.terser = terser;
        this.ingest = ingest;
        this.watermarks = watermarks;
        this.ledger = ledger;
        this.status = status;
        this.metrics = metrics;
        this.clock = clock;
    }

    public String route() {
        return route;
    }

    /**
     * One poll: from the watermark to the newest change. Returns normally when caught up; throws
     * {@link PeerUnavailableException} when the EHR or Quorum stopped answering (the watermark
     * stays at the last committed page).
     */
    public void pollOnce() {
        Optional<Instant> watermark = watermarks.get(route);
        Optional<Instant> since =
                watermark.map(w -> w.minus(settings.overlap())).or(settings::start);
        String url = searchUrl(since);
        Map<String, Resource> cache = new HashMap<>();
        Map<String, String> conditionalCache = new HashMap<>();
        try {
            Bundle page =
                    ehr.call(
                            "search " + route,
                            () ->
                                    ehr.client()
                                            .search()
                                            .byUrl(url)
                                            .returnBundle(Bundle.class)
                                            .execute());
            status.beginCycle(page.hasTotal() ? page.getTotal() : null);
            int pageNumber = 1;
            while (true) {
                List<IngestService.Hit> hits = new ArrayList<>();
                Instant newest = null;
                for (Bundle.BundleEntryComponent entry : page.getEntry()) {
                    if (!entry.hasResource()
                            || !type.equals(entry.getResource().fhirType())
                            || (entry.hasSearch()
                                    && entry.getSearch().getMode()
                                            == Bundle.SearchEntryMode.INCLUDE)) {
                        continue;
                    }
                    Resource resource = entry.getResource();
                    Instant updated =
                            resource.getMeta().hasLastUpdated()
                                    ? resource.getMeta().getLastUpdated().toInstant()
                                    : null;
                    if (updated != null && (newest == null || updated.isAfter(newest))) {
                        newest = updated;
                    }
                    hits.add(new IngestService.Hit(key(resource), resource));
                }
                List<IngestService.Hit> fresh =
                        hits.stream().filter(h -> !ledger.isDone(route, h.key())).toList();
                metrics.received(route, fresh.size());
                Optional<IngestService.WatermarkAdvance> advance =
                        Optional.ofNullable(newest)
                                .map(n -> new IngestService.WatermarkAdvance(query, n));
                IngestService.Batch batch;
                if (!fresh.isEmpty()) {
                    long fetching = System.nanoTime();
                    for (IngestService.Hit hit : fresh) {
                        inlineAttachments(hit.resource());
                    }
                    Map<String, String> conditionals = new LinkedHashMap<>();
                    Map<String, Resource> related =
                            resolve(
                                    fresh.stream().map(IngestService.Hit::resource).toList(),
                                    cache,
                                    conditionalCache,
                                    conditionals);
                    metrics.stage("ehr", System.nanoTime() - fetching);
                    batch =
                            new IngestService.Batch(
                                    route,
                                    ehr.base().toString(),
                                    fresh,
                                    related,
                                    conditionals,
                                    advance);
                } else {
                    // nothing new: only the watermark moves, after the page before it committed
                    batch =
                            new IngestService.Batch(
                                    route,
                                    ehr.base().toString(),
                                    List.of(),
                                    Map.of(),
                                    Map.of(),
                                    advance);
                }
                // De-identify this page while Quorum commits the previous one; deliveries stay
                // in page order, so the watermark never passes an uncommitted page.
                IngestService.Ready ready = ingest.prepare(batch);
                status.advance(hits.size(), pipeline.awaitPrevious());
                pipeline.send(ready);
                Bundle.BundleLinkComponent next = page.getLink(Bundle.LINK_NEXT);
                if (next == null || !next.hasUrl()) {
                    break;
                }
                Bundle current = page;
                pageNumber++;
                int number = pageNumber;
                long paging = System.nanoTime();
                page =
                        ehr.call(
                                "page " + number + " of " + route,
                                () -> ehr.client().loadPage().next(current).execute());
                metrics.stage("ehr", System.nanoTime() - paging);
            }
            status.advance(0, pipeline.awaitPrevious());
            status.caughtUp();
        } catch (RuntimeException e) {
            pipeline.drain();
            status.failed(e.getMessage());
            throw e;
        }
    }

    /** One delivery in flight at a time, on its own thread, in the order pages were read. */
    private final class Pipeline {
        private final ExecutorService sender =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread thread = new Thread(r, route + "-deliver");
                            thread.setDaemon(true);
                            return thread;
                        });
        private Future<IngestService.Outcome> inFlight;

        /** Waits for the delivery in flight; returns its delivered count, rethrows its failure. */
        int awaitPrevious() {
            if (inFlight == null) {
                return 0;
            }
            Future<IngestService.Outcome> previous = inFlight;
            inFlight = null;
            try {
                return previous.get().delivered();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PeerUnavailableException(
                        "interrupted while delivering",
                        new org.quorum.bridge.resilience.Failure(
                                org.quorum.bridge.resilience.Failure.Kind.TRANSIENT,
                                0,
                                Optional.empty(),
                                "interrupted"),
                        e);
            }
        }

        void send(IngestService.Ready ready) {
            inFlight = sender.submit(ready::deliver);
        }

        /** After a failure: let the delivery in flight end (its own failure is already moot). */
        void drain() {
            if (inFlight != null) {
                try {
                    inFlight.get();
                } catch (ExecutionException e) {
                    // the cycle already fails with the first error; this one comes again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inFlight = null;
            }
        }
    }

    private final Pipeline pipeline = new Pipeline();

    String searchUrl(Optional<Instant> since) {
        StringBuilder url =
                new StringBuilder(ehr.base().toString().replaceAll("/+$", ""))
                        .append('/')
                        .append(query)
                        .append(query.contains("?") ? '&' : '?');
        since.ifPresent(
                s ->
                        url.append("_lastUpdated=")
                                .append(
                                        URLEncoder.encode(
                                                "ge" + DateTimeFormatter.ISO_INSTANT.format(s),
                                                StandardCharsets.UTF_8))
                                .append('&'));
        url.append("_sort=_lastUpdated&_count=").append(settings.pageSize());
        return url.toString();
    }

    /** {@code Type/id/_history/versionId}: a new version of a record is a new record to deliver. */
    static String key(Resource resource) {
        String version =
                resource.getMeta().hasVersionId()
                        ? resource.getMeta().getVersionId()
                        : resource.getMeta().hasLastUpdated()
                                ? Long.toString(resource.getMeta().getLastUpdated().getTime())
                                : "0";
        return resource.fhirType()
                + "/"
                + resource.getIdElement().getIdPart()
                + "/_history/"
                + version;
    }

    /** Attachments given by URL (Binary on the EHR) are fetched, so the note text is scrubbed. */
    private void inlineAttachments(Resource hit) {
        for (Attachment attachment :
                terser.getAllPopulatedChildElementsOfType(hit, Attachment.class)) {
            if (attachment.hasData() || !attachment.hasUrl()) {
                continue;
            }
            String literal = IngestService.literal(attachment.getUrl());
            if (literal == null || !literal.startsWith("Binary/")) {
                continue;
            }
            String id = literal.substring("Binary/".length());
            Binary binary =
                    ehr.call(
                            "read attachment of " + route,
                            () -> ehr.client().read().resource(Binary.class).withId(id).execute());
            attachment.setData(binary.getData());
            if (!attachment.hasContentType() && binary.hasContentType()) {
                attachment.setContentType(binary.getContentType());
            }
        }
    }

    /**
     * The resources of the followed types that the hits reference, transitively: literal references
     * fetched by {@code _id} searches (50 ids a search), conditional ones ({@code
     * Practitioner?identifier=…}) by a search each, both cached for the poll.
     */
    private Map<String, Resource> resolve(
            List<Resource> hits,
            Map<String, Resource> cache,
            Map<String, String> conditionalCache,
            Map<String, String> conditionals) {
        Map<String, Resource> related = new LinkedHashMap<>();
        List<Resource> frontier = new ArrayList<>(hits);
        for (int depth = 0; depth < 4 && !frontier.isEmpty(); depth++) {
            Map<String, Set<String>> idsByType = new LinkedHashMap<>();
            Set<String> conditionalRefs = new LinkedHashSet<>();
            for (Resource resource : frontier) {
                for (Reference reference :
                        terser.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
                    if (!reference.hasReference()) {
                        continue;
                    }
                    String value = reference.getReference();
                    if (value.contains("?")) {
                        String refType = value.substring(0, value.indexOf('?'));
                        if (settings.follow().contains(refType)) {
                            conditionalRefs.add(value);
                        }
                        continue;
                    }
                    String literal = IngestService.literal(value);
                    if (literal == null) {
                        continue;
                    }
                    String refType = literal.substring(0, literal.indexOf('/'));
                    if (settings.follow().contains(refType) && !related.containsKey(literal)) {
                        idsByType
                                .computeIfAbsent(refType, t -> new LinkedHashSet<>())
                                .add(literal.substring(literal.indexOf('/') + 1));
                    }
                }
            }
            List<Resource> next = new ArrayList<>();
            for (String conditional : conditionalRefs) {
                String literal =
                        conditionalCache.computeIfAbsent(
                                conditional, c -> searchConditional(c, cache));
                if (literal.isEmpty()) {
                    continue;
                }
                conditionals.put(conditional, literal);
                if (!related.containsKey(literal)) {
                    idsByType
                            .computeIfAbsent(
                                    literal.substring(0, literal.indexOf('/')),
                                    t -> new LinkedHashSet<>())
                            .add(literal.substring(literal.indexOf('/') + 1));
                }
            }
            for (Map.Entry<String, Set<String>> byType : idsByType.entrySet()) {
                String refType = byType.getKey();
                List<String> missing = new ArrayList<>();
                for (String id : byType.getValue()) {
                    Resource cached = cache.get(refType + "/" + id);
                    if (cached != null) {
                        if (related.putIfAbsent(refType + "/" + id, cached) == null) {
                            next.add(cached);
                        }
                    } else {
                        missing.add(id);
                    }
                }
                for (int i = 0; i < missing.size(); i += ID_BATCH) {
                    List<String> chunk = missing.subList(i, Math.min(missing.size(), i + ID_BATCH));
                    for (Resource found : searchByIds(refType, chunk)) {
                        String literal = IngestService.typeAndId(found);
                        cache.put(literal, found);
                        if (related.putIfAbsent(literal, found) == null) {
                            next.add(found);
                        }
                    }
                }
            }
            frontier = next;
        }
        return related;
    }

    private List<Resource> searchByIds(String refType, List<String> ids) {
        List<Resource> found = new ArrayList<>();
        Bundle page =
                ehr.call(
                        "fetch " + ids.size() + " " + refType + " for " + route,
                        () ->
                                ehr.client()
                                        .search()
                                        .forResource(refType)
                                        .where(
                                                new TokenClientParam(IAnyResource.SP_RES_ID)
                                                        .exactly()
                                                        .codes(ids))
                                        .count(ids.size())
                                        .returnBundle(Bundle.class)
                                        .execute());
        while (true) {
            for (Bundle.BundleEntryComponent entry : page.getEntry()) {
                if (entry.hasResource() && refType.equals(entry.getResource().fhirType())) {
                    found.add(entry.getResource());
                }
            }
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                return found;
            }
            Bundle current = page;
            page =
                    ehr.call(
                            "next page of " + refType + " for " + route,
                            () -> ehr.client().loadPage().next(current).execute());
        }
    }

    /** {@code Type/id} of the single match of a conditional reference, or "" when none or many. */
    private String searchConditional(String conditional, Map<String, Resource> cache) {
        String base = ehr.base().toString().replaceAll("/+$", "");
        String refType = conditional.substring(0, conditional.indexOf('?'));
        StringBuilder url = new StringBuilder(base).append('/').append(refType).append('?');
        for (String parameter : conditional.substring(conditional.indexOf('?') + 1).split("&")) {
            int equals = parameter.indexOf('=');
            if (equals < 0) {
                continue;
            }
            url.append(parameter, 0, equals + 1)
                    .append(
                            URLEncoder.encode(
                                    parameter.substring(equals + 1), StandardCharsets.UTF_8))
                    .append('&');
        }
        url.append("_count=2");
        Bundle matches =
                ehr.call(
                        "resolve a " + refType + " reference for " + route,
                        () ->
                                ehr.client()
                                        .search()
                                        .byUrl(url.toString())
                                        .returnBundle(Bundle.class)
                                        .execute());
        List<Resource> found =
                matches.getEntry().stream()
                        .filter(Bundle.BundleEntryComponent::hasResource)
                        .map(Bundle.BundleEntryComponent::getResource)
                        .filter(r -> refType.equals(r.fhirType()))
                        .toList();
        if (found.size() != 1) {
            return "";
        }
        String literal = IngestService.typeAndId(found.get(0));
        cache.put(literal, found.get(0));
        return literal;
    }
}
