package org.quorum.dicom.sr.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.Optional;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.quorum.dicom.sr.DicomSrService.SrResult;
import org.quorum.testing.Examples;

class LabelSrLinksTest {

    static final SrResult SR = new SrResult("1.2.3", "2.25.4", "2.25.5", false);

    @Test
    void links_the_label_to_its_sr_and_study_once() {
        Observation label = imageLabel();
        label.getDerivedFrom().clear();
        label.addDerivedFrom(new Reference("DocumentReference/other"));

        boolean changed = LabelSrLinks.link(label, SR, Optional.of("ImagingStudy/mirror-1"));
        boolean again = LabelSrLinks.link(label, SR, Optional.of("ImagingStudy/mirror-1"));

        assertThat(changed).isTrue();
        assertThat(again).as("nothing left to add").isFalse();
        assertThat(label.getIdentifier())
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.getSystem()).isEqualTo("urn:dicom:uid");
                            assertThat(i.getValue()).isEqualTo("urn:oid:2.25.5");
                        });
        assertThat(label.getDerivedFrom())
                .extracting(Reference::getReference)
                .containsExactly("DocumentReference/other", "ImagingStudy/mirror-1");
    }

    @Test
    void adds_no_study_reference_the_label_already_has_or_none_when_no_study_is_mirrored() {
        Observation label = imageLabel();

        assertThat(LabelSrLinks.link(label, SR, Optional.of("ImagingStudy/example-study")))
                .isTrue();
        assertThat(label.getDerivedFrom()).hasSize(1);

        Observation unmirrored = imageLabel();
        unmirrored.getDerivedFrom().clear();
        LabelSrLinks.link(unmirrored, SR, Optional.empty());
        assertThat(unmirrored.getDerivedFrom()).isEmpty();
        assertThat(unmirrored.getIdentifier()).hasSize(1);
    }

    @Test
    void wado_rs_url_is_under_the_servers_dicomweb_root() {
        assertThat(LabelSrLinks.dicomWebBase("https://quorum.example/fhir"))
                .isEqualTo("https://quorum.example/dicomweb");
        assertThat(LabelSrLinks.dicomWebBase("http://127.0.0.1:8080/fhir/"))
                .isEqualTo("http://127.0.0.1:8080/dicomweb");
        assertThat(LabelSrLinks.wadoRsUrl("http://h/dicomweb", SR))
                .isEqualTo("http://h/dicomweb/studies/1.2.3/series/2.25.4/instances/2.25.5");
    }

    static Observation imageLabel() {
        return FhirContext.forR4Cached()
                .newJsonParser()
                .parseResource(Observation.class, Examples.read("valid/image-label.json"));
    }
}
