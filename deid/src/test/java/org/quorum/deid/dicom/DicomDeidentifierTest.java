package org.quorum.deid.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.deid.dicom.ConfidentialityProfile.Action;
import org.quorum.deid.dicom.ConfidentialityProfile.Rule;
import org.quorum.deid.dicom.DicomFolderDeidentifier.FileOutcome;
import org.quorum.deid.dicom.DicomFolderDeidentifier.Status;
import org.quorum.deid.dicom.DicomFolderDeidentifier.Summary;
import org.quorum.deid.fhir.FhirDeidentifier;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.deid.text.DatePolicy;
import org.quorum.deid.text.eval.TestData;
import org.quorum.deid.text.lexicon.PhiLexicon;

/**
 * DICOM de-identification over every shared DICOM file: the seeded-PHI files of {@code deid-dicom/}
 * and the dcmqi, highdicom and pydicom samples of {@code dicom/}. One folder run, shared by the
 * tests.
 */
class DicomDeidentifierTest {

    private static final String SECRET = "dicom-test-secret-0123456789abcdef";
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);
    private static final DeidKeyService KEYS =
            new DeidKeyService(SECRET.getBytes(StandardCharsets.UTF_8));

    @TempDir static Path work;

    private static Path input;
    private static Path output;
    private static Summary summary;
    private static PhiLexicon lexicon;

    @BeforeAll
    static void deidentifyAllSharedDicom() throws IOException {
        Path data = TestData.require();
        input = work.resolve("in");
        output = work.resolve("out");
        copyTree(data.resolve("deid-dicom"), input.resolve("deid-dicom"));
        copyTree(data.resolve("dicom"), input.resolve("dicom"));
        lexicon = PhiLexicon.standard();
        summary =
                new DicomFolderDeidentifier(
                                new DicomDeidentifier(KEYS, lexicon, DatePolicy.DATE_SHIFT, CLOCK))
                        .deidentifyFolder(input, output);
    }

    @Test
    void every_shared_dicom_file_is_deidentified_or_quarantined_and_nothing_fails() {
        List<FileOutcome> dicom =
                summary.files().stream().filter(f -> f.relativePath().endsWith(".dcm")).toList();
        assertThat(dicom).hasSize(27);
        assertThat(dicom)
                .allSatisfy(
                        f ->
                                assertThat(f.status())
                                        .as(f.relativePath())
                                        .isIn(Status.DEIDENTIFIED, Status.QUARANTINED));
        assertThat(summary.count(Status.FAILED)).isZero();
        // Licences, notes and CTP rule files are not DICOM: skipped, not copied.
        assertThat(summary.files())
                .filteredOn(f -> f.relativePath().endsWith("NOTES.md"))
                .singleElement()
                .satisfies(f -> assertThat(f.status()).isEqualTo(Status.SKIPPED));
        assertThat(output.resolve("deid-dicom/NOTES.md")).doesNotExist();
    }

    @Test
    void no_original_identifying_value_occurs_anywhere_in_the_output_bytes() throws Exception {
        ConfidentialityProfile profile =
                ConfidentialityProfile.basicWithModifiedDatesAndPatientCharacteristics();
        List<String> leaks = new ArrayList<>();
        int checkedValues = 0;
        for (FileOutcome file : summary.files()) {
            if (file.status() == Status.SKIPPED) {
                continue;
            }
            AttributeList original = read(input.resolve(file.relativePath()));
            Set<String> identifying = new LinkedHashSet<>();
            Set<String> kept = new LinkedHashSet<>();
            collectIdentifying(original, profile, identifying, kept);
            // A value the profile keeps elsewhere (a code meaning, the manufacturer) is not one
            // it removes: "CT BRAIN WO IVCON" is both the Study Description and a procedure code,
            // the Institution Name "TOSHIBA" is part of the Manufacturer "TOSHIBA_MEC".
            identifying.removeIf(v -> kept.stream().anyMatch(k -> k.contains(v)));
            checkedValues += identifying.size();
            byte[] bytes = Files.readAllBytes(outputOf(file));
            String latin1 = new String(bytes, StandardCharsets.ISO_8859_1);
            for (String value : identifying) {
                if (latin1.contains(value)) {
                    leaks.add(file.relativePath() + ": " + value);
                }
            }
        }
        assertThat(checkedValues).as("identifying values collected").isGreaterThan(500);
        assertThat(leaks).isEmpty();
    }

    @Test
    void attributes_the_profile_removes_are_gone_and_those_it_empties_are_empty() throws Exception {
        ConfidentialityProfile profile =
                ConfidentialityProfile.basicWithModifiedDatesAndPatientCharacteristics();
        Set<AttributeTag> pseudonymised =
                Set.of(TagFromName.PatientID, TagFromName.PatientName, TagFromName.AccessionNumber);
        int checked = 0;
        for (FileOutcome file : summary.files()) {
            if (file.status() == Status.SKIPPED) {
                continue;
            }
            AttributeList original = read(input.resolve(file.relativePath()));
            AttributeList out = read(outputOf(file));
            for (AttributeTag tag : original.keySet()) {
                Rule rule = profile.rule(tag.getGroup(), tag.getElement());
                if (rule == null || pseudonymised.contains(tag)) {
                    continue;
                }
                checked++;
                if (rule.action() == Action.X) {
                    assertThat(out.get(tag)).as(file.relativePath() + " " + rule.name()).isNull();
                } else if (rule.action() == Action.Z) {
                    Attribute attribute = out.get(tag);
                    assertThat(attribute).as(file.relativePath() + " " + rule.name()).isNotNull();
                    assertThat(
                                    attribute instanceof SequenceAttribute sequence
                                            ? sequence.getNumberOfItems()
                                            : attribute.getVL())
                            .as(file.relativePath() + " " + rule.name())
                            .isZero();
                }
            }
        }
        assertThat(checked).isGreaterThan(200);
    }

    @Test
    void dciodvfy_reports_no_error_that_the_input_did_not_already_have() throws Exception {
        List<String> newErrors = new ArrayList<>();
        int validated = 0;
        for (FileOutcome file : summary.files()) {
            if (file.status() == Status.SKIPPED) {
                continue;
            }
            Set<String> before = dciodvfyErrors(input.resolve(file.relativePath()));
            Set<String> after = dciodvfyErrors(outputOf(file));
            after.removeAll(before);
            after.forEach(e -> newErrors.add(file.relativePath() + ": " + e));
            validated++;
        }
        assertThat(validated).isEqualTo(27);
        assertThat(newErrors).isEmpty();
    }

    /**
     * dciodvfy's {@code Error} lines, with values taken out so that a de-identified value does not
     * make an old error look new.
     */
    static Set<String> dciodvfyErrors(Path file) throws IOException, InterruptedException {
        Process process;
        try {
            process =
                    new ProcessBuilder("dciodvfy", file.toString())
                            .redirectErrorStream(true)
                            .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "dciodvfy (Debian package dicom3tools) must be installed for this test", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        Set<String> errors = new LinkedHashSet<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("Error")) {
                errors.add(
                        line.replaceAll("<[^<>]*[0-9][^<>]*>", "<value>")
                                .replaceAll("\\b[0-9]+(\\.[0-9]+){2,}\\b", "<uid>")
                                .replaceAll("UID [0-9.]+", "UID <uid>")
                                .replaceAll("\\s+", " ")
                                .strip());
            }
        }
        return errors;
    }

    @Test
    void the_seeded_fake_phi_is_gone_from_every_output_byte() throws Exception {
        List<String> seeded =
                List.of(
                        "SIMPSON",
                        "HOMER",
                        "00007041776",
                        "999887722",
                        "SPRINGFIELD",
                        "20200704",
                        "nameless",
                        "waterfall",
                        "STANFORD",
                        "cookie-",
                        "PATIENTFIVE",
                        "104111149");
        try (Stream<Path> files = Files.walk(output)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String latin1 =
                        new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)
                                .toUpperCase(java.util.Locale.ROOT);
                for (String value : seeded) {
                    assertThat(latin1)
                            .as(output.relativize(file).toString())
                            .doesNotContain(value.toUpperCase(java.util.Locale.ROOT));
                }
            }
        }
    }

    @Test
    void ultrasound_and_secondary_capture_are_quarantined_with_a_reason() throws Exception {
        Map<String, FileOutcome> byPath = new HashMap<>();
        summary.files().forEach(f -> byPath.put(f.relativePath(), f));
        assertThat(byPath.get("deid-dicom/us_GREYSCALE_IMAGE.dcm").status())
                .isEqualTo(Status.QUARANTINED);
        assertThat(byPath.get("deid-dicom/us_GREYSCALE_IMAGE.dcm").note())
                .isEqualTo("BurnedInAnnotation is YES");
        assertThat(byPath.get("deid-dicom/dicom-cookies/image1.dcm").note())
                .isEqualTo("Secondary Capture SOP class and BurnedInAnnotation is not NO");
        assertThat(byPath.get("dicom/pydicom/MR_small.dcm").note())
                .isEqualTo("ImageType SECONDARY and BurnedInAnnotation is not NO");
        // Images their creator marks clean, and objects without pixels, pass.
        assertThat(byPath.get("dicom/highdicom/dx_image.dcm").status())
                .isEqualTo(Status.DEIDENTIFIED);
        assertThat(byPath.get("dicom/highdicom/sr_document.dcm").status())
                .isEqualTo(Status.DEIDENTIFIED);
        assertThat(byPath.get("dicom/dcmqi/ct-3slice/01.dcm").status())
                .isEqualTo(Status.DEIDENTIFIED);

        Path quarantine = output.resolve(DicomFolderDeidentifier.QUARANTINE);
        assertThat(quarantine.resolve("deid-dicom/us_GREYSCALE_IMAGE.dcm")).exists();
        assertThat(output.resolve("deid-dicom/us_GREYSCALE_IMAGE.dcm")).doesNotExist();
        assertThat(Files.readAllLines(quarantine.resolve(DicomFolderDeidentifier.REASONS)))
                .contains("deid-dicom/us_GREYSCALE_IMAGE.dcm\tBurnedInAnnotation is YES");
    }

    @Test
    void same_patient_id_gives_the_fhir_pseudonyms_and_date_offset() throws Exception {
        AttributeList dicom = read(input.resolve("deid-dicom/ctbrain1.dcm"));
        String mrn = dicom.get(TagFromName.PatientID).getSingleStringValueOrEmptyString().strip();
        String studyDate =
                dicom.get(TagFromName.StudyDate).getSingleStringValueOrEmptyString().strip();
        assertThat(mrn).isEqualTo("00007041776");
        new DicomDeidentifier(KEYS, lexicon, DatePolicy.DATE_SHIFT, CLOCK).deidentify(dicom);

        Patient patient = new Patient();
        patient.setId("p1");
        patient.addIdentifier(
                new Identifier()
                        .setType(
                                new org.hl7.fhir.r4.model.CodeableConcept()
                                        .addCoding(
                                                new org.hl7.fhir.r4.model.Coding(
                                                        "http://terminology.hl7.org/CodeSystem/v2-0203",
                                                        "MR",
                                                        null)))
                        .setValue(mrn));
        patient.addName().setFamily("SIMPSON").addGiven("HOMER").addGiven("J");
        LocalDate birth = LocalDate.of(2020, 7, 4);
        patient.setBirthDate(java.sql.Date.valueOf(birth));
        Patient fhir =
                (Patient)
                        new FhirDeidentifier(
                                        FhirContext.forR4Cached(),
                                        KEYS,
                                        lexicon,
                                        DatePolicy.DATE_SHIFT,
                                        CLOCK)
                                .deidentify(List.of(patient))
                                .resources()
                                .get(0);

        assertThat(value(dicom, TagFromName.PatientID))
                .isEqualTo(fhir.getIdentifierFirstRep().getValue())
                .isEqualTo(fhir.getIdElement().getIdPart())
                .isEqualTo(KEYS.pseudonym(IdentifierKind.MRN, mrn));
        assertThat(value(dicom, TagFromName.PatientName))
                .isEqualTo(fhir.getNameFirstRep().getText());
        long fhirShift =
                ChronoUnit.DAYS.between(
                        birth,
                        fhir.getBirthDateElement()
                                .getValue()
                                .toInstant()
                                .atZone(ZoneOffset.UTC)
                                .toLocalDate());
        long dicomShift =
                ChronoUnit.DAYS.between(
                        LocalDate.parse(
                                studyDate, java.time.format.DateTimeFormatter.BASIC_ISO_DATE),
                        LocalDate.parse(
                                value(dicom, TagFromName.StudyDate),
                                java.time.format.DateTimeFormatter.BASIC_ISO_DATE));
        assertThat(dicomShift).isEqualTo(fhirShift).isEqualTo(KEYS.dateOffsetDays(mrn));
    }

    @Test
    void sr_references_point_at_the_remapped_uids_of_the_referenced_image() throws Exception {
        AttributeList image = read(output.resolve("dicom/highdicom/ct_image.dcm"));
        AttributeList sr = read(output.resolve("dicom/highdicom/sr_document.dcm"));
        String imageUid = value(image, TagFromName.SOPInstanceUID);
        assertThat(imageUid).startsWith("2.25.");
        List<String> referenced = new ArrayList<>();
        collect(sr, TagFromName.ReferencedSOPInstanceUID, referenced);
        assertThat(referenced).isNotEmpty().containsOnly(imageUid);
        assertThat(value(sr, TagFromName.StudyInstanceUID))
                .isEqualTo(value(image, TagFromName.StudyInstanceUID));
        // File Meta Information follows the data set.
        assertThat(value(image, TagFromName.MediaStorageSOPInstanceUID)).isEqualTo(imageUid);
        // Class UIDs are not instance identifiers: kept.
        assertThat(value(image, TagFromName.SOPClassUID)).isEqualTo("1.2.840.10008.5.1.4.1.1.2");
    }

    @Test
    void the_instance_records_the_profile_options_and_counts_never_values() throws Exception {
        AttributeList ct = read(output.resolve("dicom/pydicom/CT_small.dcm"));
        assertThat(value(ct, TagFromName.PatientIdentityRemoved)).isEqualTo("YES");
        assertThat(value(ct, TagFromName.LongitudinalTemporalInformationModified))
                .isEqualTo("MODIFIED");
        List<String> codes = new ArrayList<>();
        collect(ct, TagFromName.CodeValue, codes);
        assertThat(codes).containsSubsequence("113100", "113107", "113108");
        String[] method = ct.get(TagFromName.DeidentificationMethod).getStringValues();
        assertThat(method[0]).isEqualTo(DicomDeidentifier.METHOD);
        assertThat(method[1]).isEqualTo("policy date-shift, dates shifted");
        assertThat(String.join(" ", method)).contains("NAME=", "DATE=", "UID=", "PATIENT_ID=1");
        assertThat(method).allSatisfy(v -> assertThat(v.length()).isLessThanOrEqualTo(64));
    }

    @Test
    void private_attributes_and_overlay_groups_are_removed() throws Exception {
        AttributeList original = read(input.resolve("dicom/pydicom/CT_small.dcm"));
        assertThat(original.keySet()).anyMatch(tag -> tag.getGroup() % 2 == 1);
        AttributeList out = read(output.resolve("dicom/pydicom/CT_small.dcm"));
        assertThat(out.keySet()).noneMatch(tag -> tag.getGroup() % 2 == 1);
        assertThat(out.keySet())
                .noneMatch(
                        tag ->
                                (tag.getGroup() & 0xFF00) == 0x6000
                                        || (tag.getGroup() & 0xFF00) == 0x5000);
    }

    @Test
    void ages_over_89_become_090Y_and_dates_move_by_the_offset() {
        assertThat(DicomDeidentifier.shiftDate("20200704", 3)).isEqualTo("20200707");
        assertThat(DicomDeidentifier.shiftDate("2020.07.04", -4)).isEqualTo("20200630");
        assertThat(DicomDeidentifier.shiftDate("garbage", 3)).isNull();
        assertThat(DicomDeidentifier.shiftDateTime("20201231235959.5+0100", 1))
                .isEqualTo("20210101235959.5+0100");
        assertThat(DicomDeidentifier.shiftDateTime("202012", 30)).isEqualTo("202101");
    }

    @Test
    void patient_age_over_89_is_aggregated() throws Exception {
        AttributeList list = new AttributeList();
        Attribute age = new com.pixelmed.dicom.AgeStringAttribute(TagFromName.PatientAge);
        age.addValue("093Y");
        list.put(age);
        Attribute young = new com.pixelmed.dicom.AgeStringAttribute(TagFromName.PatientAge);
        young.addValue("045Y");
        AttributeList other = new AttributeList();
        other.put(young);
        DicomDeidentifier deidentifier =
                new DicomDeidentifier(KEYS, lexicon, DatePolicy.SAFE_HARBOR, CLOCK);
        assertThat(deidentifier.deidentify(list).counts()).containsEntry("AGE", 1);
        deidentifier.deidentify(other);
        assertThat(value(list, TagFromName.PatientAge)).isEqualTo("090Y");
        assertThat(value(other, TagFromName.PatientAge)).isEqualTo("045Y");
    }

    @Test
    void the_profile_table_covers_table_e1_1_with_the_chosen_options() {
        ConfidentialityProfile profile =
                ConfidentialityProfile.basicWithModifiedDatesAndPatientCharacteristics();
        assertThat(profile.rowCount()).isEqualTo(460);
        // Basic Z, Modified Dates C: shifted, not emptied.
        assertThat(profile.rule(0x0008, 0x0020).action()).isEqualTo(Action.C);
        // Basic X, Retain Patient Characteristics K.
        assertThat(profile.rule(0x0010, 0x1010).action()).isEqualTo(Action.K);
        assertThat(profile.rule(0x0010, 0x1030).action()).isEqualTo(Action.K);
        // Combined actions resolved to the form that keeps the IOD valid.
        assertThat(profile.rule(0x0008, 0x0080).action()).isEqualTo(Action.D); // X/Z/D
        assertThat(profile.rule(0x0008, 0x1140).action()).isEqualTo(Action.U); // X/Z/U*
        assertThat(profile.rule(0x0040, 0x0555).action()).isEqualTo(Action.Z); // X/Z
        assertThat(profile.rule(0x0008, 0x1110).action()).isEqualTo(Action.X); // X/Z, Type 3
        assertThat(profile.rule(0x0010, 0x0030).action()).isEqualTo(Action.Z);
        assertThat(profile.rule(0x0020, 0x000D).action()).isEqualTo(Action.U);
        assertThat(profile.rule(0x0008, 0x0016)).isNull(); // SOP Class UID is not listed
    }

    // --- helpers --------------------------------------------------------------------------------

    private static Path outputOf(FileOutcome file) {
        return file.status() == Status.QUARANTINED
                ? output.resolve(DicomFolderDeidentifier.QUARANTINE).resolve(file.relativePath())
                : output.resolve(file.relativePath());
    }

    /**
     * Values Table E.1-1 does not let through as they are (every action but K; dates; UIDs other
     * than class and well-known UIDs; person names; private attributes), at every level. Times of
     * day are left out: the Modified Dates option keeps them. Values under 6 characters are left
     * out: they occur by chance in pixel data and in kept codes.
     */
    static void collectIdentifying(
            AttributeList list, ConfidentialityProfile profile, Set<String> out, Set<String> kept)
            throws DicomException {
        for (Map.Entry<AttributeTag, Attribute> entry : list.entrySet()) {
            AttributeTag tag = entry.getKey();
            Attribute attribute = entry.getValue();
            if (attribute instanceof SequenceAttribute sequence) {
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    collectIdentifying(sequence.getItem(i).getAttributeList(), profile, out, kept);
                }
                continue;
            }
            String vr = attribute.getVRAsString();
            if (vr.equals("TM") || tag.getGroup() == 0x0002 && !vr.equals("UI")) {
                continue;
            }
            if (!isStringVr(vr)) {
                continue;
            }
            Rule rule =
                    tag.getGroup() % 2 == 1 ? null : profile.rule(tag.getGroup(), tag.getElement());
            boolean identifying;
            if (tag.getGroup() % 2 == 1) {
                // values, not private creator names; numbers in private groups are not names
                identifying = tag.getElement() >= 0x1000 && isTextVr(vr);
            } else if (vr.equals("UI")) {
                identifying = !isClassUid(tag, attribute);
            } else if (vr.equals("PN") || vr.equals("DA") || vr.equals("DT")) {
                identifying =
                        !tag.equals(new AttributeTag(0x0008, 0x0106))
                                && !tag.equals(new AttributeTag(0x0008, 0x0107));
            } else if (rule != null) {
                identifying =
                        rule.action() != Action.K
                                && rule.action() != Action.C; // C text is scrubbed, not removed
            } else {
                identifying = false;
            }
            String[] values = attribute.getStringValues();
            if (values == null) {
                continue;
            }
            for (String v : values) {
                String value = v.strip();
                if (identifying && value.length() >= 6) {
                    out.add(value);
                } else if (!identifying && tag.getGroup() % 2 == 0) {
                    kept.add(value);
                }
            }
        }
    }

    private static boolean isClassUid(AttributeTag tag, Attribute attribute) {
        String value = attribute.getSingleStringValueOrEmptyString();
        return value.startsWith("1.2.840.10008.")
                || tag.equals(TagFromName.SOPClassUID)
                || tag.equals(TagFromName.ReferencedSOPClassUID)
                || tag.equals(TagFromName.MediaStorageSOPClassUID)
                || tag.equals(TagFromName.TransferSyntaxUID)
                || tag.equals(TagFromName.ImplementationClassUID)
                || tag.equals(TagFromName.CodingSchemeUID);
    }

    private static boolean isTextVr(String vr) {
        return switch (vr) {
            case "DA", "DT", "LO", "LT", "PN", "SH", "ST", "UC", "UI", "UT" -> true;
            default -> false;
        };
    }

    private static boolean isStringVr(String vr) {
        return switch (vr) {
            case "AE",
                    "AS",
                    "CS",
                    "DA",
                    "DS",
                    "DT",
                    "IS",
                    "LO",
                    "LT",
                    "PN",
                    "SH",
                    "ST",
                    "UC",
                    "UI",
                    "UR",
                    "UT" ->
                    true;
            default -> false;
        };
    }

    private static void collect(AttributeList list, AttributeTag wanted, List<String> out)
            throws DicomException {
        for (Attribute attribute : list.values()) {
            if (attribute instanceof SequenceAttribute sequence) {
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    collect(sequence.getItem(i).getAttributeList(), wanted, out);
                }
            } else if (attribute.getTag().equals(wanted)) {
                out.add(attribute.getSingleStringValueOrEmptyString().strip());
            }
        }
    }

    static AttributeList read(Path file) throws IOException, DicomException {
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        list.read(file.toFile());
        return list;
    }

    private static String value(AttributeList list, AttributeTag tag) {
        Attribute attribute = list.get(tag);
        return attribute == null ? "" : attribute.getSingleStringValueOrEmptyString().strip();
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path path : walk.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}
