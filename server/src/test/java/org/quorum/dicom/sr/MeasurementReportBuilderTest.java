package org.quorum.dicom.sr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory.CodeContentItem;
import com.pixelmed.dicom.ContentItemFactory.ImageContentItem;
import com.pixelmed.dicom.ContentItemFactory.NumericContentItem;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quorum.dicom.sr.SrContent.Code;
import org.quorum.dicom.sr.SrContent.DeviceObserver;
import org.quorum.dicom.sr.SrContent.Finding;
import org.quorum.dicom.sr.SrContent.Measurement;
import org.quorum.dicom.sr.SrContent.Observer;
import org.quorum.dicom.sr.SrContent.PersonObserver;
import org.quorum.dicom.sr.SrContent.QualitativeEvaluation;
import org.quorum.testing.DicomValidators;

/**
 * SRs built from hand-made content on the three test images, for person and device observers and
 * every graphic type: each passes dciodvfy and dsrdump, and says what the content said.
 */
class MeasurementReportBuilderTest {

    static final Instant LABELLED = Instant.parse("2026-03-04T10:15:30Z");
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-05T08:00:00Z"), ZoneOffset.UTC);
    static final String SCHEMA = "https://quorum.dev/fhir/CodeSystem/example-chest-findings";
    static final Code NODULE =
            new Code(
                    "nodule",
                    CodingSchemes.designator(SCHEMA),
                    "Pulmonary nodule",
                    "1.0.0",
                    SCHEMA);
    static final Code LEFT_LOWER_LOBE =
            new Code("41224006", "SCT", "Structure of left lower lobe of lung");
    static final Code LEFT = new Code("7771000", "SCT", "Left");
    static final PersonObserver ANNOTATOR = new PersonObserver("a1b2c3d4e5f6");
    static final DeviceObserver MODEL =
            new DeviceObserver(
                    DerivedUids.of("device", "Device/example-ai-model"),
                    "ChestNoduleNet",
                    "2.1.0",
                    "Example AI Ltd",
                    "CNN-2");

    final MeasurementReportBuilder builder = new MeasurementReportBuilder(CLOCK);

    @TempDir Path dir;

    @Test
    void person_labelled_closed_polyline_on_ct_is_a_planar_roi_with_everything_the_label_said()
            throws Exception {
        AttributeList ct = SourceImages.read(SourceImages.CT);
        Finding finding =
                finding(
                        new ImageRegion(
                                SourceImages.CT_SOP,
                                1,
                                GraphicType.POLYLINE,
                                ImageRegion.parseCoordinates(
                                        "120.5 88 140 88 140 110 120.5 110 120.5 88")),
                        null);
        SrContent content =
                new SrContent(
                        "Observation/l1", List.of(ANNOTATOR), List.of(finding), true, LABELLED);

        AttributeList sr = builder.build(content, List.of(ct), "2.25.1234");
        DicomValidators.assertConformant(SourceImages.write(sr, dir.resolve("ct-polyline.dcm")));

        // Document: patient and study copied, own series, SR-specific modules.
        for (var tag :
                List.of(
                        TagFromName.PatientName,
                        TagFromName.PatientID,
                        TagFromName.PatientSex,
                        TagFromName.StudyInstanceUID,
                        TagFromName.StudyDate,
                        TagFromName.StudyTime,
                        TagFromName.StudyID)) {
            assertThat(string(sr, tag)).as(tag.toString()).isEqualTo(string(ct, tag));
        }
        assertThat(sr.get(TagFromName.AccessionNumber)).isNotNull();
        assertThat(sr.get(TagFromName.ReferringPhysicianName)).isNotNull();
        assertThat(string(sr, TagFromName.SOPClassUID)).isEqualTo("1.2.840.10008.5.1.4.1.1.88.33");
        assertThat(string(sr, TagFromName.SOPInstanceUID)).isEqualTo("2.25.1234");
        assertThat(string(sr, TagFromName.Modality)).isEqualTo("SR");
        assertThat(string(sr, TagFromName.SeriesInstanceUID))
                .isNotEqualTo(string(ct, TagFromName.SeriesInstanceUID))
                .isEqualTo(
                        MeasurementReportBuilder.seriesInstanceUid(
                                string(ct, TagFromName.StudyInstanceUID)));
        assertThat(string(sr, TagFromName.SeriesDescription)).isEqualTo("Quorum labels");
        assertThat(string(sr, TagFromName.Manufacturer)).isEqualTo("Quorum");
        assertThat(string(sr, TagFromName.CompletionFlag)).isEqualTo("COMPLETE");
        assertThat(string(sr, TagFromName.VerificationFlag)).isEqualTo("UNVERIFIED");
        assertThat(string(sr, TagFromName.ContentDate)).isEqualTo("20260304");
        assertThat(string(sr, TagFromName.ContentTime)).isEqualTo("101530");
        assertThat(string(sr, TagFromName.InstanceCreationDate)).isEqualTo("20260305");
        assertEvidenceListsOnly(sr, ct);

        // Content tree.
        SrTree tree = new SrTree(sr);
        assertThat(tree.root().getConceptNameCodeValue()).isEqualTo("126000");
        assertThat(code(tree.one("121049")).getCodeValue()).isEqualTo("en-US");
        assertThat(code(tree.one("121005")).getCodeValue()).isEqualTo("121006");
        assertThat(tree.one("121008").getConceptValue()).isEqualTo("Annotator^a1b2c3d4e5f6");
        assertThat(tree.one("128775").getConceptValue()).isEqualTo("a1b2c3d4e5f6");
        assertThat(code(tree.one("121058")).getCodeValue()).isEqualTo("25045-6");
        ContentItem group = tree.one("125007");
        assertThat(templateOf(group)).isEqualTo("1410");
        assertThat(tree.one("112039").getConceptValue()).isEqualTo("Observation/l1#1");
        assertThat(tree.one("112040").getConceptValue()).isEqualTo(finding.trackingUid());
        CodedSequenceItem findingCode = code(tree.one("121071"));
        assertThat(findingCode.getCodeValue()).isEqualTo("nodule");
        assertThat(findingCode.getCodingSchemeDesignator()).isEqualTo(NODULE.scheme());
        assertThat(code(tree.one("363698007")).getCodeValue()).isEqualTo("41224006");
        assertThat(code(tree.one("272741003")).getCodeValue()).isEqualTo("7771000");
        ContentItem region = tree.one("111030");
        assertThat(region.getGraphicType()).isEqualTo("POLYLINE");
        assertThat(region.getGraphicData())
                .containsExactly(120.5f, 88f, 140f, 88f, 140f, 110f, 120.5f, 110f, 120.5f, 88f);
        ContentItem selectedFrom = SrTree.children(region).get(0);
        assertThat(selectedFrom.getRelationshipType()).isEqualTo("SELECTED FROM");
        assertThat(selectedFrom.getReferencedSOPInstanceUID()).isEqualTo(SourceImages.CT_SOP);
        assertThat(selectedFrom.getReferencedSOPClassUID())
                .isEqualTo(string(ct, TagFromName.SOPClassUID));
        assertThat(((ImageContentItem) selectedFrom).getReferencedFrameNumber())
                .as("single-frame image: no frame number")
                .isZero();
        NumericContentItem area = (NumericContentItem) tree.one("42798000");
        assertThat(area.getNumericValue()).isEqualTo("429.25");
        assertThat(area.getUnits().getCodeValue()).isEqualTo("mm2");
        NumericContentItem certainty = (NumericContentItem) tree.one("111012");
        assertThat(certainty.getNumericValue()).isEqualTo("75");
        assertThat(certainty.getUnits().getCodeValue()).isEqualTo("%");
        assertThat(code(tree.one("C0205160")).getCodeValue()).isEqualTo("solid");
        assertThat(tree.one("121106").getConceptValue()).isEqualTo("Round, well defined.");
        // The image library lists the source image too.
        assertThat(tree.images())
                .extracting(ContentItem::getReferencedSOPInstanceUID)
                .containsExactly(SourceImages.CT_SOP, SourceImages.CT_SOP);
        // The private scheme of the label schema is identified.
        SequenceAttribute schemes =
                (SequenceAttribute) sr.get(TagFromName.CodingSchemeIdentificationSequence);
        AttributeList scheme = schemes.getItem(0).getAttributeList();
        assertThat(string(scheme, TagFromName.CodingSchemeDesignator)).isEqualTo(NODULE.scheme());
        assertThat(string(scheme, TagFromName.CodingSchemeName)).isEqualTo(SCHEMA);
    }

    @Test
    void device_labelled_point_on_dx_is_a_1501_group_with_device_observer_and_algorithm()
            throws Exception {
        AttributeList dx = SourceImages.read(SourceImages.DX);
        String sop = string(dx, TagFromName.SOPInstanceUID);
        Finding finding =
                finding(new ImageRegion(sop, null, GraphicType.POINT, List.of(100f, 80.5f)), MODEL);
        SrContent content =
                new SrContent("Observation/ai1", List.of(MODEL), List.of(finding), false, LABELLED);

        AttributeList sr = builder.build(content, List.of(dx), "2.25.99");
        DicomValidators.assertConformant(SourceImages.write(sr, dir.resolve("dx-point.dcm")));

        assertThat(string(sr, TagFromName.PatientID)).isEqualTo("123456");
        assertThat(string(sr, TagFromName.AccessionNumber)).isEqualTo("16387a");
        assertThat(string(sr, TagFromName.CompletionFlag)).isEqualTo("PARTIAL");
        assertEvidenceListsOnly(sr, dx);
        SrTree tree = new SrTree(sr);
        assertThat(code(tree.one("121005")).getCodeValue()).isEqualTo("121007");
        assertThat(tree.one("121012").getConceptValue()).isEqualTo(MODEL.uid());
        assertThat(tree.one("121013").getConceptValue()).isEqualTo("ChestNoduleNet");
        assertThat(tree.one("121014").getConceptValue()).isEqualTo("Example AI Ltd");
        assertThat(tree.one("121015").getConceptValue()).isEqualTo("CNN-2");
        assertThat(tree.all("121008")).as("no person observer").isEmpty();
        assertThat(tree.one("111001").getConceptValue()).isEqualTo("ChestNoduleNet");
        assertThat(tree.one("111003").getConceptValue()).isEqualTo("2.1.0");
        assertThat(templateOf(tree.one("125007"))).isEqualTo("1501");
        assertThat(tree.one("111030").getGraphicType()).isEqualTo("POINT");
        assertThat(tree.one("111030").getGraphicData()).containsExactly(100f, 80.5f);
        assertThat(code(tree.one("121139")).getCodeValue()).isEqualTo("DX");
    }

    @ParameterizedTest
    @EnumSource(GraphicType.class)
    void every_graphic_type_on_mr_with_person_and_device_observers_passes_the_validators(
            GraphicType type) throws Exception {
        AttributeList mr = SourceImages.read(SourceImages.MR);
        String sop = string(mr, TagFromName.SOPInstanceUID);
        List<Float> coordinates =
                switch (type) {
                    case POINT -> List.of(32f, 32f);
                    case MULTIPOINT -> List.of(10f, 10f, 20f, 20f, 30f, 12f);
                    case POLYLINE -> List.of(5f, 5f, 40f, 50f, 60f, 20f);
                    case POLYGON -> List.of(5f, 5f, 40f, 5f, 40f, 40f);
                    case CIRCLE -> List.of(32f, 32f, 40f, 32f);
                    case ELLIPSE -> List.of(20f, 32f, 44f, 32f, 32f, 26f, 32f, 38f);
                };
        Finding finding = finding(new ImageRegion(sop, 1, type, coordinates), null);
        SrContent content =
                new SrContent(
                        "Observation/mr-" + type,
                        List.<Observer>of(ANNOTATOR, MODEL),
                        List.of(finding),
                        true,
                        LABELLED);

        AttributeList sr = builder.build(content, List.of(mr), DerivedUids.of("test", type.name()));
        DicomValidators.assertConformant(
                SourceImages.write(sr, dir.resolve("mr-" + type.name().toLowerCase() + ".dcm")));

        SrTree tree = new SrTree(sr);
        assertThat(tree.all("121005")).as("two observer contexts").hasSize(2);
        ContentItem region = tree.one("111030");
        assertThat(region.getGraphicType())
                .isEqualTo(type == GraphicType.POLYGON ? "POLYLINE" : type.name());
        float[] data = region.getGraphicData();
        if (type == GraphicType.POLYGON) {
            assertThat(data).containsExactly(5f, 5f, 40f, 5f, 40f, 40f, 5f, 5f);
        } else {
            assertThat(data).hasSize(coordinates.size());
        }
        boolean area =
                type == GraphicType.POLYGON
                        || type == GraphicType.CIRCLE
                        || type == GraphicType.ELLIPSE;
        assertThat(templateOf(tree.one("125007"))).isEqualTo(area ? "1410" : "1501");
        assertThat(code(tree.one("121058")).getCodeValue()).isEqualTo("25056-3");
    }

    @Test
    void pixelmed_sr_validator_finds_no_errors_in_person_device_and_every_template()
            throws Exception {
        List<Path> files = new ArrayList<>();
        AttributeList ct = SourceImages.read(SourceImages.CT);
        files.add(
                SourceImages.write(
                        builder.build(
                                new SrContent(
                                        "Observation/p1",
                                        List.of(ANNOTATOR),
                                        List.of(
                                                finding(
                                                        new ImageRegion(
                                                                SourceImages.CT_SOP,
                                                                1,
                                                                GraphicType.POLYLINE,
                                                                List.of(
                                                                        10f, 10f, 50f, 10f, 50f,
                                                                        50f, 10f, 10f)),
                                                        null)),
                                        true,
                                        LABELLED),
                                List.of(ct),
                                "2.25.1"),
                        dir.resolve("pm-ct.dcm")));
        AttributeList dx = SourceImages.read(SourceImages.DX);
        files.add(
                SourceImages.write(
                        builder.build(
                                new SrContent(
                                        "Observation/p2",
                                        List.of(MODEL),
                                        List.of(
                                                finding(
                                                        new ImageRegion(
                                                                string(
                                                                        dx,
                                                                        TagFromName.SOPInstanceUID),
                                                                null,
                                                                GraphicType.POINT,
                                                                List.of(50f, 60f)),
                                                        MODEL)),
                                        false,
                                        LABELLED),
                                List.of(dx),
                                "2.25.2"),
                        dir.resolve("pm-dx.dcm")));
        AttributeList mr = SourceImages.read(SourceImages.MR);
        files.add(
                SourceImages.write(
                        builder.build(
                                new SrContent(
                                        "Observation/p3",
                                        List.<Observer>of(ANNOTATOR, MODEL),
                                        List.of(
                                                finding(
                                                        new ImageRegion(
                                                                string(
                                                                        mr,
                                                                        TagFromName.SOPInstanceUID),
                                                                null,
                                                                GraphicType.ELLIPSE,
                                                                List.of(
                                                                        20f, 32f, 44f, 32f, 32f,
                                                                        26f, 32f, 38f)),
                                                        null)),
                                        true,
                                        LABELLED),
                                List.of(mr),
                                "2.25.3"),
                        dir.resolve("pm-mr.dcm")));
        DicomValidators.assertPixelmedSrValid(files);
    }

    @Test
    void the_validator_check_fails_for_an_sr_without_its_completion_flag() {
        AttributeList sr =
                builder.build(
                        new SrContent(
                                "Observation/broken",
                                List.of(ANNOTATOR),
                                List.of(
                                        finding(
                                                new ImageRegion(
                                                        SourceImages.CT_SOP,
                                                        null,
                                                        GraphicType.POINT,
                                                        List.of(1f, 1f)),
                                                null)),
                                true,
                                LABELLED),
                        List.of(SourceImages.read(SourceImages.CT)),
                        "2.25.6");
        sr.remove(TagFromName.CompletionFlag);
        Path file = SourceImages.write(sr, dir.resolve("broken.dcm"));

        assertThatThrownBy(() -> DicomValidators.assertConformant(file))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Missing attribute Type 1 Required Element=<CompletionFlag>");
    }

    @Test
    void rejects_a_frame_the_image_does_not_have_and_an_image_not_given() {
        AttributeList ct = SourceImages.read(SourceImages.CT);
        Finding onFrame2 =
                finding(
                        new ImageRegion(SourceImages.CT_SOP, 2, GraphicType.POINT, List.of(1f, 1f)),
                        null);
        assertThatThrownBy(
                        () ->
                                builder.build(
                                        new SrContent(
                                                "Observation/x",
                                                List.of(ANNOTATOR),
                                                List.of(onFrame2),
                                                true,
                                                LABELLED),
                                        List.of(ct),
                                        "2.25.5"))
                .isInstanceOf(SrException.class)
                .hasMessageContaining("DICOM-SR-001")
                .hasMessageContaining("frame 2 does not exist");
        Finding elsewhere =
                finding(new ImageRegion("1.2.3.4", null, GraphicType.POINT, List.of(1f, 1f)), null);
        assertThatThrownBy(
                        () ->
                                builder.build(
                                        new SrContent(
                                                "Observation/x",
                                                List.of(ANNOTATOR),
                                                List.of(elsewhere),
                                                true,
                                                LABELLED),
                                        List.of(ct),
                                        "2.25.5"))
                .isInstanceOf(SrException.class)
                .hasMessageContaining("no source image given for SOP Instance UID 1.2.3.4");
    }

    @Test
    void rejects_coordinates_that_do_not_fit_the_graphic_type() {
        assertThatThrownBy(
                        () -> new ImageRegion("1.2.3", null, GraphicType.CIRCLE, List.of(1f, 2f)))
                .isInstanceOf(SrException.class)
                .hasMessageContaining("a CIRCLE cannot have 1 point(s)");
        assertThatThrownBy(() -> ImageRegion.parseCoordinates("1 2 x 4"))
                .hasMessageContaining("found 'x'");
        assertThatThrownBy(
                        () ->
                                new ImageRegion(
                                        "1.2.3", null, GraphicType.POINT, List.of(1f, 2f, 3f)))
                .hasMessageContaining("column/row pairs");
    }

    @Test
    void decimal_strings_fit_in_sixteen_characters() {
        assertThat(MeasurementReportBuilder.decimalString(new BigDecimal("75.00"))).isEqualTo("75");
        assertThat(MeasurementReportBuilder.decimalString(new BigDecimal("1E+3")))
                .isEqualTo("1000");
        assertThat(MeasurementReportBuilder.decimalString(new BigDecimal("0.123456789012345678")))
                .hasSizeLessThanOrEqualTo(16)
                .startsWith("0.12345678901");
    }

    static Finding finding(ImageRegion region, DeviceObserver algorithm) {
        return new Finding(
                "Observation/l1#1",
                DerivedUids.of("tracking", "Observation/l1", "1"),
                NODULE,
                LEFT_LOWER_LOBE,
                LEFT,
                region,
                List.of(
                        new QualitativeEvaluation(
                                new Code("C0205160", "UMLS", "Consistency"),
                                new Code("solid", NODULE.scheme(), "Solid", "1.0.0", SCHEMA))),
                List.of(
                        new Measurement(
                                new Code("42798000", "SCT", "Area"),
                                new BigDecimal("429.250"),
                                new Code("mm2", "UCUM", "square millimeter"))),
                new BigDecimal("0.75"),
                "Round, well defined.",
                algorithm);
    }

    static void assertEvidenceListsOnly(AttributeList sr, AttributeList image) {
        SequenceAttribute evidence =
                (SequenceAttribute) sr.get(TagFromName.CurrentRequestedProcedureEvidenceSequence);
        assertThat(evidence.getNumberOfItems()).isEqualTo(1);
        AttributeList study = evidence.getItem(0).getAttributeList();
        assertThat(string(study, TagFromName.StudyInstanceUID))
                .isEqualTo(string(image, TagFromName.StudyInstanceUID));
        AttributeList series =
                ((SequenceAttribute) study.get(TagFromName.ReferencedSeriesSequence))
                        .getItem(0)
                        .getAttributeList();
        assertThat(string(series, TagFromName.SeriesInstanceUID))
                .isEqualTo(string(image, TagFromName.SeriesInstanceUID));
        SequenceAttribute sops = (SequenceAttribute) series.get(TagFromName.ReferencedSOPSequence);
        assertThat(sops.getNumberOfItems()).isEqualTo(1);
        AttributeList sop = sops.getItem(0).getAttributeList();
        assertThat(string(sop, TagFromName.ReferencedSOPInstanceUID))
                .isEqualTo(string(image, TagFromName.SOPInstanceUID));
        assertThat(string(sop, TagFromName.ReferencedSOPClassUID))
                .isEqualTo(string(image, TagFromName.SOPClassUID));
    }

    static String templateOf(ContentItem item) {
        SequenceAttribute templates =
                (SequenceAttribute)
                        item.getAttributeList().get(TagFromName.ContentTemplateSequence);
        return string(templates.getItem(0).getAttributeList(), TagFromName.TemplateIdentifier);
    }

    static CodedSequenceItem code(ContentItem item) {
        return ((CodeContentItem) item).getConceptCode();
    }

    static String string(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag);
    }
}
