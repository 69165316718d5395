package org.quorum.bridge.writeback;

import com.fasterxml.jackson.databind.JsonNode;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.ValueRepresentation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.quorum.bridge.config.WriteBackSettings;
import org.quorum.bridge.fhir.FhirPeer;
import org.quorum.bridge.ops.BridgeMetrics;
import org.quorum.bridge.ops.RouteStatus;
import org.quorum.bridge.pacs.DicomWebPeer;
import org.quorum.bridge.pacs.DimseSource;
import org.quorum.bridge.resilience.PermanentFailureException;
import org.quorum.bridge.store.Crosswalk;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.store.DeliveryLedger;
import org.quorum.bridge.store.Watermarks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the DICOM SR Quorum made of each final image label back to the PACS the image came from,
 * re-identified, by STOW-RS and confirmed by QIDO-RS (route {@code writeback-pacs}), or by C-STORE
 * and confirmed by C-FIND (route {@code writeback-pacs-dimse}); each target is a route of its own,
 * with its own watermark, ledger, dead letters, status and metrics.
 *
 * <ol>
 *   <li>Polls Quorum's final, amended and corrected labels of the project (as the EHR write-back
 *       does); a label linked to its SR carries the identifier {@code urn:dicom:uid|urn:oid:<SR SOP
 *       Instance UID>} (docs/dicom-sr.md).
 *   <li>Finds the SR in Quorum (QIDO-RS by SOP Instance UID) and retrieves it (WADO-RS).
 *   <li>Re-identifies it: every UID the crosswalk knows (the study, the referenced series and
 *       images in the evidence and in the content tree) becomes the PACS's original; the Patient
 *       and General Study attributes are the original study's, read from the PACS (QIDO-RS or a
 *       STUDY-level C-FIND); the de-identification marks copied from the image are removed. The SR
 *       keeps its own SOP Instance UID and series: it joins the original study as a new instance.
 *   <li>STOW-RS to the PACS, then QIDO-RS {@code /studies/<original>/instances?SOPInstanceUID=…}
 *       (or C-STORE, then an IMAGE-level C-FIND of the SR in the original study); only when the
 *       PACS lists it is it recorded as written (ledger key {@code sr:<SOP Instance UID>} of the
 *       route): each SR reaches each PACS once.
 * </ol>
 */
public final class PacsSrWriteBackService {

    /** Route id of the SR write-back by STOW-RS. */
    public static final String ROUTE = "writeback-pacs";

    /** Route id of the SR write-back by C-STORE. */
    public static final String DIMSE_ROUTE = "writeback-pacs-dimse";

    private static final Logger LOG = LoggerFactory.getLogger(PacsSrWriteBackService.class);
    private static final Pattern UID = Pattern.compile("[0-9.]{1,64}");
    private static final String DICOM_UID_SYSTEM = "urn:dicom:uid";

    /**
     * An SR that cannot be written back (its study was not pulled by this bridge, the PACS refused
     * it).
     */
    static final class CannotWriteBack extends Exception {
        private static final long serialVersionUID = 1L;

        CannotWriteBack(String message) {
            super(message);
        }
    }

    private final String route;
    private final WriteBackSettings settings;
    private final String project;
    private final FhirPeer quorum;
    private final DicomWebPeer quorumDicomWeb;
    private final SrTarget pacs;
    private final Crosswalk crosswalk;
    private final DeliveryLedger ledger;
    private final Watermarks watermarks;
    private final DeadLetterStore deadLetters;
    private final RouteStatus status;
    private final BridgeMetrics metrics;

    /** The write-back by STOW-RS to a DICOMweb PACS (route {@link #ROUTE}). */
    public static PacsSrWriteBackService byStow(
            WriteBackSettings settings,
            String project,
            FhirPeer quorum,
            DicomWebPeer quorumDicomWeb,
            DicomWebPeer pacs,
            Crosswalk crosswalk,
            DeliveryLedger ledger,
            Watermarks watermarks,
            DeadLetterStore deadLetters,
            RouteStatus status,
            BridgeMetrics metrics) {
        return new PacsSrWriteBackService(
                ROUTE,
                settings,
                project,
                quorum,
                quorumDicomWeb,
                new DicomWebSrTarget(pacs),
                crosswalk,
                ledger,
                watermarks,
                deadLetters,
                status,
                metrics);
    }

    /**
     * The write-back by C-STORE to a DIMSE PACS (route {@link #DIMSE_ROUTE}).
     *
     * @param outgoing a directory for the SR file during its C-STORE
     */
    public static PacsSrWriteBackService byCStore(
            WriteBackSettings settings,
            String project,
            FhirPeer quorum,
            DicomWebPeer quorumDicomWeb,
            DimseSource pacs,
            java.nio.file.Path outgoing,
            Crosswalk crosswalk,
            DeliveryLedger ledger,
            Watermarks watermarks,
            DeadLetterStore deadLetters,
            RouteStatus status,
            BridgeMetrics metrics) {
        return new PacsSrWriteBackService(
                DIMSE_ROUTE,
                settings,
                project,
                quorum,
                quorumDicomWeb,
                new DimseSrTarget(pacs, outgoing),
                crosswalk,
                ledger,
                watermarks,
                deadLetters,
                status,
                metrics);
    }

    private PacsSrWriteBackService(
            String route,
            WriteBackSettings settings,
            String project,
            FhirPeer quorum,
            DicomWebPeer quorumDicomWeb,
            SrTarget pacs,
            Crosswalk crosswalk,
            DeliveryLedger ledger,
            Watermarks watermarks,
            DeadLetterStore deadLetters,
            RouteStatus status,
            BridgeMetrics metrics) {
        this.route = route;
        this.settings = settings;
        this.project = project;
        this.quorum = quorum;
        this.quorumDicomWeb = quorumDicomWeb;
        this.pacs = pacs;
        this.crosswalk = crosswalk;
        this.ledger = ledger;
        this.watermarks = watermarks;
        this.deadLetters = deadLetters;
        this.status = status;
        this.metrics = metrics;
    }

    public String route() {
        return route;
    }

    /** One poll of Quorum's final labels; the SR of each, once, to the PACS. */
    public void pollOnce() {
        FinalLabelFeed.poll(
                quorum,
                project,
                settings.start(),
                route,
                "SRs of final labels of " + project + " -> " + pacs.name(),
                watermarks,
                status,
                label -> {
                    Optional<String> sr = srOf(label);
                    return sr.isPresent() && writeOnce(sr.get());
                });
    }

    private static Optional<String> srOf(Observation label) {
        for (Identifier identifier : label.getIdentifier()) {
            if (DICOM_UID_SYSTEM.equals(identifier.getSystem()) && identifier.hasValue()) {
                String uid = identifier.getValue().replaceFirst("^urn:oid:", "");
                if (UID.matcher(uid).matches()) {
                    return Optional.of(uid);
                }
            }
        }
        return Optional.empty();
    }

    private boolean writeOnce(String sr) {
        String key = "sr:" + sr;
        if (ledger.isDone(route, key)) {
            return false;
        }
        metrics.received(route, 1);
        try {
            write(sr);
        } catch (CannotWriteBack | PermanentFailureException e) {
            deadLetters.park(
                    route,
                    key,
                    DeadLetterStore.PayloadKind.LABEL_WRITE_BACK,
                    key,
                    e.getMessage(),
                    1);
            ledger.markDone(route, List.of(key));
            metrics.deadLettered(route, 1);
            LOG.warn("{}: SR {} not written back: {}", route, sr, e.getMessage());
            return false;
        }
        ledger.markDone(route, List.of(key));
        metrics.delivered(route, 1, 1);
        return true;
    }

    /**
     * Writes a parked SR again (a dead letter retried).
     *
     * @param key {@code sr:<SOP Instance UID>}
     */
    public boolean retry(String key) {
        try {
            write(key.substring("sr:".length()));
            return true;
        } catch (CannotWriteBack | PermanentFailureException e) {
            deadLetters.park(
                    route,
                    key,
                    DeadLetterStore.PayloadKind.LABEL_WRITE_BACK,
                    key,
                    e.getMessage(),
                    1);
            return false;
        }
    }

    private void write(String sr) throws CannotWriteBack {
        JsonNode found =
                quorumDicomWeb.search("SR search in Quorum", "/instances?SOPInstanceUID=" + sr);
        if (found.isEmpty()) {
            throw new CannotWriteBack("the SR is not in Quorum's DICOM store");
        }
        String study = DicomWebPeer.text(found.get(0), "0020000D");
        String series = DicomWebPeer.text(found.get(0), "0020000E");
        byte[] bytes =
                quorumDicomWeb.retrieveInstance("SR retrieve from Quorum", study, series, sr);
        String originalStudy =
                original(study)
                        .orElseThrow(
                                () ->
                                        new CannotWriteBack(
                                                "the SR's study was not pulled by this bridge"
                                                        + " (no crosswalk entry)"));
        SrTarget.OriginalStudy attributes =
                pacs.study(originalStudy)
                        .orElseThrow(
                                () ->
                                        new CannotWriteBack(
                                                "the original study is not in " + pacs.name()));
        byte[] reidentified = reidentify(bytes, attributes);
        pacs.store(sr, reidentified);
        // the SR keeps its own series (a new one, unknown to the crosswalk)
        String srSeries = original(series).orElse(series);
        if (!pacs.lists(originalStudy, srSeries, sr)) {
            throw new CannotWriteBack(
                    "the PACS accepted the SR but does not list it in the original study");
        }
    }

    /**
     * The original of a pseudonymous UID: preferably as pulled from this target's PACS; else from
     * another source of the same project (a pseudonym is a keyed function of its original, so every
     * source maps it to the same original, and the target is asked whether it holds it).
     */
    private Optional<String> original(String pseudonym) {
        String source = pacs.name();
        List<Crosswalk.Entry> entries = crosswalk.originalsOf(Crosswalk.Kind.DICOM_UID, pseudonym);
        return entries.stream()
                .filter(e -> e.source().equals(source))
                .map(Crosswalk.Entry::original)
                .findFirst()
                .or(() -> entries.stream().map(Crosswalk.Entry::original).findFirst());
    }

    private byte[] reidentify(byte[] part10, SrTarget.OriginalStudy study) throws CannotWriteBack {
        try {
            AttributeList list = new AttributeList();
            try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
                list.read(in);
            }
            String transferSyntax =
                    Attribute.getSingleStringValueOrEmptyString(
                            list, TagFromName.TransferSyntaxUID);
            restoreUids(list);
            // PS3.3 C.7.1.1 and C.7.2.1: the original patient and study, from the PACS
            put(list, new PersonNameAttribute(TagFromName.PatientName), study.patientName());
            put(list, new LongStringAttribute(TagFromName.PatientID), study.patientId());
            put(list, new DateAttribute(TagFromName.PatientBirthDate), study.patientBirthDate());
            put(list, new CodeStringAttribute(TagFromName.PatientSex), study.patientSex());
            put(list, new DateAttribute(TagFromName.StudyDate), study.studyDate());
            put(list, new TimeAttribute(TagFromName.StudyTime), study.studyTime());
            put(
                    list,
                    new ShortStringAttribute(TagFromName.AccessionNumber),
                    study.accessionNumber());
            put(list, new ShortStringAttribute(TagFromName.StudyID), study.studyId());
            put(
                    list,
                    new PersonNameAttribute(TagFromName.ReferringPhysicianName),
                    study.referringPhysicianName());
            // the marks of de-identification belong to Quorum's copy, not to the hospital's
            list.remove(TagFromName.PatientIdentityRemoved);
            list.remove(TagFromName.DeidentificationMethod);
            list.remove(TagFromName.DeidentificationMethodCodeSequence);
            list.remove(TagFromName.LongitudinalTemporalInformationModified);
            list.removeGroupLengthAttributes();
            list.removeMetaInformationHeaderAttributes();
            FileMetaInformation.addFileMetaInformation(list, transferSyntax, "QUORUM");
            ByteArrayOutputStream out = new ByteArrayOutputStream(part10.length + 512);
            list.write(out, transferSyntax, true, true);
            return out.toByteArray();
        } catch (DicomException | IOException e) {
            throw new CannotWriteBack(
                    "the SR from Quorum cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Every UID the crosswalk knows, at every nesting level, becomes the original. */
    private void restoreUids(AttributeList list) throws DicomException {
        for (Attribute attribute : new ArrayList<>(list.values())) {
            if (attribute instanceof SequenceAttribute sequence) {
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    restoreUids(sequence.getItem(i).getAttributeList());
                }
            } else if (ValueRepresentation.isUniqueIdentifierVR(attribute.getVR())) {
                AttributeTag tag = attribute.getTag();
                if (tag.getGroup() == 0x0002) {
                    continue;
                }
                String[] values = attribute.getStringValues();
                if (values == null || values.length == 0) {
                    continue;
                }
                boolean changed = false;
                for (int i = 0; i < values.length; i++) {
                    Optional<String> original = original(values[i].strip());
                    if (original.isPresent()) {
                        values[i] = original.get();
                        changed = true;
                    }
                }
                if (changed) {
                    attribute.removeValues();
                    for (String value : values) {
                        attribute.addValue(value);
                    }
                }
            }
        }
    }

    private static void put(AttributeList list, Attribute attribute, String value)
            throws DicomException {
        if (!value.isEmpty()) {
            attribute.addValue(value);
        }
        list.put(attribute);
    }
}
