package org.quorum.bridge.writeback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.quorum.bridge.config.WriteBackSettings;
import org.quorum.bridge.fhir.FhirPeer;
import org.quorum.bridge.ops.BridgeMetrics;
import org.quorum.bridge.ops.RouteStatus;
import org.quorum.bridge.pacs.PacsPullService;
import org.quorum.bridge.resilience.PermanentFailureException;
import org.quorum.bridge.store.Crosswalk;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.store.DeliveryLedger;
import org.quorum.bridge.store.Watermarks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the project's final labels back to the EHR, re-identified through the crosswalk.
 *
 * <ol>
 *   <li>Polls Quorum: {@code Observation?project=ResearchStudy/<p>&status=final,amended,corrected
 *       &_lastUpdated=ge<watermark − 1 min>&_sort=_lastUpdated}. Each label version ({@code
 *       Observation/<id>/_history/<n>}) is written once: the ledger records it after the EHR
 *       answered, then the watermark moves.
 *   <li>Re-identifies: the subject, the encounter and the sources ({@code derivedFrom}) become the
 *       EHR's own references through the crosswalk (an ImagingStudy becomes a logical reference by
 *       its original Study Instance UID). A label whose subject or source the bridge did not
 *       deliver cannot be re-identified: it is a dead letter, never written with a pseudonym.
 *   <li>Writes an Observation by conditional update on a stable identifier ({@code
 *       <system>|<project>/<Quorum id>}): the first write creates it, an amendment updates it, a
 *       retry after a crash changes nothing. Then a Provenance (FHIR R4 §6.3) naming Quorum's
 *       review (who, with which qualifications, when, which activity) with an id derived from the
 *       label version, written by update-as-create: one per label version, never two.
 * </ol>
 *
 * <p>Dates in Quorum are shifted; the written Observation carries no clinical date from Quorum
 * ({@code issued} is when the label became final, a real instant).
 */
public final class EhrWriteBackService {

    /** Route id of the EHR write-back. */
    public static final String ROUTE = "writeback-ehr";

    private static final Logger LOG = LoggerFactory.getLogger(EhrWriteBackService.class);
    private static final String PROJECT_EXTENSION =
            "https://quorum.dev/fhir/StructureDefinition/quorum-project";
    private static final String DICOM_UID_SYSTEM = "urn:dicom:uid";
    private static final String DICOM_PATIENT_ID_SYSTEM = "urn:quorum:dicom:patient-id";
    private static final String PROVENANCE_ACTIVITY =
            "http://terminology.hl7.org/CodeSystem/v3-DataOperation";

    /** A label that cannot be written back as it is (a reference the bridge cannot map back). */
    static final class NotReidentifiable extends Exception {
        NotReidentifiable(String message) {
            super(message);
        }
    }

    private final WriteBackSettings settings;
    private final String project;
    private final ca.uhn.fhir.context.FhirContext fhir;
    private final org.quorum.bridge.store.BridgeDatabase database;
    private final FhirPeer quorum;
    private final FhirPeer ehr;
    private final Crosswalk crosswalk;
    private final DeliveryLedger ledger;
    private final Watermarks watermarks;
    private final DeadLetterStore deadLetters;
    private final RouteStatus status;
    private final BridgeMetrics metrics;
    private final Clock clock;

    public EhrWriteBackService(
            WriteBackSettings settings,
            String project,
            ca.uhn.fhir.context.FhirContext fhir,
            org.quorum.bridge.store.BridgeDatabase database,
            FhirPeer quorum,
            FhirPeer ehr,
            Crosswalk crosswalk,
            DeliveryLedger ledger,
            Watermarks watermarks,
            DeadLetterStore deadLetters,
            RouteStatus status,
            BridgeMetrics metrics,
            Clock clock) {
        this.settings = settings;
        this.project = project;
        this.fhir = fhir;
        this.database = database;
        this.quorum = quorum;
        this.ehr = ehr;
        this.crosswalk = crosswalk;
        this.ledger = ledger;
        this.watermarks = watermarks;
        this.deadLetters = deadLetters;
        this.status = status;
        this.metrics = metrics;
        this.clock = clock;
    }

    public String route() {
        return ROUTE;
    }

    /**
     * One poll: every final label version changed since the watermark that was not written yet.
     *
     * @throws org.quorum.bridge.resilience.PeerUnavailableException when Quorum or the EHR stops
     *     answering; the next poll resumes at the first label not written
     */
    public void pollOnce() {
        FinalLabelFeed.poll(
                quorum,
                project,
                settings.start(),
                ROUTE,
                "final labels of " + project,
                watermarks,
                status,
                this::writeBackOnce);
    }

    private static String key(Observation label) {
        return "Observation/"
                + label.getIdElement().getIdPart()
                + "/_history/"
                + label.getIdElement().getVersionIdPart();
    }

    /**
     * @return whether the label version was written now
     */
    private boolean writeBackOnce(Observation label) {
        String key = key(label);
        if (ledger.isDone(ROUTE, key)) {
            return false;
        }
        metrics.received(ROUTE, 1);
        try {
            write(label);
        } catch (NotReidentifiable | PermanentFailureException e) {
            deadLetters.park(
                    ROUTE,
                    key,
                    DeadLetterStore.PayloadKind.LABEL_WRITE_BACK,
                    key,
                    e.getMessage(),
                    1);
            ledger.markDone(ROUTE, List.of(key));
            metrics.deadLettered(ROUTE, 1);
            LOG.warn("{}: {} not written back: {}", ROUTE, key, e.getMessage());
            return false;
        }
        ledger.markDone(ROUTE, List.of(key));
        metrics.delivered(ROUTE, 1, 2);
        return true;
    }

    /**
     * Writes a parked label version again (a dead letter retried).
     *
     * @return whether it was written
     */
    public boolean retry(String key) {
        IdType id = new IdType(key);
        Observation label =
                quorum.call(
                        "read of a parked label",
                        () ->
                                quorum.client()
                                        .read()
                                        .resource(Observation.class)
                                        .withIdAndVersion(id.getIdPart(), id.getVersionIdPart())
                                        .execute());
        try {
            write(label);
            return true;
        } catch (NotReidentifiable | PermanentFailureException e) {
            deadLetters.park(
                    ROUTE,
                    key,
                    DeadLetterStore.PayloadKind.LABEL_WRITE_BACK,
                    key,
                    e.getMessage(),
                    1);
            return false;
        }
    }

    private void write(Observation label) throws NotReidentifiable {
        Observation written = reidentified(label);
        String identifier = identifierValue(label);
        // A new label version that changes nothing the EHR gets (Quorum linking the label to its
        // SR, say) is not written again, and gets no second Provenance.
        String contentKey = "writeback:" + identifier;
        String digest = digest(fhir.newJsonParser().encodeResourceToString(written));
        if (digest.equals(ledger.digests(List.of(contentKey)).get(contentKey))) {
            return;
        }
        IdType observationId =
                (IdType)
                        ehr.call(
                                        "write-back of a label",
                                        () ->
                                                ehr.client()
                                                        .update()
                                                        .resource(written)
                                                        .conditionalByUrl(
                                                                "Observation?identifier="
                                                                        + settings
                                                                                .identifierSystem()
                                                                        + "|"
                                                                        + identifier)
                                                        .execute())
                                .getId();
        Provenance provenance = provenance(label, written, observationId);
        ehr.call(
                "Provenance of a written-back label",
                () -> ehr.client().update().resource(provenance).execute());
        database.inTransaction(
                connection -> {
                    ledger.recordDigests(connection, java.util.Map.of(contentKey, digest));
                    return null;
                });
    }

    private static String digest(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }

    private String identifierValue(Observation label) {
        return project + "/" + label.getIdElement().getIdPart();
    }

    private Observation reidentified(Observation label) throws NotReidentifiable {
        Observation out = new Observation();
        out.addIdentifier(
                new Identifier()
                        .setSystem(settings.identifierSystem())
                        .setValue(identifierValue(label)));
        out.getMeta()
                .setSource(
                        quorum.base().toString().replaceAll("/+$", "")
                                + "/Observation/"
                                + label.getIdElement().getIdPart());
        out.setStatus(label.getStatus());
        out.setCategory(label.getCategory());
        out.setCode(label.getCode());
        if (label.hasValue()) {
            out.setValue(label.getValue());
        }
        out.setBodySite(label.getBodySite());
        out.setInterpretation(label.getInterpretation());
        for (Extension extension : label.getExtension()) {
            // the project link names a Quorum resource the EHR does not hold
            if (!extension.getUrl().equals(PROJECT_EXTENSION)) {
                out.addExtension(extension.copy());
            }
        }
        out.setSubject(original(label.getSubject(), "subject"));
        if (label.hasEncounter()) {
            out.setEncounter(original(label.getEncounter(), "encounter"));
        }
        if (label.getDerivedFrom().isEmpty()) {
            throw new NotReidentifiable("the label has no source (derivedFrom)");
        }
        for (Reference source : label.getDerivedFrom()) {
            out.addDerivedFrom(original(source, "derivedFrom"));
        }
        for (Reference performer : label.getPerformer()) {
            out.addPerformer(quorumAgent(performer));
        }
        Date when =
                label.getMeta().hasLastUpdated()
                        ? label.getMeta().getLastUpdated()
                        : Date.from(clock.instant());
        out.setIssued(label.hasIssued() ? label.getIssued() : when);
        return out;
    }

    /** A Quorum participant, named (Quorum's references do not resolve at the EHR). */
    private Reference quorumAgent(Reference reference) {
        if (!reference.hasReference()) {
            return reference.copy();
        }
        IdType id = new IdType(reference.getReference());
        return new Reference()
                .setType(id.getResourceType())
                .setIdentifier(
                        new Identifier()
                                .setSystem(
                                        quorum.base().toString().replaceAll("/+$", "")
                                                + "/"
                                                + id.getResourceType())
                                .setValue(id.getIdPart()))
                .setDisplay(
                        reference.hasDisplay()
                                ? reference.getDisplay()
                                : "Quorum " + id.getResourceType() + " " + id.getIdPart());
    }

    /** The EHR's reference for a pseudonymous one. */
    private Reference original(Reference pseudonymous, String element) throws NotReidentifiable {
        if (!pseudonymous.hasReference()) {
            throw new NotReidentifiable(element + " is not a literal reference");
        }
        IdType id = new IdType(pseudonymous.getReference());
        if (id.getResourceType() == null || id.getIdPart() == null) {
            throw new NotReidentifiable(element + " is not a literal reference");
        }
        String literal = id.getResourceType() + "/" + id.getIdPart();
        String ehrBase = ehr.base().toString();
        for (Crosswalk.Entry entry : crosswalk.originalsOf(Crosswalk.Kind.RESOURCE, literal)) {
            if (entry.source().equals(ehrBase)) {
                return new Reference(entry.original());
            }
        }
        if (id.getResourceType().equals("ImagingStudy")) {
            return originalStudy(id.getIdPart(), element);
        }
        if (id.getResourceType().equals("Patient")) {
            return originalImagePatient(id.getIdPart(), element);
        }
        throw new NotReidentifiable(
                element
                        + " "
                        + id.getResourceType()
                        + " was not delivered by this bridge from "
                        + ehrBase
                        + " (no crosswalk entry)");
    }

    /** Quorum's ImagingStudy mirror → the original Study Instance UID, as a logical reference. */
    private Reference originalStudy(String id, String element) throws NotReidentifiable {
        ImagingStudy study =
                quorum.call(
                        "read of a labelled ImagingStudy",
                        () ->
                                quorum.client()
                                        .read()
                                        .resource(ImagingStudy.class)
                                        .withId(id)
                                        .execute());
        for (Identifier identifier : study.getIdentifier()) {
            if (DICOM_UID_SYSTEM.equals(identifier.getSystem()) && identifier.getValue() != null) {
                String uid = identifier.getValue().replaceFirst("^urn:oid:", "");
                for (Crosswalk.Entry entry : crosswalk.originalsOf(Crosswalk.Kind.DICOM_UID, uid)) {
                    return new Reference()
                            .setType("ImagingStudy")
                            .setIdentifier(
                                    new Identifier()
                                            .setSystem(DICOM_UID_SYSTEM)
                                            .setValue("urn:oid:" + entry.original()));
                }
            }
        }
        throw new NotReidentifiable(
                element
                        + " ImagingStudy holds a study this bridge did not pull (no crosswalk entry)");
    }

    /** A Patient Quorum made from DICOM Patient ID → the original ID, as a logical reference. */
    private Reference originalImagePatient(String id, String element) throws NotReidentifiable {
        Patient patient =
                quorum.call(
                        "read of a labelled Patient",
                        () -> quorum.client().read().resource(Patient.class).withId(id).execute());
        for (Identifier identifier : patient.getIdentifier()) {
            if (DICOM_PATIENT_ID_SYSTEM.equals(identifier.getSystem())) {
                for (Crosswalk.Entry entry :
                        crosswalk.originalsOf(Crosswalk.Kind.IDENTIFIER, identifier.getValue())) {
                    if (entry.original().startsWith(PacsPullService.PATIENT_ID_SYSTEM + "|")) {
                        return new Reference()
                                .setType("Patient")
                                .setIdentifier(
                                        new Identifier()
                                                .setType(
                                                        new CodeableConcept(
                                                                new Coding(
                                                                        "http://terminology.hl7.org/CodeSystem/v2-0203",
                                                                        "MR",
                                                                        null)))
                                                .setValue(
                                                        entry.original()
                                                                .substring(
                                                                        PacsPullService
                                                                                        .PATIENT_ID_SYSTEM
                                                                                        .length()
                                                                                + 1)));
                    }
                }
            }
        }
        throw new NotReidentifiable(
                element + " Patient was not delivered by this bridge (no crosswalk entry)");
    }

    /**
     * The Provenance of the written label version: Quorum's review of it (the latest Provenance
     * Quorum holds for the label: activity, agents with their qualifications in {@code agent.role},
     * when), plus Quorum as the assembler and the sources as entities.
     */
    private Provenance provenance(Observation label, Observation written, IdType observationId) {
        Bundle found =
                quorum.call(
                        "Provenance search of a label",
                        () ->
                                quorum.client()
                                        .search()
                                        .byUrl(
                                                "Provenance?target=Observation/"
                                                        + label.getIdElement().getIdPart())
                                        .returnBundle(Bundle.class)
                                        .execute());
        Provenance review = null;
        for (Bundle.BundleEntryComponent entry : found.getEntry()) {
            if (entry.getResource() instanceof Provenance candidate
                    && (review == null
                            || (candidate.hasRecorded()
                                    && review.hasRecorded()
                                    && candidate.getRecorded().after(review.getRecorded())))) {
                review = candidate;
            }
        }
        Provenance provenance = new Provenance();
        provenance.setId(provenanceId(label));
        provenance.addTarget(
                new Reference(
                        "Observation/"
                                + observationId.getIdPart()
                                + (observationId.hasVersionIdPart()
                                        ? "/_history/" + observationId.getVersionIdPart()
                                        : "")));
        Instant recorded =
                review != null && review.hasRecorded()
                        ? review.getRecorded().toInstant()
                        : written.getIssued().toInstant();
        provenance.setRecorded(Date.from(recorded));
        if (review != null && review.hasActivity()) {
            provenance.setActivity(review.getActivity());
        } else {
            provenance.setActivity(
                    new CodeableConcept(
                            new Coding(
                                    PROVENANCE_ACTIVITY,
                                    label.getStatus() == Observation.ObservationStatus.FINAL
                                            ? "CREATE"
                                            : "UPDATE",
                                    null)));
        }
        if (review != null) {
            for (Provenance.ProvenanceAgentComponent agent : review.getAgent()) {
                Provenance.ProvenanceAgentComponent copy = provenance.addAgent();
                copy.setType(agent.getType());
                copy.setRole(agent.getRole());
                if (agent.hasWho()) {
                    copy.setWho(quorumAgent(agent.getWho()));
                }
            }
        } else {
            for (Reference performer : label.getPerformer()) {
                provenance
                        .addAgent()
                        .setType(
                                new CodeableConcept(
                                        new Coding(
                                                "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                                "verifier",
                                                "Verifier")))
                        .setWho(quorumAgent(performer));
            }
        }
        provenance
                .addAgent()
                .setType(
                        new CodeableConcept(
                                new Coding(
                                        "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                        "assembler",
                                        "Assembler")))
                .setWho(
                        new Reference()
                                .setDisplay(
                                        "Quorum project "
                                                + project
                                                + " ("
                                                + quorum.base()
                                                + "), written back by the Quorum Bridge"));
        for (Reference source : written.getDerivedFrom()) {
            provenance
                    .addEntity()
                    .setRole(Provenance.ProvenanceEntityRole.SOURCE)
                    .setWhat(source.copy());
        }
        return provenance;
    }

    /** FHIR id (≤ 64 of [A-Za-z0-9-.]) derived from the project and the label version. */
    private String provenanceId(Observation label) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(
                                    (project + "\u0000" + key(label))
                                            .getBytes(StandardCharsets.UTF_8));
            return "quorum-label-" + HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
