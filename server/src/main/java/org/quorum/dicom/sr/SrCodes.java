package org.quorum.dicom.sr;

import org.quorum.dicom.sr.SrContent.Code;

/** The DICOM codes (PS3.16 Annex D, DCM; SNOMED CT, SCT; UCUM) the measurement report uses. */
final class SrCodes {

    private SrCodes() {}

    static final Code IMAGING_MEASUREMENT_REPORT =
            new Code("126000", "DCM", "Imaging Measurement Report");
    static final Code LANGUAGE =
            new Code("121049", "DCM", "Language of Content Item and Descendants");
    static final Code ENGLISH_US = new Code("en-US", "RFC5646", "English (United States)");
    static final Code COUNTRY_OF_LANGUAGE = new Code("121046", "DCM", "Country of Language");
    static final Code UNITED_STATES = new Code("US", "ISO3166_1", "United States");

    static final Code OBSERVER_TYPE = new Code("121005", "DCM", "Observer Type");
    static final Code PERSON = new Code("121006", "DCM", "Person");
    static final Code DEVICE = new Code("121007", "DCM", "Device");
    static final Code PERSON_OBSERVER_NAME = new Code("121008", "DCM", "Person Observer Name");
    static final Code ROLE_IN_PROCEDURE =
            new Code("121011", "DCM", "Person Observer's Role in this Procedure");
    static final Code RECORDING = new Code("121097", "DCM", "Recording");
    static final Code IDENTIFIER_WITHIN_ROLE =
            new Code("128775", "DCM", "Identifier within Person Observer's Role");
    static final Code DEVICE_OBSERVER_UID = new Code("121012", "DCM", "Device Observer UID");
    static final Code DEVICE_OBSERVER_NAME = new Code("121013", "DCM", "Device Observer Name");
    static final Code DEVICE_OBSERVER_MANUFACTURER =
            new Code("121014", "DCM", "Device Observer Manufacturer");
    static final Code DEVICE_OBSERVER_MODEL_NAME =
            new Code("121015", "DCM", "Device Observer Model Name");

    static final Code PROCEDURE_REPORTED = new Code("121058", "DCM", "Procedure reported");
    static final Code IMAGING_PROCEDURE = new Code("363679005", "SCT", "Imaging procedure");

    static final Code IMAGE_LIBRARY = new Code("111028", "DCM", "Image Library");
    static final Code IMAGE_LIBRARY_GROUP = new Code("126200", "DCM", "Image Library Group");
    static final Code MODALITY = new Code("121139", "DCM", "Modality");
    static final Code STUDY_DATE = new Code("111060", "DCM", "Study Date");
    static final Code FRAME_OF_REFERENCE_UID = new Code("112227", "DCM", "Frame of Reference UID");
    static final Code PIXEL_DATA_ROWS = new Code("110910", "DCM", "Pixel Data Rows");
    static final Code PIXEL_DATA_COLUMNS = new Code("110911", "DCM", "Pixel Data Columns");
    static final Code PIXELS = new Code("{pixels}", "UCUM", "pixels");

    static final Code IMAGING_MEASUREMENTS = new Code("126010", "DCM", "Imaging Measurements");
    static final Code MEASUREMENT_GROUP = new Code("125007", "DCM", "Measurement Group");
    static final Code TRACKING_IDENTIFIER = new Code("112039", "DCM", "Tracking Identifier");
    static final Code TRACKING_UID = new Code("112040", "DCM", "Tracking Unique Identifier");
    static final Code FINDING = new Code("121071", "DCM", "Finding");
    static final Code FINDING_SITE = new Code("363698007", "SCT", "Finding Site");
    static final Code LATERALITY = new Code("272741003", "SCT", "Laterality");
    static final Code IMAGE_REGION = new Code("111030", "DCM", "Image Region");
    static final Code ALGORITHM_NAME = new Code("111001", "DCM", "Algorithm Name");
    static final Code ALGORITHM_VERSION = new Code("111003", "DCM", "Algorithm Version");
    static final Code COMMENT = new Code("121106", "DCM", "Comment");

    /**
     * The label's confidence: PS3.16 TID 4006 (and the other CAD templates) record "the likelihood
     * that the finding is a true positive" as this NUM in percent.
     */
    static final Code CERTAINTY_OF_FINDING = new Code("111012", "DCM", "Certainty of Finding");

    static final Code PERCENT = new Code("%", "UCUM", "Percent");

    /** CID 29 Acquisition Modality, for the modalities Quorum meets; {@code null} otherwise. */
    static Code modality(String modality) {
        return switch (modality) {
            case "CT" -> new Code("CT", "DCM", "Computed Tomography");
            case "MR" -> new Code("MR", "DCM", "Magnetic Resonance");
            case "DX" -> new Code("DX", "DCM", "Digital Radiography");
            case "CR" -> new Code("CR", "DCM", "Computed Radiography");
            case "MG" -> new Code("MG", "DCM", "Mammography");
            case "US" -> new Code("US", "DCM", "Ultrasound");
            case "PT" -> new Code("PT", "DCM", "Positron emission tomography");
            case "NM" -> new Code("NM", "DCM", "Nuclear Medicine");
            case "XA" -> new Code("XA", "DCM", "X-Ray Angiography");
            default -> null;
        };
    }

    /** CID 100 Quantitative Diagnostic Imaging Procedures, by modality. */
    static Code procedureReported(String modality) {
        return switch (modality) {
            case "CT" -> new Code("25045-6", "LN", "CT unspecified body region");
            case "MR" -> new Code("25056-3", "LN", "MRI unspecified body region");
            case "NM" -> new Code("49118-3", "LN", "NM unspecified body region");
            case "PT" -> new Code("44136-0", "LN", "PET unspecified body region");
            default -> IMAGING_PROCEDURE;
        };
    }
}
