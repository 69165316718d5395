package org.quorum.workflow.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.junit.jupiter.api.Test;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.workflow.Stage;
import org.quorum.workflow.WorkflowException;

class ReviewPolicyReaderTest {

    private static ResearchStudy study(Extension policy) {
        ResearchStudy study = new ResearchStudy();
        study.setId("ResearchStudy/7");
        study.addExtension(policy);
        return study;
    }

    private static ResearchStudy unconfigured() {
        ResearchStudy study = new ResearchStudy();
        study.setId("ResearchStudy/8");
        return study;
    }

    private static Extension policy(String schema) {
        Extension policy = new Extension(QuorumProfiles.EXT_REVIEW_POLICY);
        policy.addExtension("labelSchema", new CanonicalType(schema));
        return policy;
    }

    @Test
    void fills_in_the_defaults() {
        ReviewPolicy policy =
                ReviewPolicyReader.read(study(policy("https://example.org/CodeSystem/x|1.0.0")));

        assertThat(policy.schemaUrl()).isEqualTo("https://example.org/CodeSystem/x");
        assertThat(policy.schemaVersion()).isEqualTo("1.0.0");
        assertThat(policy.annotatorsPerCase()).isEqualTo(2);
        assertThat(policy.reviewAlways()).isTrue();
        assertThat(policy.aiHighThreshold()).isEqualTo(0.9);
        assertThat(policy.aiLowThreshold()).isEqualTo(0.5);
        assertThat(policy.blindFraction()).isEqualTo(0.1);
        assertThat(policy.goldFraction()).isEqualTo(0.05);
        assertThat(policy.calibrationThresholdFor(2)).isEqualTo(0.85);
        assertThat(policy.calibrationThresholdFor(3)).isEqualTo(0.75);
    }

    @Test
    void reads_values_sources_and_requirements() {
        Extension policy = policy("https://example.org/CodeSystem/x|2.0.0");
        policy.addExtension("annotatorsPerCase", new PositiveIntType(3));
        policy.addExtension("review", new CodeType("sampled"));
        policy.addExtension("calibrationThreshold", new DecimalType("0.9"));
        policy.addExtension("caseSource", new Reference("List/notes"));
        policy.addExtension("caseSource", new Reference("ImagingStudy/4"));
        ResearchStudy study = study(policy);
        Extension requirement =
                study.addExtension().setUrl(QuorumProfiles.EXT_QUALIFICATION_REQUIREMENT);
        requirement.addExtension("stage", new CodeType("annotate"));
        requirement.addExtension(
                "qualification",
                new CodeableConcept(
                        new Coding("http://example.org/board", "radiology", "Radiology")));
        requirement.addExtension(
                "caseType",
                new CodeableConcept(new Coding(QuorumProfiles.CS_CASE_TYPE, "image", null)));

        ReviewPolicy read = ReviewPolicyReader.read(study);

        assertThat(read.annotatorsPerCase()).isEqualTo(3);
        assertThat(read.reviewAlways()).isFalse();
        assertThat(read.calibrationThresholdFor(2)).isEqualTo(0.9);
        assertThat(read.caseSources()).containsExactly("List/notes", "ImagingStudy/4");
        assertThat(
                        read.requiredCodes(
                                Stage.ANNOTATE, Set.of(QuorumProfiles.CS_CASE_TYPE + "|image")))
                .containsExactly("http://example.org/board|radiology");
        assertThat(
                        read.requiredCodes(
                                Stage.ANNOTATE, Set.of(QuorumProfiles.CS_CASE_TYPE + "|note")))
                .isEmpty();
        assertThat(read.requiredCodes(Stage.REVIEW, Set.of(QuorumProfiles.CS_CASE_TYPE + "|image")))
                .isEmpty();
    }

    @Test
    void refuses_bad_values_naming_the_element() {
        assertThatThrownBy(
                        () ->
                                ReviewPolicyReader.read(
                                        study(policy("https://example.org/CodeSystem/x"))))
                .isInstanceOf(WorkflowException.class)
                .hasMessageContaining("quorum-review-policy.labelSchema")
                .hasMessageContaining("names no version");
        Extension tooMany = policy("https://example.org/CodeSystem/x|1");
        tooMany.addExtension("annotatorsPerCase", new PositiveIntType(6));
        assertThatThrownBy(() -> ReviewPolicyReader.read(study(tooMany)))
                .hasMessageContaining("quorum-review-policy.annotatorsPerCase is 6");
        Extension inverted = policy("https://example.org/CodeSystem/x|1");
        inverted.addExtension("aiHighThreshold", new DecimalType("0.4"));
        inverted.addExtension("aiLowThreshold", new DecimalType("0.6"));
        assertThatThrownBy(() -> ReviewPolicyReader.read(study(inverted)))
                .hasMessageContaining("aiLowThreshold");
        Extension unknown = policy("https://example.org/CodeSystem/x|1");
        unknown.addExtension("annotatorPerCase", new PositiveIntType(2));
        assertThatThrownBy(() -> ReviewPolicyReader.read(study(unknown)))
                .hasMessageContaining(
                        "quorum-review-policy.annotatorPerCase is not a review policy element");
        assertThatThrownBy(() -> ReviewPolicyReader.read(unconfigured()))
                .hasMessageContaining("has 0 quorum-review-policy extensions");
        Extension badSource = policy("https://example.org/CodeSystem/x|1");
        badSource.addExtension("caseSource", new Reference("Patient/1"));
        assertThatThrownBy(() -> ReviewPolicyReader.read(study(badSource)))
                .hasMessageContaining("caseSource is 'Patient/1'");
    }
}
