package org.quorum.bridge.pacs;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.quorum.deid.dicom.BurnedInTextScreen;
import org.quorum.deid.dicom.DicomDeidentifier;
import org.quorum.deid.dicom.DicomFolderDeidentifier;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;

/**
 * De-identifies one DICOM instance in memory exactly as {@code quorum deid dicom} does a file
 * ({@link DicomDeidentifier}, PS3.15 Basic profile with the Modified Dates and Patient
 * Characteristics options, the project's keys), and screens its pixels for burned-in text ({@link
 * BurnedInTextScreen}) first. Same keys, same output: the Patient ID becomes the pseudonym the FHIR
 * side gives the MRN, UIDs are remapped to the same {@code 2.25.} UIDs, and the bytes are the same
 * on every run (a second STOW of the same instance is a no-op in Quorum).
 */
public final class DicomInstanceDeidentifier {

    /**
     * One de-identified instance.
     *
     * @param quarantineReason why it must not leave the bridge (pixels may show text), if so
     * @param uids original → pseudonymous study, series and SOP Instance UID (for the crosswalk)
     * @param patientId the original Patient ID and its pseudonym, when the instance has one
     */
    public record Prepared(
            byte[] part10,
            Optional<String> quarantineReason,
            String sopClass,
            String modality,
            String studyPseudonym,
            String sopPseudonym,
            Map<String, String> uids,
            Optional<Map.Entry<String, String>> patientId) {}

    /** An instance that cannot be read or de-identified; the message names no value. */
    public static final class UnreadableInstanceException extends Exception {
        public UnreadableInstanceException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final DicomDeidentifier deidentifier;
    private final DeidKeyService keys;
    private final BurnedInTextScreen screen = new BurnedInTextScreen();

    public DicomInstanceDeidentifier(DicomDeidentifier deidentifier, DeidKeyService keys) {
        this.deidentifier = deidentifier;
        this.keys = keys;
    }

    public Prepared deidentify(byte[] part10) throws UnreadableInstanceException {
        try {
            AttributeList list = new AttributeList();
            list.setDecompressPixelData(false); // pixels pass through in their transfer syntax
            try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(part10))) {
                list.read(in);
            }
            String transferSyntax = text(list, TagFromName.TransferSyntaxUID);
            if (transferSyntax.isEmpty()) {
                throw new DicomException("no transfer syntax (not a Part 10 instance)");
            }
            String study = text(list, TagFromName.StudyInstanceUID);
            String series = text(list, TagFromName.SeriesInstanceUID);
            String sop = text(list, TagFromName.SOPInstanceUID);
            if (study.isEmpty() || series.isEmpty() || sop.isEmpty()) {
                throw new DicomException("a study, series or SOP Instance UID is missing");
            }
            String patientId = text(list, TagFromName.PatientID);
            String sopClass = text(list, TagFromName.SOPClassUID);
            String modality = text(list, TagFromName.Modality);
            Optional<String> reason = screen.quarantineReason(list);
            deidentifier.deidentify(list);
            FileMetaInformation.addFileMetaInformation(
                    list, transferSyntax, DicomFolderDeidentifier.SOURCE_AE);
            ByteArrayOutputStream out = new ByteArrayOutputStream(part10.length + 1024);
            list.write(out, transferSyntax, true, true);
            Map<String, String> uids = new LinkedHashMap<>();
            for (String uid : new String[] {study, series, sop}) {
                uids.put(uid, keys.remapUid(uid));
            }
            return new Prepared(
                    out.toByteArray(),
                    reason,
                    sopClass,
                    modality,
                    keys.remapUid(study),
                    keys.remapUid(sop),
                    uids,
                    patientId.isEmpty()
                            ? Optional.empty()
                            : Optional.of(
                                    Map.entry(
                                            patientId,
                                            keys.pseudonym(IdentifierKind.MRN, patientId))));
        } catch (DicomException | IOException | RuntimeException e) {
            // PixelMed's messages can quote attribute values: only the kind of problem is kept.
            throw new UnreadableInstanceException(
                    "unreadable DICOM (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static String text(AttributeList list, AttributeTag tag) {
        Attribute attribute = list.get(tag);
        return attribute == null ? "" : attribute.getSingleStringValueOrEmptyString().strip();
    }
}
