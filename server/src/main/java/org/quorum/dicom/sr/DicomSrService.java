package org.quorum.dicom.sr;

import com.pixelmed.dicom.AttributeList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Observation;
import org.quorum.dicom.store.DicomInstances;
import org.quorum.dicom.store.DicomInstances.StoredInstance;
import org.quorum.dicom.store.DicomStoreException;

/**
 * Turns an image label into a stored TID 1500 Structured Report: maps the label ({@link
 * LabelSrMapper}), reads its source images from the DICOM store, builds the SR ({@link
 * MeasurementReportBuilder}) and stores it.
 *
 * <p>Idempotent per label version: the SR's SOP Instance UID derives from the label's id and
 * everything the SR says (observers, findings, status; not the label's meta, so writing the SR's
 * identifier back into the label does not make a new SR). The same label content yields the same
 * UID, and the store keeps one instance per UID: a second call stores nothing and returns the same
 * UIDs.
 */
public final class DicomSrService {

    /** The SR a label has in the DICOM store. */
    public record SrResult(
            String studyInstanceUid,
            String seriesInstanceUid,
            String sopInstanceUid,
            boolean alreadyStored) {}

    private final DicomInstances store;
    private final LabelSrMapper mapper;
    private final MeasurementReportBuilder builder;

    public DicomSrService(
            DicomInstances store, LabelSrMapper mapper, MeasurementReportBuilder builder) {
        this.store = store;
        this.mapper = mapper;
        this.builder = builder;
    }

    /**
     * Creates (or finds) the SR of the label as it is now.
     *
     * @throws SrException UNMAPPABLE_LABEL (no image region, bad region...),
     *     SOURCE_IMAGE_NOT_STORED, STORE_FAILED
     */
    public SrResult createSr(Observation label) {
        SrContent content = mapper.map(label);
        String sopInstanceUid = sopInstanceUid(content);
        try {
            Optional<StoredInstance> existing = store.find(sopInstanceUid);
            if (existing.isPresent()) {
                return result(existing.get(), true);
            }
            List<AttributeList> images = new ArrayList<>();
            for (String source : content.sourceSopInstanceUids()) {
                images.add(
                        store.read(source)
                                .orElseThrow(
                                        () ->
                                                new SrException(
                                                        SrException.Problem.SOURCE_IMAGE_NOT_STORED,
                                                        "the label's source image (SOP Instance UID "
                                                                + source
                                                                + ") is not in the DICOM store;"
                                                                + " send it with STOW-RS"
                                                                + " (POST /dicomweb/studies) first")));
            }
            AttributeList sr = builder.build(content, images, sopInstanceUid);
            return result(store.store(sr), false);
        } catch (DicomStoreException e) {
            throw new SrException(
                    SrException.Problem.STORE_FAILED,
                    "the DICOM store failed: " + e.getMessage(),
                    e);
        }
    }

    /** The SR's SOP Instance UID: a name-based UID of the label id and the SR's content. */
    static String sopInstanceUid(SrContent content) {
        return DerivedUids.of(
                "sr",
                content.labelKey(),
                content.observers().toString(),
                content.findings().toString(),
                Boolean.toString(content.finalLabel()));
    }

    private static SrResult result(StoredInstance stored, boolean alreadyStored) {
        return new SrResult(
                stored.studyInstanceUid(),
                stored.seriesInstanceUid(),
                stored.sopInstanceUid(),
                alreadyStored || stored.alreadyStored());
    }
}
