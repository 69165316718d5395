package org.quorum.deid.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DateTimeAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.ShortTextAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnlimitedTextAttribute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * A Comprehensive SR whose header names the patient, her mother and her son (one family name,
 * hyphenated and with an apostrophe, shared by all three) and a referring physician, and whose
 * content tree repeats them in every written form: PN order, "Family, Given", lower case, without
 * the apostrophe, initials, inside TEXT items of the observation context, CODE meanings, PNAME,
 * DATE, DATETIME and UIDREF items, and free-text header attributes. After de-identification not one
 * of those strings may be found anywhere in the written bytes (issue 11); terminology in the same
 * tree stays.
 */
class DicomSrKnownPhiTest {

    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);
    private static final DeidKeyService KEYS =
            new DeidKeyService("sr-known-phi-secret-0123456789".getBytes(StandardCharsets.UTF_8));
    private static final String COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33";

    /** Every string the output must not contain, compared case-insensitively. */
    private static final List<String> PLANTED =
            List.of(
                    "o'brien",
                    "obrien",
                    "o brien",
                    "brien-walsh",
                    "walsh",
                    "margaret",
                    "siobhan",
                    "padraig",
                    "kowalczyk",
                    "tomasz",
                    "m.a.o.",
                    "4471902",
                    "acc88231",
                    "19410307",
                    "20240316",
                    "20240317",
                    "16/03/2024",
                    "03/16/2024",
                    "march 16",
                    "brigid",
                    "3680043.8.498.4471902");

    private static byte[] output;
    private static String outputText;

    @BeforeAll
    static void deidentifyTheSr() throws Exception {
        AttributeList sr = plantedSr();
        // The planted strings are really there before: the check below can fail.
        String before = latin1(write(sr));
        for (String planted : PLANTED) {
            assertThat(before).as("planted before: " + planted).contains(planted);
        }
        new DicomDeidentifier(KEYS, PhiLexicon.standard(), DatePolicy.DATE_SHIFT, CLOCK)
                .deidentify(sr);
        output = write(sr);
        outputText = latin1(output);
    }

    @Test
    void no_planted_phi_string_survives_anywhere_in_the_output_bytes() {
        assertThat(PLANTED).allSatisfy(p -> assertThat(outputText).doesNotContain(p));
    }

    @Test
    void terminology_in_the_same_content_tree_is_kept() {
        assertThat(outputText)
                .contains("dupuytren contracture")
                .contains("finding site")
                .contains("left hand");
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    private static byte[] write(AttributeList list) throws IOException, DicomException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DicomOutputStream out =
                new DicomOutputStream(bytes, null, TransferSyntax.ExplicitVRLittleEndian)) {
            list.write(out);
        }
        return bytes.toByteArray();
    }

    private static AttributeList plantedSr() throws DicomException {
        AttributeList list = new AttributeList();
        put(list, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), COMPREHENSIVE_SR);
        put(
                list,
                new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID),
                "1.2.826.0.1.3680043.8.498.1001");
        put(
                list,
                new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID),
                "1.2.826.0.1.3680043.8.498.1002");
        put(list, new CodeStringAttribute(TagFromName.Modality), "SR");
        put(
                list,
                new PersonNameAttribute(TagFromName.PatientName),
                "O'BRIEN-WALSH^MARGARET^ANNE^MRS");
        put(list, new PersonNameAttribute(TagFromName.PatientMotherBirthName), "O'BRIEN^SIOBHAN");
        put(list, new PersonNameAttribute(TagFromName.ResponsiblePerson), "O'BRIEN^PADRAIG");
        put(list, new CodeStringAttribute(TagFromName.ResponsiblePersonRole), "SON");
        put(
                list,
                new PersonNameAttribute(TagFromName.ReferringPhysicianName),
                "KOWALCZYK^TOMASZ^^DR");
        put(list, new LongStringAttribute(TagFromName.PatientID), "MRN4471902");
        put(list, new ShortStringAttribute(TagFromName.AccessionNumber), "ACC88231");
        put(list, new DateAttribute(TagFromName.PatientBirthDate), "19410307");
        put(list, new DateAttribute(TagFromName.StudyDate), "20240316");
        put(list, new DateAttribute(TagFromName.ContentDate), "20240317");
        put(list, new LongStringAttribute(TagFromName.InstitutionName), "Saint Brigid Infirmary");
        put(
                list,
                new LongStringAttribute(TagFromName.StudyDescription),
                "Hand CT, Margaret Obrien");
        put(
                list,
                new ShortTextAttribute(TagFromName.AdditionalPatientHistory),
                "Mother Siobhan O'Brien reports contracture since 03/16/2024");
        put(list, new CodeStringAttribute(TagFromName.ValueType), "CONTAINER");
        list.put(
                code(
                        TagFromName.ConceptNameCodeSequence,
                        "126000",
                        "DCM",
                        "Imaging Measurement Report"));

        SequenceAttribute content = new SequenceAttribute(TagFromName.ContentSequence);
        // Observation context: TEXT items naming the family in four forms.
        content.addItem(
                text(
                        "Informant",
                        "Daughter of the patient, Siobhan O'Brien; patient O'BRIEN-WALSH, MARGARET"));
        content.addItem(text("Comment", "margaret o'brien walsh (M.A.O.) seen 16/03/2024"));
        content.addItem(text("Comment", "OBRIEN WALSH MARGARET ANNE, MRN4471902, ACC88231"));
        content.addItem(
                text(
                        "Comment",
                        "Dr Tomasz Kowalczyk reviewed on March 16, 2024 with Padraig o brien at Saint"
                                + " Brigid Infirmary"));
        content.addItem(codeItem("Finding", "Dupuytren contracture of the left hand"));
        content.addItem(codeItem("Finding site", "Left hand"));
        content.addItem(codeItem("Family history", "Contracture in Padraig O'Brien"));
        AttributeList person = item("PNAME", "Person observer name");
        put(person, new PersonNameAttribute(TagFromName.PersonName), "O'BRIEN^SIOBHAN");
        content.addItem(person);
        AttributeList date = item("DATE", "Date of onset");
        put(date, new DateAttribute(TagFromName.Date), "20240316");
        content.addItem(date);
        AttributeList dateTime = item("DATETIME", "Observation time");
        put(dateTime, new DateTimeAttribute(TagFromName.DateTime), "20240317101500");
        content.addItem(dateTime);
        AttributeList uid = item("UIDREF", "Tracking unique identifier");
        put(
                uid,
                new UniqueIdentifierAttribute(TagFromName.UID),
                "1.2.826.0.1.3680043.8.498.4471902");
        content.addItem(uid);
        list.put(content);
        return list;
    }

    private static AttributeList text(String concept, String value) throws DicomException {
        AttributeList item = item("TEXT", concept);
        put(item, new UnlimitedTextAttribute(TagFromName.TextValue), value);
        return item;
    }

    private static AttributeList codeItem(String concept, String meaning) throws DicomException {
        AttributeList item = item("CODE", concept);
        item.put(code(TagFromName.ConceptCodeSequence, "99QRM1", "99QUORUM", meaning));
        return item;
    }

    private static AttributeList item(String valueType, String concept) throws DicomException {
        AttributeList item = new AttributeList();
        put(item, new CodeStringAttribute(TagFromName.RelationshipType), "HAS OBS CONTEXT");
        put(item, new CodeStringAttribute(TagFromName.ValueType), valueType);
        item.put(code(TagFromName.ConceptNameCodeSequence, "99QRM0", "99QUORUM", concept));
        return item;
    }

    private static SequenceAttribute code(
            AttributeTag tag, String value, String scheme, String meaning) throws DicomException {
        AttributeList item = new AttributeList();
        put(item, new ShortStringAttribute(TagFromName.CodeValue), value);
        put(item, new ShortStringAttribute(TagFromName.CodingSchemeDesignator), scheme);
        put(item, new LongStringAttribute(TagFromName.CodeMeaning), meaning);
        SequenceAttribute sequence = new SequenceAttribute(tag);
        sequence.addItem(item);
        return sequence;
    }

    private static void put(AttributeList list, Attribute attribute, String value)
            throws DicomException {
        attribute.addValue(value);
        list.put(attribute);
    }
}
