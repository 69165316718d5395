package org.quorum.dicom.sr.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.testing.Examples;

/** Which writes make an SR automatically (the after-commit publishing needs the server). */
class FinalLabelSrInterceptorTest {

    @ParameterizedTest
    @EnumSource(ObservationStatus.class)
    void an_image_label_gets_its_sr_when_final_amended_or_corrected(ObservationStatus status) {
        Observation label = read("valid/image-label.json");
        label.setStatus(status);
        boolean expected =
                status == ObservationStatus.FINAL
                        || status == ObservationStatus.AMENDED
                        || status == ObservationStatus.CORRECTED;
        assertThat(FinalLabelSrInterceptor.needsSr(label)).isEqualTo(expected);
    }

    @Test
    void note_labels_observations_without_profile_or_project_and_other_resources_get_none() {
        Observation note = read("valid/note-label.json");
        note.setStatus(ObservationStatus.FINAL);
        // An Observation is a label by its profile or its project link; with neither it is not.
        Observation unprofiled = read("valid/image-label.json");
        unprofiled.setStatus(ObservationStatus.FINAL);
        unprofiled.getMeta().getProfile().clear();
        Observation unlinked = unprofiled.copy();
        unlinked.getExtension().removeIf(e -> QuorumProfiles.EXT_PROJECT.equals(e.getUrl()));

        assertThat(FinalLabelSrInterceptor.needsSr(note)).isFalse();
        assertThat(FinalLabelSrInterceptor.needsSr(unlinked)).isFalse();
        assertThat(FinalLabelSrInterceptor.needsSr(unprofiled)).isTrue();
        assertThat(FinalLabelSrInterceptor.needsSr(new Patient())).isFalse();
    }

    static Observation read(String example) {
        return FhirContext.forR4Cached()
                .newJsonParser()
                .parseResource(Observation.class, Examples.read(example));
    }
}
