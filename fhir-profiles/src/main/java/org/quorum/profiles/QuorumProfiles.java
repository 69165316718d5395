package org.quorum.profiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Canonical URLs of Quorum's conformance resources and access to the FHIR package that carries
 * them.
 *
 * <p>The package is built from {@code src/main/fhir} by {@link FhirPackageBuilder} during the Maven
 * build (snapshots generated there) and stored in this jar as {@value #PACKAGE_RESOURCE}.
 */
public final class QuorumProfiles {

    /** Base of every Quorum canonical URL. */
    public static final String CANONICAL_BASE = "https://quorum.dev/fhir";

    public static final String PACKAGE_NAME = "dev.quorum.fhir";
    public static final String PACKAGE_RESOURCE = "/org/quorum/profiles/quorum-fhir-package.tgz";

    public static final String LABEL = CANONICAL_BASE + "/StructureDefinition/quorum-label";
    public static final String ANNOTATOR = CANONICAL_BASE + "/StructureDefinition/quorum-annotator";
    public static final String REVIEW_TASK =
            CANONICAL_BASE + "/StructureDefinition/quorum-review-task";

    public static final String EXT_PROJECT = CANONICAL_BASE + "/StructureDefinition/quorum-project";
    public static final String EXT_CONFIDENCE =
            CANONICAL_BASE + "/StructureDefinition/quorum-confidence";
    public static final String EXT_REASONING =
            CANONICAL_BASE + "/StructureDefinition/quorum-reasoning";
    public static final String EXT_TEXT_SPAN =
            CANONICAL_BASE + "/StructureDefinition/quorum-text-span";
    public static final String EXT_IMAGE_REGION =
            CANONICAL_BASE + "/StructureDefinition/quorum-image-region";
    public static final String EXT_LATERALITY =
            CANONICAL_BASE + "/StructureDefinition/quorum-laterality";

    public static final String CS_LABEL_METHOD = CANONICAL_BASE + "/CodeSystem/quorum-label-method";
    public static final String CS_REVIEW_TASK_TYPE =
            CANONICAL_BASE + "/CodeSystem/quorum-review-task-type";
    public static final String CS_GRAPHIC_TYPE = CANONICAL_BASE + "/CodeSystem/quorum-graphic-type";

    // Quality reports (MeasureReport, DetectedIssue): see docs/quality.md.
    public static final String EXT_CONFIDENCE_INTERVAL =
            CANONICAL_BASE + "/StructureDefinition/quorum-confidence-interval";
    public static final String EXT_CHI_SQUARE_TEST =
            CANONICAL_BASE + "/StructureDefinition/quorum-chi-square-test";
    public static final String EXT_REFERENCE_SHARE =
            CANONICAL_BASE + "/StructureDefinition/quorum-reference-share";
    public static final String EXT_QUALITY_FLAG =
            CANONICAL_BASE + "/StructureDefinition/quorum-quality-flag";
    public static final String EXT_CASES_NEEDED =
            CANONICAL_BASE + "/StructureDefinition/quorum-cases-needed";
    public static final String EXT_LABEL_SCHEMA =
            CANONICAL_BASE + "/StructureDefinition/quorum-label-schema";

    // De-identification Provenances: see docs/deid-fhir.md.
    public static final String EXT_DEID_COUNTS =
            CANONICAL_BASE + "/StructureDefinition/quorum-deid-counts";
    public static final String CS_DEID_CATEGORY =
            CANONICAL_BASE + "/CodeSystem/quorum-deid-category";

    public static final String CS_QUALITY_STATISTIC =
            CANONICAL_BASE + "/CodeSystem/quorum-quality-statistic";
    public static final String CS_QUALITY_STRATIFIER =
            CANONICAL_BASE + "/CodeSystem/quorum-quality-stratifier";
    public static final String CS_QUALITY_FLAG = CANONICAL_BASE + "/CodeSystem/quorum-quality-flag";
    public static final String CS_DETECTED_ISSUE_TYPE =
            CANONICAL_BASE + "/CodeSystem/quorum-detected-issue-type";

    public static final String MEASURE_LABEL_AGREEMENT =
            CANONICAL_BASE + "/Measure/quorum-label-agreement";
    public static final String MEASURE_DATASET_BIAS =
            CANONICAL_BASE + "/Measure/quorum-dataset-bias";
    public static final String MEASURE_CLASS_BALANCE =
            CANONICAL_BASE + "/Measure/quorum-class-balance";

    /**
     * Search parameter {@code project} on Observation, Task and DetectedIssue: the quorum-project
     * extension, e.g. {@code Observation?project=ResearchStudy/42}.
     */
    public static final String SP_PROJECT = CANONICAL_BASE + "/SearchParameter/quorum-project";

    /** The code of {@link #SP_PROJECT}. */
    public static final String SP_PROJECT_CODE = "project";

    /** The resource profiles (not extensions), by the resource type they constrain. */
    public static final List<ProfileRef> RESOURCE_PROFILES =
            List.of(
                    new ProfileRef("Observation", LABEL),
                    new ProfileRef("Practitioner", ANNOTATOR),
                    new ProfileRef("Task", REVIEW_TASK));

    /** A profile and the resource type it constrains. */
    public record ProfileRef(String resourceType, String url) {}

    private QuorumProfiles() {}

    /** True when {@code url} names a Quorum conformance resource (with or without a version). */
    public static boolean isQuorumCanonical(String url) {
        return url != null && url.startsWith(CANONICAL_BASE + "/");
    }

    /** The FHIR NPM package (a gzipped tar) built into this jar. */
    public static byte[] packageBytes() {
        try (InputStream in = QuorumProfiles.class.getResourceAsStream(PACKAGE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "The Quorum FHIR package "
                                + PACKAGE_RESOURCE
                                + " is missing from the classpath: build fhir-profiles with Maven"
                                + " (mvn -pl fhir-profiles package).");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the Quorum FHIR package", e);
        }
    }
}
