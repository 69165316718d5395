package org.quorum.dicom.store.index;

import com.pixelmed.dicom.AttributeTag;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import org.quorum.dicom.store.QueryLevel;

/**
 * The attributes the DICOM index keeps and QIDO-RS matches on or returns, with their level and how
 * a query value matches them (PS3.18 §10.6.1.2, PS3.4 C.2.2.2). {@code returnedByDefault} follows
 * PS3.18 Tables 10.6.3-3 to 10.6.3-5; the others come with {@code includefield}.
 */
public enum IndexedAttribute {
    SPECIFIC_CHARACTER_SET(
            0x00080005,
            "CS",
            QueryLevel.STUDY,
            Match.NONE,
            true,
            "s.specificCharacterSet",
            r -> r.study().specificCharacterSet),
    STUDY_DATE(
            0x00080020,
            "DA",
            QueryLevel.STUDY,
            Match.RANGE,
            true,
            "s.studyDate",
            r -> r.study().studyDate),
    STUDY_TIME(
            0x00080030,
            "TM",
            QueryLevel.STUDY,
            Match.RANGE,
            true,
            "s.studyTime",
            r -> r.study().studyTime),
    ACCESSION_NUMBER(
            0x00080050,
            "SH",
            QueryLevel.STUDY,
            Match.TEXT,
            true,
            "s.accessionNumber",
            r -> r.study().accessionNumber),
    MODALITIES_IN_STUDY(0x00080061, "CS", QueryLevel.STUDY, Match.MODALITIES, true, null, null),
    SOP_CLASSES_IN_STUDY(0x00080062, "UI", QueryLevel.STUDY, Match.NONE, false, null, null),
    REFERRING_PHYSICIAN_NAME(
            0x00080090,
            "PN",
            QueryLevel.STUDY,
            Match.TEXT,
            true,
            "s.referringPhysicianName",
            r -> r.study().referringPhysicianName),
    STUDY_DESCRIPTION(
            0x00081030,
            "LO",
            QueryLevel.STUDY,
            Match.TEXT,
            false,
            "s.studyDescription",
            r -> r.study().studyDescription),
    PATIENT_NAME(
            0x00100010,
            "PN",
            QueryLevel.STUDY,
            Match.TEXT,
            true,
            "s.patientName",
            r -> r.study().patientName),
    PATIENT_ID(
            0x00100020,
            "LO",
            QueryLevel.STUDY,
            Match.TEXT,
            true,
            "s.patientId",
            r -> r.study().patientId),
    ISSUER_OF_PATIENT_ID(
            0x00100021,
            "LO",
            QueryLevel.STUDY,
            Match.TEXT,
            false,
            "s.issuerOfPatientId",
            r -> r.study().issuerOfPatientId),
    PATIENT_BIRTH_DATE(
            0x00100030,
            "DA",
            QueryLevel.STUDY,
            Match.RANGE,
            true,
            "s.patientBirthDate",
            r -> r.study().patientBirthDate),
    PATIENT_SEX(
            0x00100040,
            "CS",
            QueryLevel.STUDY,
            Match.TEXT,
            true,
            "s.patientSex",
            r -> r.study().patientSex),
    STUDY_INSTANCE_UID(
            0x0020000D,
            "UI",
            QueryLevel.STUDY,
            Match.UID_LIST,
            true,
            "s.studyInstanceUid",
            r -> r.study().studyInstanceUid),
    STUDY_ID(
            0x00200010,
            "SH",
            QueryLevel.STUDY,
            Match.TEXT,
            true,
            "s.studyId",
            r -> r.study().studyId),
    NUMBER_OF_STUDY_RELATED_SERIES(
            0x00201206, "IS", QueryLevel.STUDY, Match.NONE, true, null, null),
    NUMBER_OF_STUDY_RELATED_INSTANCES(
            0x00201208, "IS", QueryLevel.STUDY, Match.NONE, true, null, null),

    MODALITY(
            0x00080060,
            "CS",
            QueryLevel.SERIES,
            Match.TEXT,
            true,
            "r.modality",
            r -> r.series().modality),
    SERIES_DATE(
            0x00080021,
            "DA",
            QueryLevel.SERIES,
            Match.RANGE,
            false,
            "r.seriesDate",
            r -> r.series().seriesDate),
    SERIES_DESCRIPTION(
            0x0008103E,
            "LO",
            QueryLevel.SERIES,
            Match.TEXT,
            true,
            "r.seriesDescription",
            r -> r.series().seriesDescription),
    BODY_PART_EXAMINED(
            0x00180015,
            "CS",
            QueryLevel.SERIES,
            Match.TEXT,
            false,
            "r.bodyPartExamined",
            r -> r.series().bodyPartExamined),
    SERIES_INSTANCE_UID(
            0x0020000E,
            "UI",
            QueryLevel.SERIES,
            Match.UID_LIST,
            true,
            "r.seriesInstanceUid",
            r -> r.series().seriesInstanceUid),
    SERIES_NUMBER(
            0x00200011,
            "IS",
            QueryLevel.SERIES,
            Match.TEXT,
            true,
            "r.seriesNumber",
            r -> r.series().seriesNumber),
    NUMBER_OF_SERIES_RELATED_INSTANCES(
            0x00201209, "IS", QueryLevel.SERIES, Match.NONE, true, null, null),
    PPS_START_DATE(
            0x00400244,
            "DA",
            QueryLevel.SERIES,
            Match.RANGE,
            true,
            "r.performedProcedureStepStartDate",
            r -> r.series().performedProcedureStepStartDate),
    PPS_START_TIME(
            0x00400245,
            "TM",
            QueryLevel.SERIES,
            Match.RANGE,
            true,
            "r.performedProcedureStepStartTime",
            r -> r.series().performedProcedureStepStartTime),

    SOP_CLASS_UID(
            0x00080016,
            "UI",
            QueryLevel.INSTANCE,
            Match.UID_LIST,
            true,
            "i.sopClassUid",
            r -> r.instance().sopClassUid),
    SOP_INSTANCE_UID(
            0x00080018,
            "UI",
            QueryLevel.INSTANCE,
            Match.UID_LIST,
            true,
            "i.sopInstanceUid",
            r -> r.instance().sopInstanceUid),
    CONTENT_DATE(
            0x00080023,
            "DA",
            QueryLevel.INSTANCE,
            Match.RANGE,
            false,
            "i.contentDate",
            r -> r.instance().contentDate),
    AVAILABLE_TRANSFER_SYNTAX_UID(
            0x00083002,
            "UI",
            QueryLevel.INSTANCE,
            Match.NONE,
            false,
            "i.transferSyntaxUid",
            r -> r.instance().transferSyntaxUid),
    INSTANCE_NUMBER(
            0x00200013,
            "IS",
            QueryLevel.INSTANCE,
            Match.TEXT,
            true,
            "i.instanceNumber",
            r -> r.instance().instanceNumber),
    NUMBER_OF_FRAMES(
            0x00280008,
            "IS",
            QueryLevel.INSTANCE,
            Match.NONE,
            true,
            "i.numberOfFrames",
            r -> r.instance().numberOfFrames),
    ROWS(
            0x00280010,
            "US",
            QueryLevel.INSTANCE,
            Match.NONE,
            true,
            "i.rows",
            r -> text(r.instance().rows)),
    COLUMNS(
            0x00280011,
            "US",
            QueryLevel.INSTANCE,
            Match.NONE,
            true,
            "i.columns",
            r -> text(r.instance().columns)),
    BITS_ALLOCATED(
            0x00280100,
            "US",
            QueryLevel.INSTANCE,
            Match.NONE,
            true,
            "i.bitsAllocated",
            r -> text(r.instance().bitsAllocated));

    /** How a query value matches the attribute. */
    public enum Match {
        /** Not a matching key here. */
        NONE,
        /** Single value, {@code *}/{@code ?} wildcards, or a comma-separated list. */
        TEXT,
        /** A list of UIDs, comma- or backslash-separated (PS3.4 C.2.2.2.2). */
        UID_LIST,
        /** A date or time, or a range {@code a-b}, {@code -b}, {@code a-} (PS3.4 C.2.2.2.5). */
        RANGE,
        /** Any series of the study has one of the modalities. */
        MODALITIES
    }

    private final int tag;
    private final String vr;
    private final QueryLevel level;
    private final Match match;
    private final boolean returnedByDefault;
    private final String path;
    private final Function<IndexRow, String> value;

    IndexedAttribute(
            int tag,
            String vr,
            QueryLevel level,
            Match match,
            boolean returnedByDefault,
            String path,
            Function<IndexRow, String> value) {
        this.tag = tag;
        this.vr = vr;
        this.level = level;
        this.match = match;
        this.returnedByDefault = returnedByDefault;
        this.path = path;
        this.value = value;
    }

    private static String text(Integer number) {
        return number == null ? null : number.toString();
    }

    public int tag() {
        return tag;
    }

    public AttributeTag attributeTag() {
        return new AttributeTag(tag >>> 16, tag & 0xFFFF);
    }

    public String vr() {
        return vr;
    }

    public QueryLevel level() {
        return level;
    }

    public Match match() {
        return match;
    }

    public boolean returnedByDefault() {
        return returnedByDefault;
    }

    /** The JPQL path ({@code s.}, {@code r.}, {@code i.}), or null for computed attributes. */
    String path() {
        return path;
    }

    /** Whether the value is computed over the study or series (counts, modalities). */
    boolean computed() {
        return value == null;
    }

    String valueOf(IndexRow row) {
        return value.apply(row);
    }

    public static Optional<IndexedAttribute> byTag(int tag) {
        return Arrays.stream(values()).filter(a -> a.tag == tag).findFirst();
    }
}
