package org.quorum.bridge.ingest;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.util.FhirTerser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.quorum.bridge.fhir.FhirPeer;
import org.quorum.bridge.ops.BridgeMetrics;
import org.quorum.bridge.resilience.Failure;
import org.quorum.bridge.resilience.PermanentFailureException;
import org.quorum.bridge.store.BridgeDatabase;
import org.quorum.bridge.store.Crosswalk;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.store.DeliveryLedger;
import org.quorum.bridge.store.Watermarks;
import org.quorum.deid.fhir.FhirDeidentifier;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.lexicon.PhiLexicon;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's one ingest capability, whatever the transport (FHIR pull, HL7 v2, a dead-letter
 * retry): de-identify a batch of source records together with what they reference, record the
 * original ↔ pseudonymous identifiers in the crosswalk, and deliver the result to Quorum as one
 * transaction Bundle; then, in one local transaction, record what was delivered and move the
 * watermark.
 *
 * <p><b>Exactly once.</b> Pseudonymous ids are keyed functions of the source's identity (the MRN
 * for a patient, {@code Type/id} otherwise), and every entry is a {@code PUT Type/id}: delivering
 * the same source twice updates the same resource instead of creating a second. So a replay after a
 * crash (Quorum committed, the bridge died before recording it) adds nothing. Resources the ledger
 * says were delivered with the same de-identified content are left out of later batches.
 *
 * <p><b>Poison records.</b> When Quorum refuses a batch (4xx), the batch is sent once more whole
 * (in case the ledger was stale), then hit by hit; a hit Quorum still refuses, or that cannot be
 * de-identified, is parked in the dead-letter store with the reason, and the others go through.
 */
public final class IngestService {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);

    /** Tag on every delivered resource: the annotation project its source belongs to. */
    public static final String PROJECT_TAG_SYSTEM =
            "https://quorum.dev/fhir/CodeSystem/quorum-project";

    /** One source record: a hit of a query, or a converted HL7 message's main resource. */
    public record Hit(String key, Resource resource) {}

    /** Where the route's watermark moves once this batch is committed. */
    public record WatermarkAdvance(String query, Instant value) {}

    /**
     * A unit of delivery.
     *
     * @param source where the originals live (the EHR's base URL, {@code hl7:<facility>})
     * @param related the resources the hits reference, by {@code Type/id}
     * @param conditionals conditional references of the originals resolved to {@code Type/id}
     */
    public record Batch(
            String route,
            String source,
            List<Hit> hits,
            Map<String, Resource> related,
            Map<String, String> conditionals,
            Optional<WatermarkAdvance> watermark) {}

    /** What happened to a batch. */
    public record Outcome(int delivered, int deadLettered, int written) {
        Outcome plus(Outcome other) {
            return new Outcome(
                    delivered + other.delivered,
                    deadLettered + other.deadLettered,
                    written + other.written);
        }
    }

    /** De-identification failed for this batch (a bug or an input it cannot handle). */
    static final class DeidentificationFailed extends RuntimeException {
        DeidentificationFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Prepared(
            Bundle transaction,
            Map<String, String> digests,
            List<Crosswalk.Entry> crosswalk,
            int written) {}

    private final FhirContext fhir;
    private final FhirTerser terser;
    private final DeidKeyService keys;
    private final DatePolicy policy;
    private final Supplier<PhiLexicon> lexicon;
    private final Clock clock;
    private final FhirPeer quorum;
    private final String project;
    private final BridgeDatabase database;
    private final Crosswalk crosswalk;
    private final DeliveryLedger ledger;
    private final DeadLetterStore deadLetters;
    private final Watermarks watermarks;
    private final BridgeMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();

    public IngestService(
            FhirContext fhir,
            DeidKeyService keys,
            DatePolicy policy,
            Supplier<PhiLexicon> lexicon,
            Clock clock,
            FhirPeer quorum,
            String project,
            BridgeDatabase database,
            Crosswalk crosswalk,
            DeliveryLedger ledger,
            DeadLetterStore deadLetters,
            Watermarks watermarks,
            BridgeMetrics metrics) {
        this.fhir = fhir;
        this.terser = fhir.newTerser();
        this.keys = keys;
        this.policy = policy;
        this.lexicon = lexicon;
        this.clock = clock;
        this.quorum = quorum;
        this.project = project;
        this.database = database;
        this.crosswalk = crosswalk;
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.watermarks = watermarks;
        this.metrics = metrics;
    }

    /**
     * A batch de-identified and ready to send: {@link #prepare} runs the CPU-bound part, so that a
     * poll can prepare the next page while Quorum commits this one; {@link Ready#deliver()} sends
     * it and records it. Deliver ready batches of one route in the order they were prepared.
     */
    public final class Ready {
        private final Batch batch;
        private final Prepared prepared;
        private final RuntimeException failed;

        private Ready(Batch batch, Prepared prepared, RuntimeException failed) {
            this.batch = batch;
            this.prepared = prepared;
            this.failed = failed;
        }

        /**
         * Sends and records the batch; returns when every hit is delivered or parked.
         *
         * @throws org.quorum.bridge.resilience.PeerUnavailableException when Quorum does not answer
         *     (nothing is recorded; the batch comes again)
         */
        public Outcome deliver() {
            return IngestService.this.deliver(batch, prepared, failed);
        }
    }

    /** De-identifies a batch and builds its transaction (nothing sent, nothing recorded). */
    public Ready prepare(Batch batch) {
        if (batch.hits().isEmpty()) {
            return new Ready(batch, null, null);
        }
        long start = System.nanoTime();
        try {
            return new Ready(batch, prepare(batch, true), null);
        } catch (DeidentificationFailed e) {
            return new Ready(batch, null, e);
        } finally {
            metrics.stage("deid", System.nanoTime() - start);
        }
    }

    /**
     * Delivers a batch. Returns when every hit is delivered or parked.
     *
     * @throws org.quorum.bridge.resilience.PeerUnavailableException when Quorum does not answer
     *     (nothing is recorded; the batch comes again)
     */
    public Outcome deliver(Batch batch) {
        return prepare(batch).deliver();
    }

    private Outcome deliver(Batch batch, Prepared ready, RuntimeException preparing) {
        if (batch.hits().isEmpty()) {
            batch.watermark()
                    .ifPresent(w -> watermarks.advance(batch.route(), w.query(), w.value()));
            return new Outcome(0, 0, 0);
        }
        RuntimeException refused = preparing;
        if (refused == null) {
            try {
                return send(batch, ready);
            } catch (PermanentFailureException e) {
                refused = e;
            }
        }
        if (refused instanceof PermanentFailureException) {
            LOG.warn(
                    "{}: Quorum refused a batch of {} records ({}); sending it again in full",
                    batch.route(),
                    batch.hits().size(),
                    refused.getMessage());
            try {
                return deliverWhole(batch, false);
            } catch (PermanentFailureException | DeidentificationFailed e) {
                refused = e;
            }
        }
        metrics.failed(batch.route(), batch.hits().size());
        if (batch.hits().size() == 1) {
            Hit hit = batch.hits().get(0);
            park(batch, hit, reason(refused));
            return new Outcome(0, 1, 0);
        }
        Outcome total = new Outcome(0, 0, 0);
        for (Hit hit : batch.hits()) {
            Map<String, Resource> closure = closureOf(hit.resource(), batch);
            total =
                    total.plus(
                            deliver(
                                    new Batch(
                                            batch.route(),
                                            batch.source(),
                                            List.of(hit),
                                            closure,
                                            batch.conditionals(),
                                            Optional.empty())));
        }
        batch.watermark().ifPresent(w -> watermarks.advance(batch.route(), w.query(), w.value()));
        return total;
    }

    private Outcome deliverWhole(Batch batch, boolean skipUnchanged) {
        long start = System.nanoTime();
        Prepared prepared = prepare(batch, skipUnchanged);
        metrics.stage("deid", System.nanoTime() - start);
        return send(batch, prepared);
    }

    private Outcome send(Batch batch, Prepared prepared) {
        long preparedAt = System.nanoTime();
        Bundle response =
                quorum.call(
                        "transaction of "
                                + prepared.transaction().getEntry().size()
                                + " entries ("
                                + batch.route()
                                + ")",
                        () ->
                                quorum.client()
                                        .transaction()
                                        .withBundle(prepared.transaction())
                                        .execute());
        checkResponse(response, prepared.transaction());
        long sent = System.nanoTime();
        metrics.stage("quorum", sent - preparedAt);
        database.inTransaction(
                connection -> {
                    crosswalk.record(connection, prepared.crosswalk());
                    ledger.recordDigests(connection, prepared.digests());
                    ledger.markDone(batch.route(), batch.hits().stream().map(Hit::key).toList());
                    batch.watermark()
                            .ifPresent(
                                    w -> watermarks.advance(batch.route(), w.query(), w.value()));
                    return null;
                });
        metrics.stage("store", System.nanoTime() - sent);
        metrics.delivered(batch.route(), batch.hits().size(), prepared.written());
        return new Outcome(batch.hits().size(), 0, prepared.written());
    }

    private void checkResponse(Bundle response, Bundle request) {
        if (response == null || response.getEntry().size() != request.getEntry().size()) {
            throw new PermanentFailureException(
                    "Quorum answered the transaction with "
                            + (response == null
                                    ? "nothing"
                                    : response.getEntry().size() + " entries")
                            + " for "
                            + request.getEntry().size(),
                    new Failure(Failure.Kind.PERMANENT, 0, Optional.empty(), "short answer"),
                    null);
        }
        for (Bundle.BundleEntryComponent entry : response.getEntry()) {
            String status = entry.getResponse().getStatus();
            if (status == null || !(status.startsWith("200") || status.startsWith("201"))) {
                throw new PermanentFailureException(
                        "Quorum answered an entry with " + status,
                        new Failure(Failure.Kind.PERMANENT, 0, Optional.empty(), status),
                        null);
            }
        }
    }

    // --- preparing the transaction ------------------------------------------------------------

    private Prepared prepare(Batch batch, boolean skipUnchanged) {
        Map<String, Resource> originals = new LinkedHashMap<>();
        List<Map.Entry<String, Resource>> related = new ArrayList<>(batch.related().entrySet());
        related.sort((a, b) -> Integer.compare(rank(a.getValue()), rank(b.getValue())));
        for (Map.Entry<String, Resource> entry : related) {
            originals.put(entry.getKey(), entry.getValue());
        }
        Set<String> hitIds = new HashSet<>();
        for (Hit hit : batch.hits()) {
            String id = typeAndId(hit.resource());
            originals.remove(id);
            originals.put(id, hit.resource());
            hitIds.add(id);
        }
        List<Resource> input = new ArrayList<>(originals.size());
        for (Resource original : originals.values()) {
            input.add(relink(original.copy(), originals.keySet(), batch.conditionals()));
        }
        FhirDeidentifier.Result result;
        try {
            result =
                    new FhirDeidentifier(fhir, keys, lexicon.get(), policy, clock)
                            .deidentify(input);
        } catch (RuntimeException e) {
            throw new DeidentificationFailed(
                    "de-identification failed: " + e.getClass().getSimpleName(), e);
        }
        IParser parser = fhir.newJsonParser();
        Map<String, String> digests = new LinkedHashMap<>();
        List<Crosswalk.Entry> entries = new ArrayList<>();
        List<Resource> send = new ArrayList<>();
        Map<String, Provenance> provenanceOf = new HashMap<>();
        for (int i = 0; i < input.size(); i++) {
            Resource original = input.get(i);
            Resource deidentified = result.resources().get(i);
            Provenance provenance = result.provenances().get(i);
            deidentified.getMeta().setLastUpdatedElement(null).setVersionId(null);
            tag(deidentified);
            tag(provenance);
            String id = typeAndId(deidentified);
            digests.put(id, digest(parser.encodeResourceToString(deidentified)));
            entries.add(
                    new Crosswalk.Entry(
                            Crosswalk.Kind.RESOURCE, typeAndId(original), id, batch.source()));
            entries.addAll(identifierEntries(original, deidentified, batch.source()));
            send.add(deidentified);
            provenanceOf.put(id, provenance);
        }
        Map<String, String> known =
                skipUnchanged ? ledger.digests(digests.keySet()) : Map.<String, String>of();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        List<Provenance> provenances = new ArrayList<>();
        Map<String, String> delivered = new LinkedHashMap<>();
        for (int i = 0; i < send.size(); i++) {
            Resource resource = send.get(i);
            String id = typeAndId(resource);
            boolean isHit = hitIds.contains(typeAndId(input.get(i)));
            if (!isHit && digests.get(id).equals(known.get(id))) {
                continue; // delivered before with the same content
            }
            addPut(transaction, resource);
            provenances.add(provenanceOf.get(id));
            delivered.put(id, digests.get(id));
        }
        for (Provenance provenance : provenances) {
            addPut(transaction, provenance);
        }
        return new Prepared(transaction, delivered, entries, transaction.getEntry().size());
    }

    private void addPut(Bundle transaction, Resource resource) {
        String id = typeAndId(resource);
        transaction
                .addEntry()
                .setFullUrl(quorum.base().toString().replaceAll("/+$", "") + "/" + id)
                .setResource(resource)
                .getRequest()
                .setMethod(Bundle.HTTPVerb.PUT)
                .setUrl(id);
    }

    private void tag(Resource resource) {
        if (resource.getMeta().getTag(PROJECT_TAG_SYSTEM, project) == null) {
            resource.getMeta().addTag(PROJECT_TAG_SYSTEM, project, null);
        }
    }

    /**
     * References to resources of the batch stay; conditional ones resolved by the caller become
     * literal; absolute ones to the source become relative; any other reference (a type the route
     * does not follow, a target the source could not give) is removed, since Quorum checks
     * referential integrity and would refuse the whole transaction.
     */
    private Resource relink(
            Resource resource, Set<String> present, Map<String, String> conditionals) {
        for (Reference reference :
                terser.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
            if (!reference.hasReference()) {
                continue;
            }
            String value = reference.getReference();
            if (value.startsWith("#")) {
                continue; // contained
            }
            String literal = conditionals.getOrDefault(value, literal(value));
            if (literal != null && present.contains(literal)) {
                reference.setReference(literal);
            } else {
                reference.setReference(null);
            }
        }
        return resource;
    }

    /** {@code Type/id} of a relative or absolute literal reference (history suffix dropped). */
    public static String literal(String reference) {
        if (reference.contains("?") || reference.startsWith("urn:")) {
            return null;
        }
        String path = reference;
        int history = path.indexOf("/_history/");
        if (history > 0) {
            path = path.substring(0, history);
        }
        String[] parts = path.split("/");
        if (parts.length < 2) {
            return null;
        }
        return parts[parts.length - 2] + "/" + parts[parts.length - 1];
    }

    private List<Crosswalk.Entry> identifierEntries(
            Resource original, Resource deidentified, String source) {
        List<Identifier> before =
                terser.getAllPopulatedChildElementsOfType(original, Identifier.class);
        List<Identifier> after =
                terser.getAllPopulatedChildElementsOfType(deidentified, Identifier.class);
        List<Crosswalk.Entry> entries = new ArrayList<>();
        if (before.size() != after.size()) {
            return entries;
        }
        for (int i = 0; i < before.size(); i++) {
            Identifier a = before.get(i);
            Identifier b = after.get(i);
            if (a.hasValue() && b.hasValue() && isAccessionNumber(a)) {
                entries.add(
                        new Crosswalk.Entry(
                                Crosswalk.Kind.ACCESSION_NUMBER,
                                a.getValue(),
                                (b.hasSystem() ? b.getSystem() : "") + "|" + b.getValue(),
                                source));
            }
            if (a.hasValue() && b.hasValue() && !a.getValue().equals(b.getValue())) {
                String system = a.hasSystem() ? a.getSystem() : "";
                entries.add(
                        new Crosswalk.Entry(
                                Crosswalk.Kind.IDENTIFIER,
                                system + "|" + a.getValue(),
                                system + "|" + b.getValue(),
                                source));
            }
        }
        return entries;
    }

    /** HL7 v2 table 0203 identifier type of an accession number (ImagingStudy, ServiceRequest…). */
    static final String IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203";

    /**
     * An identifier typed {@code ACSN}: on an ImagingStudy, a ServiceRequest, a DiagnosticReport,
     * or in a reference's identifier ({@code basedOn}).
     */
    static boolean isAccessionNumber(Identifier identifier) {
        return identifier.hasType()
                && identifier.getType().getCoding().stream()
                        .anyMatch(
                                c ->
                                        IDENTIFIER_TYPES.equals(c.getSystem())
                                                && "ACSN".equals(c.getCode()));
    }

    /** The resources a hit reaches through the batch's references. */
    private Map<String, Resource> closureOf(Resource hit, Batch batch) {
        Map<String, Resource> closure = new LinkedHashMap<>();
        List<Resource> queue = new ArrayList<>(List.of(hit));
        while (!queue.isEmpty()) {
            Resource next = queue.remove(queue.size() - 1);
            for (Reference reference :
                    terser.getAllPopulatedChildElementsOfType(next, Reference.class)) {
                if (!reference.hasReference()) {
                    continue;
                }
                String value = reference.getReference();
                String literal = batch.conditionals().getOrDefault(value, literal(value));
                if (literal == null || closure.containsKey(literal)) {
                    continue;
                }
                Resource target = batch.related().get(literal);
                if (target != null) {
                    closure.put(literal, target);
                    queue.add(target);
                }
            }
        }
        return closure;
    }

    // --- dead letters -------------------------------------------------------------------------

    private void park(Batch batch, Hit hit, String reason) {
        String payload =
                envelope(
                        batch.source(),
                        hit,
                        closureOf(hit.resource(), batch),
                        batch.conditionals());
        database.inTransaction(
                connection -> {
                    deadLetters.park(
                            connection,
                            batch.route(),
                            hit.key(),
                            DeadLetterStore.PayloadKind.FHIR_RECORD,
                            payload,
                            reason,
                            1);
                    // Parked, so the overlap of the next poll does not park it again; a new
                    // version of the record in the EHR has a new key and is tried afresh.
                    ledger.markDone(batch.route(), List.of(hit.key()));
                    return null;
                });
        metrics.deadLettered(batch.route(), 1);
        LOG.warn("{}: record {} parked as a dead letter: {}", batch.route(), hit.key(), reason);
    }

    private static String reason(RuntimeException error) {
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }

    /** The original record of a dead letter: source, key, the hit and what it references. */
    String envelope(
            String source,
            Hit hit,
            Map<String, Resource> related,
            Map<String, String> conditionals) {
        IParser parser = fhir.newJsonParser();
        ObjectNode root = json.createObjectNode();
        root.put("source", source);
        root.put("key", hit.key());
        try {
            root.set("hit", json.readTree(parser.encodeResourceToString(hit.resource())));
            ArrayNode array = root.putArray("related");
            for (Resource resource : related.values()) {
                array.add(json.readTree(parser.encodeResourceToString(resource)));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ObjectNode refs = root.putObject("conditionals");
        conditionals.forEach(refs::put);
        return root.toString();
    }

    /** Rebuilds a one-hit batch from a dead letter's payload (a retry; no watermark). */
    public Batch fromEnvelope(String route, String payload) {
        try {
            JsonNode root = json.readTree(payload);
            IParser parser = fhir.newJsonParser();
            Resource hit = (Resource) parser.parseResource(root.get("hit").toString());
            Map<String, Resource> related = new LinkedHashMap<>();
            for (JsonNode node : root.path("related")) {
                Resource resource = (Resource) parser.parseResource(node.toString());
                related.put(typeAndId(resource), resource);
            }
            Map<String, String> conditionals = new HashMap<>();
            root.path("conditionals")
                    .fields()
                    .forEachRemaining(e -> conditionals.put(e.getKey(), e.getValue().asText()));
            return new Batch(
                    route,
                    root.get("source").asText(),
                    List.of(new Hit(root.get("key").asText(), hit)),
                    related,
                    conditionals,
                    Optional.empty());
        } catch (IOException e) {
            throw new IllegalArgumentException("dead letter payload is not a FHIR record", e);
        }
    }

    /**
     * Delivers a dead letter again; true when Quorum took it (the caller resolves the letter),
     * false when it was parked again.
     */
    public boolean redeliver(Batch batch) {
        Outcome outcome = deliver(batch);
        return outcome.delivered() == batch.hits().size();
    }

    // --- helpers -------------------------------------------------------------------------------

    public static String typeAndId(Resource resource) {
        return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
    }

    private static int rank(Resource resource) {
        return switch (resource.fhirType()) {
            case "Organization" -> 0;
            case "Location" -> 1;
            case "Practitioner" -> 2;
            case "PractitionerRole" -> 3;
            case "Patient" -> 4;
            case "Encounter" -> 5;
            default -> 6;
        };
    }

    private static String digest(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
