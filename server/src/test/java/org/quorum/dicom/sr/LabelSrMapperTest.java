package org.quorum.dicom.sr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Optional;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.quorum.deid.keys.IdentifierKind;
import org.quorum.dicom.sr.SrContent.DeviceObserver;
import org.quorum.dicom.sr.SrContent.Finding;
import org.quorum.dicom.sr.SrContent.PersonObserver;

class LabelSrMapperTest {

    final LabelSrMapper mapper = ExampleLabels.mapper();

    @Test
    void ai_assisted_image_label_has_a_pseudonymous_annotator_and_the_model_as_observers() {
        SrContent content = mapper.map(ExampleLabels.imageLabel());

        assertThat(content.labelKey()).isEqualTo("Observation/example-image-label");
        assertThat(content.finalLabel()).isFalse();
        assertThat(content.observers()).hasSize(2);
        PersonObserver annotator = (PersonObserver) content.observers().get(0);
        // The PractitionerRole names Practitioner/example-annotator-plain: its keyed hash.
        String expected =
                ExampleLabels.KEYS.pseudonym(
                        IdentifierKind.OTHER_ID, "Practitioner/example-annotator-plain");
        assertThat(annotator.pseudonymousId()).isEqualTo(expected).startsWith("ID-");
        assertThat(annotator.personName())
                .isEqualTo("Annotator^" + expected)
                .doesNotContainIgnoringCase("example-annotator")
                .doesNotContain("ANN-7F3K");
        DeviceObserver model = (DeviceObserver) content.observers().get(1);
        assertThat(model.algorithmName()).isEqualTo("chest-nodule-detector");
        assertThat(model.algorithmVersion()).isEqualTo("2.3.1");
        assertThat(model.uid()).isEqualTo(DerivedUids.of("device", "Device/example-ai-model"));

        Finding finding = content.findings().get(0);
        assertThat(content.findings()).hasSize(1);
        assertThat(finding.trackingId()).isEqualTo("Observation/example-image-label#1");
        assertThat(finding.trackingUid()).startsWith("2.25.");
        assertThat(finding.finding().value()).isEqualTo("nodule");
        assertThat(finding.finding().meaning()).isEqualTo("Pulmonary nodule");
        assertThat(finding.finding().schemeVersion()).isEqualTo("1.0.0");
        assertThat(finding.finding().scheme())
                .startsWith("99Q")
                .isEqualTo(
                        CodingSchemes.designator(
                                "https://quorum.dev/fhir/CodeSystem/example-chest-findings"));
        assertThat(finding.findingSite().value()).isEqualTo("41224006");
        assertThat(finding.findingSite().scheme()).isEqualTo("SCT");
        assertThat(finding.laterality().value()).isEqualTo("7771000");
        assertThat(finding.region().sopInstanceUid()).isEqualTo(SourceImages.CT_SOP);
        assertThat(finding.region().frame()).isEqualTo(1);
        assertThat(finding.region().graphicType()).isEqualTo(GraphicType.POLYLINE);
        assertThat(finding.region().isClosedPolyline()).isTrue();
        assertThat(finding.region().coordinates())
                .containsExactly(120.5f, 88f, 140f, 88f, 140f, 110f, 120.5f, 110f, 120.5f, 88f);
        assertThat(finding.confidence()).isEqualByComparingTo("0.75");
        assertThat(finding.reasoning())
                .isEqualTo("Accepted the model's suggestion after adjusting the outline.");
        assertThat(finding.algorithm()).as("AI-assisted: the annotator made the finding").isNull();
    }

    @Test
    void ai_label_has_the_model_as_device_observer_and_algorithm_of_its_finding() {
        SrContent content = mapper.map(ExampleLabels.aiLabel());

        assertThat(content.observers()).singleElement().isInstanceOf(DeviceObserver.class);
        Finding finding = content.findings().get(0);
        assertThat(finding.algorithm().algorithmName()).isEqualTo("chest-nodule-detector");
        assertThat(finding.region().graphicType()).isEqualTo(GraphicType.POINT);
        assertThat(finding.region().frame()).isNull();
        assertThat(finding.confidence()).isEqualByComparingTo("0.97");
        assertThat(finding.findingSite()).isNull();
    }

    @Test
    void the_same_annotator_gets_the_same_id_and_another_annotator_another() {
        Observation label = ExampleLabels.imageLabel();
        String first = ((PersonObserver) mapper.map(label).observers().get(0)).pseudonymousId();
        assertThat(((PersonObserver) mapper.map(label).observers().get(0)).pseudonymousId())
                .isEqualTo(first);
        label.getPerformerFirstRep().setReference("PractitionerRole/someone-else");
        assertThat(((PersonObserver) mapper.map(label).observers().get(0)).pseudonymousId())
                .isNotEqualTo(first);
    }

    @Test
    void value_and_components_become_qualitative_evaluations_and_ucum_measurements() {
        Observation label = ExampleLabels.imageLabel();
        label.setValue(concept("http://snomed.info/sct", "255604002", "Mild"));
        label.addComponent()
                .setCode(concept("http://snomed.info/sct", "81827009", "Diameter"))
                .setValue(
                        new Quantity()
                                .setValue(new BigDecimal("12.5"))
                                .setSystem("http://unitsofmeasure.org")
                                .setCode("mm")
                                .setUnit("millimeter"));
        label.addComponent()
                .setCode(concept("http://loinc.org", "59776-5", "Procedure findings"))
                .setValue(concept("http://snomed.info/sct", "52101004", "Present"));

        Finding finding = mapper.map(label).findings().get(0);

        assertThat(finding.evaluations()).hasSize(2);
        assertThat(finding.evaluations().get(0).concept().value()).isEqualTo("nodule");
        assertThat(finding.evaluations().get(0).value().value()).isEqualTo("255604002");
        assertThat(finding.evaluations().get(1).concept().scheme()).isEqualTo("LN");
        assertThat(finding.evaluations().get(1).value().value()).isEqualTo("52101004");
        assertThat(finding.measurements())
                .singleElement()
                .satisfies(
                        m -> {
                            assertThat(m.concept().value()).isEqualTo("81827009");
                            assertThat(m.value()).isEqualByComparingTo("12.5");
                            assertThat(m.unit().value()).isEqualTo("mm");
                            assertThat(m.unit().scheme()).isEqualTo("UCUM");
                        });
    }

    @Test
    void rejects_what_an_sr_cannot_say() {
        assertRejected(ExampleLabels.read("valid/note-label.json"), "no image region");

        Observation notUcum = ExampleLabels.imageLabel();
        notUcum.addComponent()
                .setCode(concept("http://snomed.info/sct", "81827009", "Diameter"))
                .setValue(
                        new Quantity()
                                .setValue(3)
                                .setSystem("http://example.org/units")
                                .setCode("px"));
        assertRejected(notUcum, "UCUM unit");

        Observation text = ExampleLabels.imageLabel();
        text.addComponent()
                .setCode(concept("http://snomed.info/sct", "81827009", "Diameter"))
                .setValue(new StringType("big"));
        assertRejected(text, "Observation.component[0].value[x] is a string");

        Observation wrong = ExampleLabels.imageLabel();
        wrong.setStatus(Observation.ObservationStatus.ENTEREDINERROR);
        assertRejected(wrong, "entered-in-error");

        LabelSrMapper noVersion =
                new LabelSrMapper(
                        new LabelSrMapper.References() {
                            @Override
                            public Optional<Device> device(Reference reference) {
                                return Optional.of(
                                        new Device()
                                                .addDeviceName(
                                                        new Device.DeviceDeviceNameComponent()
                                                                .setName("model")
                                                                .setType(
                                                                        Device.DeviceNameType
                                                                                .MODELNAME)));
                            }

                            @Override
                            public Optional<PractitionerRole> practitionerRole(
                                    Reference reference) {
                                return Optional.empty();
                            }
                        },
                        ExampleLabels.PSEUDONYMISER);
        assertThatThrownBy(() -> noVersion.map(ExampleLabels.aiLabel()))
                .isInstanceOf(SrException.class)
                .hasMessageContaining("has no version");
    }

    private void assertRejected(Observation label, String message) {
        assertThatThrownBy(() -> mapper.map(label))
                .isInstanceOf(SrException.class)
                .hasMessageStartingWith("DICOM-SR-001")
                .hasMessageContaining(message)
                .satisfies(
                        e -> assertThat(((SrException) e).problem().httpStatus()).isEqualTo(422));
    }

    private static CodeableConcept concept(String system, String code, String display) {
        return new CodeableConcept(new Coding(system, code, display));
    }
}
