package org.quorum.workflow.policy;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.quorum.workflow.Stage;

/**
 * A project's review policy, read from its ResearchStudy (extensions {@code quorum-review-policy}
 * and {@code quorum-qualification-requirement}) with the defaults filled in. Defaults and meaning:
 * docs/workflow.md.
 *
 * @param schemaUrl the label schema (CodeSystem url)
 * @param schemaVersion the schema version labels are made under
 * @param valueSet the ValueSet restricting the codes, if any
 * @param caseSources case source references (DocumentReference, ImagingStudy, List)
 * @param calibrationSet the calibration List, if any
 * @param goldSet the gold List, if any
 * @param annotatorsPerCase 1-5
 * @param overlapFraction share of cases labelled by annotatorsPerCase annotators
 * @param reviewAlways every agreeing case reviewed (else reviewFraction of them)
 * @param reviewFraction share reviewed when sampled
 * @param maxOpenPerAnnotator open tasks a clinician may hold in the project
 * @param maxCasesPerAnnotator cases an annotator may label, if limited
 * @param calibrationThreshold percent agreement needed, if set (else by schema size)
 * @param goldFraction share of production work that is gold
 * @param goldWindow gold items in the rolling window
 * @param goldMinimum gold items needed before a pause
 * @param aiHighThreshold AI confidence for single-reviewer confirmation
 * @param aiLowThreshold AI confidence below which the AI label is hidden
 * @param blindFraction share of high-confidence AI cases read blind
 * @param biasAlpha significance level of the automation-bias test
 * @param biasMinimumReviews decisions a reviewer needs before being tested
 * @param minimumAcceptSeconds floor of the median time to accept an AI suggestion (0: none)
 * @param overlapThreshold IoU two spans or regions need to be the same finding
 * @param requirements the qualification requirements
 */
public record ReviewPolicy(
        String schemaUrl,
        String schemaVersion,
        Optional<String> valueSet,
        List<String> caseSources,
        Optional<String> calibrationSet,
        Optional<String> goldSet,
        int annotatorsPerCase,
        double overlapFraction,
        boolean reviewAlways,
        double reviewFraction,
        int maxOpenPerAnnotator,
        Optional<Integer> maxCasesPerAnnotator,
        Optional<Double> calibrationThreshold,
        double goldFraction,
        int goldWindow,
        int goldMinimum,
        double aiHighThreshold,
        double aiLowThreshold,
        double blindFraction,
        double biasAlpha,
        int biasMinimumReviews,
        double minimumAcceptSeconds,
        double overlapThreshold,
        List<QualificationRequirement> requirements) {

    public static final int DEFAULT_ANNOTATORS_PER_CASE = 2;
    public static final double DEFAULT_OVERLAP_FRACTION = 1.0;
    public static final double DEFAULT_REVIEW_FRACTION = 0.2;
    public static final int DEFAULT_MAX_OPEN = 3;
    public static final double DEFAULT_GOLD_FRACTION = 0.05;
    public static final int DEFAULT_GOLD_WINDOW = 20;
    public static final int DEFAULT_GOLD_MINIMUM = 5;
    public static final double DEFAULT_AI_HIGH = 0.9;
    public static final double DEFAULT_AI_LOW = 0.5;
    public static final double DEFAULT_BLIND_FRACTION = 0.1;
    public static final double DEFAULT_BIAS_ALPHA = 0.05;
    public static final int DEFAULT_BIAS_MINIMUM_REVIEWS = 10;
    public static final double DEFAULT_MINIMUM_ACCEPT_SECONDS = 5;
    public static final double DEFAULT_OVERLAP_THRESHOLD = 0.5;

    public ReviewPolicy {
        caseSources = List.copyOf(caseSources);
        requirements = List.copyOf(requirements);
    }

    /** {@code url|version}: the schema version as a canonical. */
    public String schemaCanonical() {
        return schemaUrl + "|" + schemaVersion;
    }

    /** The requirements of {@code stage} for a case with these type codes. */
    public List<QualificationRequirement> requirementsFor(Stage stage, Set<String> caseTypes) {
        Stage effective = stage == Stage.RE_EVALUATE ? Stage.REVIEW : stage;
        return requirements.stream()
                .filter(r -> r.stage() == effective && r.appliesTo(caseTypes))
                .toList();
    }

    /** The qualification codes ({@code system|code}) required for {@code stage} on such a case. */
    public Set<String> requiredCodes(Stage stage, Set<String> caseTypes) {
        return requirementsFor(stage, caseTypes).stream()
                .map(QualificationRequirement::qualification)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The calibration threshold: as set, or by the number of classes of the schema. */
    public double calibrationThresholdFor(int classes) {
        return calibrationThreshold.orElse(
                org.quorum.quality.calibration.Calibration.defaultThreshold(classes));
    }
}
