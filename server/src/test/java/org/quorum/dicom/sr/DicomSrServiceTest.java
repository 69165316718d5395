package org.quorum.dicom.sr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.dicom.sr.DicomSrService.SrResult;
import org.quorum.testing.DicomValidators;
import org.quorum.testing.InMemoryDicomInstances;

/**
 * The service end to end on the profile's label examples, with the three test images in an
 * in-memory store: the SR is stored once per label version, passes the validators, and says what
 * the label said about the image it was drawn on.
 */
class DicomSrServiceTest {

    final InMemoryDicomInstances store =
            new InMemoryDicomInstances()
                    .load(SourceImages.CT)
                    .load(SourceImages.DX)
                    .load(SourceImages.MR);
    final DicomSrService service =
            new DicomSrService(
                    store,
                    ExampleLabels.mapper(),
                    new MeasurementReportBuilder(MeasurementReportBuilderTest.CLOCK));

    @TempDir Path dir;

    @Test
    void image_label_example_becomes_a_conformant_sr_in_the_source_study() throws Exception {
        Observation label = ExampleLabels.imageLabel();

        SrResult result = service.createSr(label);

        AttributeList ct = SourceImages.read(SourceImages.CT);
        assertThat(result.alreadyStored()).isFalse();
        assertThat(result.studyInstanceUid()).isEqualTo(string(ct, TagFromName.StudyInstanceUID));
        assertThat(result.seriesInstanceUid())
                .isNotEqualTo(string(ct, TagFromName.SeriesInstanceUID))
                .startsWith("2.25.");
        assertThat(result.sopInstanceUid()).startsWith("2.25.");
        assertThat(store.size()).isEqualTo(4);
        AttributeList sr = store.read(result.sopInstanceUid()).orElseThrow();
        DicomValidators.assertConformant(SourceImages.write(sr, dir.resolve("image-label.dcm")));

        assertThat(string(sr, TagFromName.PatientID)).isEqualTo(string(ct, TagFromName.PatientID));
        assertThat(string(sr, TagFromName.PatientName))
                .isEqualTo(string(ct, TagFromName.PatientName));
        assertThat(string(sr, TagFromName.StudyDate)).isEqualTo("20040119");
        MeasurementReportBuilderTest.assertEvidenceListsOnly(sr, ct);
        SrTree tree = new SrTree(sr);
        assertThat(tree.one("121008").getConceptValue())
                .isEqualTo(
                        "Annotator^"
                                + ExampleLabels.KEYS.pseudonym(
                                        org.quorum.deid.keys.IdentifierKind.OTHER_ID,
                                        "Practitioner/example-annotator-plain"));
        assertThat(tree.one("121013").getConceptValue()).isEqualTo("chest-nodule-detector");
        assertThat(MeasurementReportBuilderTest.code(tree.one("121071")).getCodeValue())
                .isEqualTo("nodule");
        ContentItem region = tree.one("111030");
        assertThat(region.getGraphicType()).isEqualTo("POLYLINE");
        assertThat(region.getGraphicData())
                .containsExactly(120.5f, 88f, 140f, 88f, 140f, 110f, 120.5f, 110f, 120.5f, 88f);
        assertThat(SrTree.children(region).get(0).getReferencedSOPInstanceUID())
                .isEqualTo(SourceImages.CT_SOP);
        assertThat(
                        ((com.pixelmed.dicom.ContentItemFactory.NumericContentItem)
                                        tree.one("111012"))
                                .getNumericValue())
                .isEqualTo("75");
        assertThat(tree.one("121106").getConceptValue())
                .isEqualTo("Accepted the model's suggestion after adjusting the outline.");
    }

    @Test
    void the_same_label_version_gets_the_same_sr_once_even_after_the_sr_link_is_written_back() {
        Observation label = ExampleLabels.imageLabel();
        SrResult first = service.createSr(label);
        int stored = store.size();

        SrResult again = service.createSr(ExampleLabels.imageLabel());
        // What $dicom-sr writes back: a new version with the SR identifier.
        Observation linked = ExampleLabels.imageLabel();
        linked.addIdentifier(
                new Identifier()
                        .setSystem("urn:dicom:uid")
                        .setValue("urn:oid:" + first.sopInstanceUid()));
        linked.getMeta().setVersionId("2").setLastUpdated(new Date());
        SrResult afterLink = service.createSr(linked);

        assertThat(again.alreadyStored()).isTrue();
        assertThat(again.sopInstanceUid()).isEqualTo(first.sopInstanceUid());
        assertThat(afterLink.sopInstanceUid()).isEqualTo(first.sopInstanceUid());
        assertThat(afterLink.alreadyStored()).isTrue();
        assertThat(store.size()).isEqualTo(stored);
    }

    @Test
    void a_changed_label_gets_a_new_sr_in_the_same_series_with_the_same_tracking_uid() {
        SrResult first = service.createSr(ExampleLabels.imageLabel());
        Observation changed = ExampleLabels.imageLabel();
        changed.getExtensionByUrl(LabelSrMapper.CONFIDENCE).setValue(new DecimalType("0.9"));
        changed.setStatus(Observation.ObservationStatus.FINAL);

        SrResult second = service.createSr(changed);

        assertThat(second.alreadyStored()).isFalse();
        assertThat(second.sopInstanceUid()).isNotEqualTo(first.sopInstanceUid());
        assertThat(second.seriesInstanceUid()).isEqualTo(first.seriesInstanceUid());
        SrTree before = new SrTree(store.read(first.sopInstanceUid()).orElseThrow());
        SrTree after = new SrTree(store.read(second.sopInstanceUid()).orElseThrow());
        assertThat(after.one("112040").getConceptValue())
                .isEqualTo(before.one("112040").getConceptValue());
        AttributeList sr = store.read(second.sopInstanceUid()).orElseThrow();
        assertThat(string(sr, TagFromName.CompletionFlag)).isEqualTo("COMPLETE");
    }

    @Test
    void labels_on_dx_and_mr_images_by_annotator_and_model_pass_the_validators() throws Exception {
        AttributeList dx = SourceImages.read(SourceImages.DX);
        AttributeList mr = SourceImages.read(SourceImages.MR);
        Observation onDx = ExampleLabels.imageLabel();
        onDx.setId("label-on-dx");
        onDx.setDevice(null);
        onDx.getMethod().getCodingFirstRep().setCode("human");
        pointAt(
                onDx,
                string(dx, TagFromName.SOPInstanceUID),
                "ELLIPSE",
                "50 80 150 80 100 60 100 100");
        Observation onMr = ExampleLabels.aiLabel();
        onMr.setId("label-on-mr");
        pointAt(onMr, string(mr, TagFromName.SOPInstanceUID), "MULTIPOINT", "10 10 20 20 30 30");

        for (Observation label : List.of(onDx, onMr)) {
            SrResult result = service.createSr(label);
            AttributeList sr = store.read(result.sopInstanceUid()).orElseThrow();
            Path file = SourceImages.write(sr, dir.resolve(label.getIdPart() + ".dcm"));
            DicomValidators.assertConformant(file);
        }

        SrTree dxTree =
                new SrTree(store.read(service.createSr(onDx).sopInstanceUid()).orElseThrow());
        assertThat(dxTree.all("121012")).as("no device observer for a human label").isEmpty();
        assertThat(dxTree.one("111030").getGraphicType()).isEqualTo("ELLIPSE");
        SrTree mrTree =
                new SrTree(store.read(service.createSr(onMr).sopInstanceUid()).orElseThrow());
        assertThat(mrTree.all("121008")).as("no person observer for an AI label").isEmpty();
        assertThat(mrTree.one("111001").getConceptValue()).isEqualTo("chest-nodule-detector");
        assertThat(
                        string(
                                store.read(service.createSr(onMr).sopInstanceUid()).orElseThrow(),
                                TagFromName.PatientID))
                .isEqualTo(string(mr, TagFromName.PatientID));
    }

    @Test
    void a_label_on_an_image_not_in_the_store_is_a_clear_404() {
        Observation label = ExampleLabels.imageLabel();
        pointAt(label, "1.2.826.0.1.3680043.8.498.1", "POINT", "1 1");
        int stored = store.size();

        assertThatThrownBy(() -> service.createSr(label))
                .isInstanceOf(SrException.class)
                .hasMessage(
                        "DICOM-SR-002: the label's source image (SOP Instance UID"
                                + " 1.2.826.0.1.3680043.8.498.1) is not in the DICOM store; send it"
                                + " with STOW-RS (POST /dicomweb/studies) first")
                .satisfies(
                        e -> assertThat(((SrException) e).problem().httpStatus()).isEqualTo(404));
        assertThat(store.size()).isEqualTo(stored);
    }

    static void pointAt(Observation label, String sop, String graphicType, String coordinates) {
        Extension region = label.getExtensionByUrl(LabelSrMapper.IMAGE_REGION);
        region.getExtensionByUrl("sopInstanceUid").setValue(new org.hl7.fhir.r4.model.IdType(sop));
        region.getExtensionByUrl("graphicType")
                .setValue(new org.hl7.fhir.r4.model.CodeType(graphicType));
        region.getExtensionByUrl("coordinates")
                .setValue(new org.hl7.fhir.r4.model.StringType(coordinates));
        region.removeExtension("frame");
    }

    static String string(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag);
    }
}
