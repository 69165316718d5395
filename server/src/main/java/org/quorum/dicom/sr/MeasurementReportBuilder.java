package org.quorum.dicom.sr;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quorum.dicom.sr.SrContent.Code;
import org.quorum.dicom.sr.SrContent.DeviceObserver;
import org.quorum.dicom.sr.SrContent.Finding;
import org.quorum.dicom.sr.SrContent.Measurement;
import org.quorum.dicom.sr.SrContent.Observer;
import org.quorum.dicom.sr.SrContent.PersonObserver;
import org.quorum.dicom.sr.SrContent.QualitativeEvaluation;

/**
 * Builds a Comprehensive SR holding a TID 1500 Measurement Report from {@link SrContent} and the
 * source images' datasets, with PixelMed's {@link ContentItemFactory}.
 *
 * <p>Document: patient and general study modules copied from the source image; a series of its own
 * ({@value #SERIES_DESCRIPTION}, one per study: its UID derives from the Study Instance UID); SR
 * Document General with the evidence sequence listing every source image. Content tree: title
 * (126000, DCM), language (TID 1204), observer context (TID 1001-1004), procedure reported, image
 * library (TID 1600), and per finding a measurement group: TID 1410 Planar ROI when the region is
 * an area (closed polyline, polygon, circle, ellipse), TID 1501 otherwise (point, multipoint, open
 * polyline). The mapping table and the validator results: docs/dicom-sr.md.
 *
 * @see <a
 *     href="https://dicom.nema.org/medical/dicom/current/output/chtml/part16/chapter_A.html#sect_TID_1500">PS3.16
 *     TID 1500</a>
 * @see <a
 *     href="https://dicom.nema.org/medical/dicom/current/output/chtml/part03/sect_A.35.3.html">PS3.3
 *     A.35.3 Comprehensive SR IOD</a>
 */
public final class MeasurementReportBuilder {

    public static final String COMPREHENSIVE_SR = SOPClass.ComprehensiveSRStorage;
    public static final String SERIES_DESCRIPTION = "Quorum labels";

    /** High enough not to collide with the modality's own series numbers. */
    public static final int SERIES_NUMBER = 9901;

    public static final String MANUFACTURER = "Quorum";

    // PS3.3 C.7.1.1 Patient and C.7.2.1 General Study: copied from the source image as they are
    // (type 2 attributes it lacks are written empty).
    private static final List<AttributeTag> PATIENT_AND_STUDY =
            List.of(
                    TagFromName.PatientName,
                    TagFromName.PatientID,
                    TagFromName.IssuerOfPatientID,
                    TagFromName.OtherPatientIDsSequence,
                    TagFromName.PatientBirthDate,
                    TagFromName.PatientSex,
                    TagFromName.QualityControlSubject,
                    TagFromName.PatientIdentityRemoved,
                    TagFromName.DeidentificationMethod,
                    TagFromName.DeidentificationMethodCodeSequence,
                    TagFromName.StudyInstanceUID,
                    TagFromName.StudyDate,
                    TagFromName.StudyTime,
                    TagFromName.ReferringPhysicianName,
                    TagFromName.StudyID,
                    TagFromName.AccessionNumber,
                    TagFromName.IssuerOfAccessionNumberSequence,
                    TagFromName.StudyDescription,
                    TagFromName.PatientAge);

    private static final List<AttributeTag> TYPE_2_PATIENT_AND_STUDY =
            List.of(
                    TagFromName.PatientName,
                    TagFromName.PatientID,
                    TagFromName.PatientBirthDate,
                    TagFromName.PatientSex,
                    TagFromName.StudyDate,
                    TagFromName.StudyTime,
                    TagFromName.ReferringPhysicianName,
                    TagFromName.StudyID,
                    TagFromName.AccessionNumber);

    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss");

    private final Clock clock;
    private final ContentItemFactory items = new ContentItemFactory();

    public MeasurementReportBuilder(Clock clock) {
        this.clock = clock;
    }

    /** The UID of the series all Quorum SRs of one study go in. */
    public static String seriesInstanceUid(String studyInstanceUid) {
        return DerivedUids.of("series", studyInstanceUid);
    }

    /**
     * Builds the SR dataset (no file meta information).
     *
     * @param sourceImages the datasets of every image the findings point at (pixel data not
     *     needed); all of one study
     * @param sopInstanceUid the SR's SOP Instance UID
     * @throws SrException UNMAPPABLE_LABEL when the content does not fit the images (unknown image,
     *     images of several studies, frame out of range)
     */
    public AttributeList build(
            SrContent content, List<AttributeList> sourceImages, String sopInstanceUid) {
        Map<String, AttributeList> sources = bySopInstanceUid(sourceImages);
        AttributeList first = sources.values().iterator().next();
        String studyUid = string(first, TagFromName.StudyInstanceUID);
        for (AttributeList source : sources.values()) {
            if (!studyUid.equals(string(source, TagFromName.StudyInstanceUID))) {
                throw SrException.unmappable(
                        "the label's image regions lie on images of different studies;"
                                + " one SR covers one study");
            }
        }
        for (Finding finding : content.findings()) {
            checkRegionFitsImage(finding.region(), sources);
        }
        try {
            ContentItem root = contentTree(content, sources);
            AttributeList sr = new StructuredReport(root).getAttributeList();
            addDocumentModules(sr, content, first, sources, sopInstanceUid);
            sr.insertSuitableSpecificCharacterSetForAllStringValues();
            return sr;
        } catch (DicomException e) {
            throw new SrException(
                    SrException.Problem.BUILD_FAILED, "the SR dataset could not be built", e);
        }
    }

    private static Map<String, AttributeList> bySopInstanceUid(List<AttributeList> images) {
        if (images.isEmpty()) {
            throw SrException.unmappable("no source image");
        }
        Map<String, AttributeList> sources = new LinkedHashMap<>();
        for (AttributeList image : images) {
            String sop = string(image, TagFromName.SOPInstanceUID);
            if (sop.isEmpty() || string(image, TagFromName.StudyInstanceUID).isEmpty()) {
                throw SrException.unmappable(
                        "a source image lacks its SOP Instance UID or Study Instance UID");
            }
            sources.putIfAbsent(sop, image);
        }
        return sources;
    }

    private static void checkRegionFitsImage(
            ImageRegion region, Map<String, AttributeList> sources) {
        AttributeList image = sources.get(region.sopInstanceUid());
        if (image == null) {
            throw SrException.unmappable(
                    "no source image given for SOP Instance UID " + region.sopInstanceUid());
        }
        int frames = Attribute.getSingleIntegerValueOrDefault(image, TagFromName.NumberOfFrames, 1);
        if (region.frame() != null && region.frame() > frames) {
            throw SrException.unmappable(
                    "frame " + region.frame() + " does not exist: the image has " + frames);
        }
        if (region.frame() == null && frames > 1) {
            throw SrException.unmappable(
                    "the image has "
                            + frames
                            + " frames: the image region must name its frame (PS3.3 C.18.6: a"
                            + " SCOORD lies on one frame)");
        }
    }

    // ---- content tree ----

    private ContentItem contentTree(SrContent content, Map<String, AttributeList> sources)
            throws DicomException {
        ContentItem root =
                items.makeContainerContentItem(
                        null, null, csi(SrCodes.IMAGING_MEASUREMENT_REPORT), true, "DCMR", "1500");
        // TID 1204 Language of Content Item and Descendants.
        ContentItem language =
                items.makeCodeContentItem(
                        root, "HAS CONCEPT MOD", csi(SrCodes.LANGUAGE), csi(SrCodes.ENGLISH_US));
        items.makeCodeContentItem(
                language,
                "HAS CONCEPT MOD",
                csi(SrCodes.COUNTRY_OF_LANGUAGE),
                csi(SrCodes.UNITED_STATES));
        for (Observer observer : content.observers()) {
            observerContext(root, observer);
        }
        String modality = string(sources.values().iterator().next(), TagFromName.Modality);
        items.makeCodeContentItem(
                root,
                "HAS CONCEPT MOD",
                csi(SrCodes.PROCEDURE_REPORTED),
                csi(SrCodes.procedureReported(modality)));
        imageLibrary(root, sources);
        ContentItem measurements =
                items.makeContainerContentItem(
                        root, "CONTAINS", csi(SrCodes.IMAGING_MEASUREMENTS), true);
        for (Finding finding : content.findings()) {
            measurementGroup(measurements, finding, sources.get(finding.region().sopInstanceUid()));
        }
        return root;
    }

    /** TID 1002 Observer Context with TID 1003 (person) or TID 1004 (device). */
    private void observerContext(ContentItem root, Observer observer) throws DicomException {
        String obs = "HAS OBS CONTEXT";
        if (observer instanceof PersonObserver person) {
            items.makeCodeContentItem(root, obs, csi(SrCodes.OBSERVER_TYPE), csi(SrCodes.PERSON));
            items.makePersonNameContentItem(
                    root, obs, csi(SrCodes.PERSON_OBSERVER_NAME), person.personName());
            ContentItem role =
                    items.makeCodeContentItem(
                            root, obs, csi(SrCodes.ROLE_IN_PROCEDURE), csi(SrCodes.RECORDING));
            items.makeTextContentItem(
                    role, obs, csi(SrCodes.IDENTIFIER_WITHIN_ROLE), person.pseudonymousId());
        } else if (observer instanceof DeviceObserver device) {
            items.makeCodeContentItem(root, obs, csi(SrCodes.OBSERVER_TYPE), csi(SrCodes.DEVICE));
            items.makeUIDContentItem(root, obs, csi(SrCodes.DEVICE_OBSERVER_UID), device.uid());
            items.makeTextContentItem(
                    root, obs, csi(SrCodes.DEVICE_OBSERVER_NAME), device.algorithmName());
            if (present(device.manufacturer())) {
                items.makeTextContentItem(
                        root,
                        obs,
                        csi(SrCodes.DEVICE_OBSERVER_MANUFACTURER),
                        device.manufacturer());
            }
            if (present(device.modelName())) {
                items.makeTextContentItem(
                        root, obs, csi(SrCodes.DEVICE_OBSERVER_MODEL_NAME), device.modelName());
            }
        }
    }

    /** TID 1600 Image Library: one group, one entry (TID 1601/1602) per source image. */
    private void imageLibrary(ContentItem root, Map<String, AttributeList> sources)
            throws DicomException {
        ContentItem library =
                items.makeContainerContentItem(root, "CONTAINS", csi(SrCodes.IMAGE_LIBRARY), true);
        ContentItem group =
                items.makeContainerContentItem(
                        library, "CONTAINS", csi(SrCodes.IMAGE_LIBRARY_GROUP), true);
        for (AttributeList image : sources.values()) {
            ContentItem entry = imageReference(group, "CONTAINS", image, null);
            String acq = "HAS ACQ CONTEXT";
            Code modality = SrCodes.modality(string(image, TagFromName.Modality));
            if (modality != null) {
                items.makeCodeContentItem(entry, acq, csi(SrCodes.MODALITY), csi(modality));
            }
            String studyDate = string(image, TagFromName.StudyDate);
            if (studyDate.length() == 8) {
                items.makeDateContentItem(entry, acq, csi(SrCodes.STUDY_DATE), studyDate);
            }
            String frameOfReference = string(image, TagFromName.FrameOfReferenceUID);
            if (!frameOfReference.isEmpty()) {
                items.makeUIDContentItem(
                        entry, acq, csi(SrCodes.FRAME_OF_REFERENCE_UID), frameOfReference);
            }
            int rows = Attribute.getSingleIntegerValueOrDefault(image, TagFromName.Rows, 0);
            int columns = Attribute.getSingleIntegerValueOrDefault(image, TagFromName.Columns, 0);
            if (rows > 0 && columns > 0) {
                items.makeNumericContentItem(
                        entry,
                        acq,
                        csi(SrCodes.PIXEL_DATA_ROWS),
                        Integer.toString(rows),
                        csi(SrCodes.PIXELS));
                items.makeNumericContentItem(
                        entry,
                        acq,
                        csi(SrCodes.PIXEL_DATA_COLUMNS),
                        Integer.toString(columns),
                        csi(SrCodes.PIXELS));
            }
        }
    }

    /**
     * One measurement group: TID 1410 Planar ROI for an area, TID 1501 otherwise. Both start with
     * the tracking identifier and UID (TID 4108) and the finding; the region is an SCOORD (111030,
     * DCM, "Image Region") SELECTED FROM the source image (and frame).
     */
    private void measurementGroup(ContentItem measurements, Finding finding, AttributeList image)
            throws DicomException {
        boolean planarRoi = finding.region().isArea();
        ContentItem group =
                items.makeContainerContentItem(
                        measurements,
                        "CONTAINS",
                        csi(SrCodes.MEASUREMENT_GROUP),
                        true,
                        "DCMR",
                        planarRoi ? "1410" : "1501");
        items.makeTextContentItem(
                group, "HAS OBS CONTEXT", csi(SrCodes.TRACKING_IDENTIFIER), finding.trackingId());
        items.makeUIDContentItem(
                group, "HAS OBS CONTEXT", csi(SrCodes.TRACKING_UID), finding.trackingUid());
        items.makeCodeContentItem(group, "CONTAINS", csi(SrCodes.FINDING), csi(finding.finding()));
        if (finding.algorithm() != null) {
            // TID 4019 Algorithm Identification: the model that made this finding by itself.
            items.makeTextContentItem(
                    group,
                    "HAS CONCEPT MOD",
                    csi(SrCodes.ALGORITHM_NAME),
                    finding.algorithm().algorithmName());
            items.makeTextContentItem(
                    group,
                    "HAS CONCEPT MOD",
                    csi(SrCodes.ALGORITHM_VERSION),
                    finding.algorithm().algorithmVersion());
        }
        if (finding.findingSite() != null) {
            ContentItem site =
                    items.makeCodeContentItem(
                            group,
                            "HAS CONCEPT MOD",
                            csi(SrCodes.FINDING_SITE),
                            csi(finding.findingSite()));
            if (finding.laterality() != null) {
                items.makeCodeContentItem(
                        site,
                        "HAS CONCEPT MOD",
                        csi(SrCodes.LATERALITY),
                        csi(finding.laterality()));
            }
        }
        ImageRegion region = finding.region();
        ContentItem scoord =
                items.makeSpatialCoordinatesContentItem(
                        group,
                        "CONTAINS",
                        csi(SrCodes.IMAGE_REGION),
                        region.dicomGraphicType(),
                        region.dicomGraphicData());
        imageReference(scoord, "SELECTED FROM", image, region.frame());
        for (Measurement measurement : finding.measurements()) {
            items.makeNumericContentItem(
                    group,
                    "CONTAINS",
                    csi(measurement.concept()),
                    decimalString(measurement.value()),
                    csi(measurement.unit()));
        }
        if (finding.confidence() != null) {
            items.makeNumericContentItem(
                    group,
                    "CONTAINS",
                    csi(SrCodes.CERTAINTY_OF_FINDING),
                    decimalString(finding.confidence().movePointRight(2)),
                    csi(SrCodes.PERCENT));
        }
        for (QualitativeEvaluation evaluation : finding.evaluations()) {
            items.makeCodeContentItem(
                    group, "CONTAINS", csi(evaluation.concept()), csi(evaluation.value()));
        }
        if (present(finding.reasoning())) {
            items.makeTextContentItem(group, "CONTAINS", csi(SrCodes.COMMENT), finding.reasoning());
        }
    }

    /** An IMAGE content item; the frame is named only for multi-frame images (PS3.3 C.17.3.2.2). */
    private ContentItem imageReference(
            ContentItem parent, String relationship, AttributeList image, Integer frame)
            throws DicomException {
        int frames = Attribute.getSingleIntegerValueOrDefault(image, TagFromName.NumberOfFrames, 1);
        int referencedFrame = frames > 1 && frame != null ? frame : 0;
        return items.makeImageContentItem(
                parent,
                relationship,
                null,
                string(image, TagFromName.SOPClassUID),
                string(image, TagFromName.SOPInstanceUID),
                referencedFrame,
                0,
                null,
                null,
                null,
                null);
    }

    // ---- document modules ----

    private void addDocumentModules(
            AttributeList sr,
            SrContent content,
            AttributeList source,
            Map<String, AttributeList> sources,
            String sopInstanceUid)
            throws DicomException {
        for (AttributeTag tag : PATIENT_AND_STUDY) {
            Attribute attribute = source.get(tag);
            if (attribute != null) {
                sr.put(attribute);
            }
        }
        for (AttributeTag tag : TYPE_2_PATIENT_AND_STUDY) {
            if (sr.get(tag) == null) {
                sr.put(AttributeFactory.newAttribute(tag));
            }
        }
        String studyUid = string(source, TagFromName.StudyInstanceUID);
        ZonedDateTime now = ZonedDateTime.now(clock).withZoneSameInstant(ZoneOffset.UTC);
        ZonedDateTime contentTime =
                content.contentTime() == null ? now : content.contentTime().atZone(ZoneOffset.UTC);

        // PS3.3 C.17.1 SR Document Series: Quorum's SRs of a study share one series of their own.
        put(sr, TagFromName.Modality, "SR");
        put(sr, TagFromName.SeriesInstanceUID, seriesInstanceUid(studyUid));
        put(sr, TagFromName.SeriesNumber, Integer.toString(SERIES_NUMBER));
        put(sr, TagFromName.SeriesDescription, SERIES_DESCRIPTION);
        sr.put(new SequenceAttribute(TagFromName.ReferencedPerformedProcedureStepSequence));

        // PS3.3 C.7.5.1 General Equipment.
        put(sr, TagFromName.Manufacturer, MANUFACTURER);

        // PS3.3 C.17.2 SR Document General. The SR records a label as it stands: COMPLETE once the
        // label is final, PARTIAL while it is preliminary; never VERIFIED, because verification
        // is a named observer's attestation (Verifying Observer Name and Organization) and
        // Quorum's annotators are pseudonymous (docs/dicom-sr.md).
        put(sr, TagFromName.InstanceNumber, "1");
        put(sr, TagFromName.CompletionFlag, content.finalLabel() ? "COMPLETE" : "PARTIAL");
        put(sr, TagFromName.VerificationFlag, "UNVERIFIED");
        put(sr, TagFromName.ContentDate, DA.format(contentTime));
        put(sr, TagFromName.ContentTime, TM.format(contentTime));
        sr.put(new SequenceAttribute(TagFromName.PerformedProcedureCodeSequence));
        sr.put(evidence(sources));

        // PS3.3 C.12.1 SOP Common.
        put(sr, TagFromName.SOPClassUID, COMPREHENSIVE_SR);
        put(sr, TagFromName.SOPInstanceUID, sopInstanceUid);
        put(sr, TagFromName.InstanceCreationDate, DA.format(now));
        put(sr, TagFromName.InstanceCreationTime, TM.format(now));
        put(sr, TagFromName.TimezoneOffsetFromUTC, "+0000");
        CodingSchemes.identification(content).ifPresent(sr::put);
    }

    /** CurrentRequestedProcedureEvidenceSequence: every source image, by study and series. */
    private static SequenceAttribute evidence(Map<String, AttributeList> sources)
            throws DicomException {
        Map<String, Map<String, List<AttributeList>>> byStudyAndSeries = new LinkedHashMap<>();
        for (AttributeList image : sources.values()) {
            byStudyAndSeries
                    .computeIfAbsent(
                            string(image, TagFromName.StudyInstanceUID), k -> new LinkedHashMap<>())
                    .computeIfAbsent(
                            string(image, TagFromName.SeriesInstanceUID),
                            k -> new java.util.ArrayList<>())
                    .add(image);
        }
        SequenceAttribute evidence =
                new SequenceAttribute(TagFromName.CurrentRequestedProcedureEvidenceSequence);
        for (var study : byStudyAndSeries.entrySet()) {
            AttributeList studyItem = new AttributeList();
            put(studyItem, TagFromName.StudyInstanceUID, study.getKey());
            SequenceAttribute seriesSequence =
                    new SequenceAttribute(TagFromName.ReferencedSeriesSequence);
            for (var series : study.getValue().entrySet()) {
                AttributeList seriesItem = new AttributeList();
                put(seriesItem, TagFromName.SeriesInstanceUID, series.getKey());
                SequenceAttribute sopSequence =
                        new SequenceAttribute(TagFromName.ReferencedSOPSequence);
                for (AttributeList image : series.getValue()) {
                    AttributeList sopItem = new AttributeList();
                    put(
                            sopItem,
                            TagFromName.ReferencedSOPClassUID,
                            string(image, TagFromName.SOPClassUID));
                    put(
                            sopItem,
                            TagFromName.ReferencedSOPInstanceUID,
                            string(image, TagFromName.SOPInstanceUID));
                    sopSequence.addItem(sopItem);
                }
                seriesItem.put(sopSequence);
                seriesSequence.addItem(seriesItem);
            }
            studyItem.put(seriesSequence);
            evidence.addItem(studyItem);
        }
        return evidence;
    }

    // ---- helpers ----

    static CodedSequenceItem csi(Code code) throws DicomException {
        if (code.value().length() > 16) {
            // PS3.5 6.2: Code Value is SH (16 characters); longer codes would need Long Code
            // Value, which this PixelMed release does not know.
            throw SrException.unmappable(
                    "code '"
                            + code.value()
                            + "' is longer than 16 characters and cannot be a DICOM Code Value");
        }
        String meaning =
                code.meaning().length() > 64 ? code.meaning().substring(0, 64) : code.meaning();
        return code.schemeVersion() == null
                ? new CodedSequenceItem(code.value(), code.scheme(), meaning)
                : new CodedSequenceItem(code.value(), code.scheme(), code.schemeVersion(), meaning);
    }

    /** A DS value (PS3.5 6.2: at most 16 characters). */
    static String decimalString(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        String text = v.scale() < 0 ? v.setScale(0).toPlainString() : v.toPlainString();
        for (int digits = 15; text.length() > 16 && digits > 0; digits--) {
            BigDecimal rounded = v.round(new MathContext(digits)).stripTrailingZeros();
            text = rounded.scale() < 0 ? rounded.toString() : rounded.toPlainString();
        }
        return text;
    }

    private static void put(AttributeList list, AttributeTag tag, String value)
            throws DicomException {
        Attribute attribute = AttributeFactory.newAttribute(tag);
        attribute.addValue(value);
        list.put(attribute);
    }

    private static String string(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
