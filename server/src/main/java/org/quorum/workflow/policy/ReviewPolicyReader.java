package org.quorum.workflow.policy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ResearchStudy;
import org.hl7.fhir.r4.model.Type;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.workflow.Stage;
import org.quorum.workflow.WorkflowException;
import org.quorum.workflow.WorkflowException.Problem;

/**
 * Reads a project's {@link ReviewPolicy} from its ResearchStudy, fills in the defaults and checks
 * every value, naming the element that is wrong ({@code quorum-review-policy.annotatorsPerCase}) in
 * the error.
 */
public final class ReviewPolicyReader {

    private static final Set<String> KNOWN =
            Set.of(
                    "labelSchema",
                    "labelValueSet",
                    "caseSource",
                    "calibrationSet",
                    "goldSet",
                    "annotatorsPerCase",
                    "overlapFraction",
                    "review",
                    "reviewFraction",
                    "maxOpenPerAnnotator",
                    "maxCasesPerAnnotator",
                    "calibrationThreshold",
                    "goldFraction",
                    "goldWindow",
                    "goldMinimum",
                    "aiHighThreshold",
                    "aiLowThreshold",
                    "blindFraction",
                    "biasAlpha",
                    "biasMinimumReviews",
                    "minimumAcceptSeconds",
                    "overlapThreshold");

    private ReviewPolicyReader() {}

    /**
     * The policy of {@code study}.
     *
     * @throws WorkflowException ({@link Problem#BAD_POLICY}) when the study has no policy or a
     *     value is wrong
     */
    public static ReviewPolicy read(ResearchStudy study) {
        String project = "ResearchStudy/" + study.getIdElement().getIdPart();
        List<Extension> policies = study.getExtensionsByUrl(QuorumProfiles.EXT_REVIEW_POLICY);
        if (policies.size() != 1) {
            throw new WorkflowException(
                    Problem.BAD_POLICY,
                    project
                            + " has "
                            + policies.size()
                            + " quorum-review-policy extensions; a project needs exactly one,"
                            + " naming at least its labelSchema (url|version)");
        }
        Extension policy = policies.get(0);
        for (Extension part : policy.getExtension()) {
            if (!KNOWN.contains(part.getUrl())) {
                throw bad(
                        part.getUrl(),
                        "is not a review policy element; see docs/workflow.md for the list");
            }
        }
        String schema =
                one(policy, "labelSchema")
                        .map(v -> v instanceof CanonicalType c ? c.getValue() : null)
                        .orElseThrow(
                                () ->
                                        bad(
                                                "labelSchema",
                                                "is required: the label schema's CodeSystem url"
                                                        + " and version, e.g."
                                                        + " https://example.org/CodeSystem/findings|1.0.0"));
        int bar = schema.lastIndexOf('|');
        if (bar <= 0 || bar == schema.length() - 1) {
            throw bad(
                    "labelSchema",
                    "'"
                            + schema
                            + "' names no version; write url|version, e.g. "
                            + schema
                            + "|1.0.0");
        }
        List<String> sources = new ArrayList<>();
        for (Extension source : policy.getExtensionsByUrl("caseSource")) {
            sources.add(
                    reference(
                            source.getValue(),
                            "caseSource",
                            "DocumentReference",
                            "ImagingStudy",
                            "List"));
        }
        double high = fraction(policy, "aiHighThreshold", ReviewPolicy.DEFAULT_AI_HIGH);
        double low = fraction(policy, "aiLowThreshold", ReviewPolicy.DEFAULT_AI_LOW);
        if (low > high) {
            throw bad(
                    "aiLowThreshold",
                    "is "
                            + low
                            + ", above aiHighThreshold "
                            + high
                            + "; the low one must not be above the high one");
        }
        String review = one(policy, "review").map(Type::primitiveValue).orElse("always");
        if (!Set.of("always", "sampled").contains(review)) {
            throw bad("review", "is '" + review + "'; use always or sampled");
        }
        int annotators =
                integer(policy, "annotatorsPerCase", ReviewPolicy.DEFAULT_ANNOTATORS_PER_CASE);
        if (annotators < 1 || annotators > 5) {
            throw bad("annotatorsPerCase", "is " + annotators + "; a case gets 1 to 5 annotators");
        }
        Optional<Double> threshold =
                one(policy, "calibrationThreshold").map(v -> fraction(v, "calibrationThreshold"));
        return new ReviewPolicy(
                schema.substring(0, bar),
                schema.substring(bar + 1),
                one(policy, "labelValueSet").map(Type::primitiveValue),
                sources,
                one(policy, "calibrationSet").map(v -> reference(v, "calibrationSet", "List")),
                one(policy, "goldSet").map(v -> reference(v, "goldSet", "List")),
                annotators,
                fraction(policy, "overlapFraction", ReviewPolicy.DEFAULT_OVERLAP_FRACTION),
                review.equals("always"),
                fraction(policy, "reviewFraction", ReviewPolicy.DEFAULT_REVIEW_FRACTION),
                integer(policy, "maxOpenPerAnnotator", ReviewPolicy.DEFAULT_MAX_OPEN),
                one(policy, "maxCasesPerAnnotator").map(v -> positive(v, "maxCasesPerAnnotator")),
                threshold,
                fraction(policy, "goldFraction", ReviewPolicy.DEFAULT_GOLD_FRACTION),
                integer(policy, "goldWindow", ReviewPolicy.DEFAULT_GOLD_WINDOW),
                integer(policy, "goldMinimum", ReviewPolicy.DEFAULT_GOLD_MINIMUM),
                high,
                low,
                fraction(policy, "blindFraction", ReviewPolicy.DEFAULT_BLIND_FRACTION),
                fraction(policy, "biasAlpha", ReviewPolicy.DEFAULT_BIAS_ALPHA),
                integer(policy, "biasMinimumReviews", ReviewPolicy.DEFAULT_BIAS_MINIMUM_REVIEWS),
                nonNegative(
                        policy,
                        "minimumAcceptSeconds",
                        ReviewPolicy.DEFAULT_MINIMUM_ACCEPT_SECONDS),
                fraction(policy, "overlapThreshold", ReviewPolicy.DEFAULT_OVERLAP_THRESHOLD),
                requirements(study));
    }

    private static List<QualificationRequirement> requirements(ResearchStudy study) {
        List<QualificationRequirement> requirements = new ArrayList<>();
        for (Extension requirement :
                study.getExtensionsByUrl(QuorumProfiles.EXT_QUALIFICATION_REQUIREMENT)) {
            String stageCode =
                    Optional.ofNullable(requirement.getExtensionByUrl("stage"))
                            .map(Extension::getValue)
                            .map(Type::primitiveValue)
                            .orElseThrow(
                                    () ->
                                            requirementError(
                                                    "stage",
                                                    "is required: annotate, review or adjudicate"));
            Stage stage =
                    Stage.fromCode(stageCode)
                            .filter(
                                    s ->
                                            s == Stage.ANNOTATE
                                                    || s == Stage.REVIEW
                                                    || s == Stage.ADJUDICATE)
                            .orElseThrow(
                                    () ->
                                            requirementError(
                                                    "stage",
                                                    "is '"
                                                            + stageCode
                                                            + "'; use annotate, review or"
                                                            + " adjudicate"));
            Coding qualification =
                    coding(requirement.getExtensionByUrl("qualification"))
                            .orElseThrow(
                                    () ->
                                            requirementError(
                                                    "qualification",
                                                    "is required: a CodeableConcept with system"
                                                            + " and code"));
            Optional<Coding> caseType = coding(requirement.getExtensionByUrl("caseType"));
            requirements.add(
                    new QualificationRequirement(
                            stage,
                            key(qualification),
                            qualification.hasDisplay()
                                    ? qualification.getDisplay()
                                    : qualification.getCode(),
                            caseType.map(ReviewPolicyReader::key)));
        }
        return requirements;
    }

    /** {@code system|code} of a coding. */
    public static String key(Coding coding) {
        return coding.getSystem() + "|" + coding.getCode();
    }

    private static Optional<Coding> coding(Extension extension) {
        if (extension == null || !(extension.getValue() instanceof CodeableConcept concept)) {
            return Optional.empty();
        }
        return concept.getCoding().stream().filter(c -> c.hasSystem() && c.hasCode()).findFirst();
    }

    private static Optional<Type> one(Extension policy, String name) {
        List<Extension> found = policy.getExtensionsByUrl(name);
        if (found.size() > 1) {
            throw bad(name, "appears " + found.size() + " times; give it once");
        }
        return found.stream().map(Extension::getValue).filter(v -> v != null).findFirst();
    }

    private static String reference(Type value, String name, String... types) {
        if (!(value instanceof Reference reference) || !reference.hasReference()) {
            throw bad(name, "must be a Reference to " + String.join(", ", types));
        }
        IdType id = new IdType(reference.getReference());
        if (!List.of(types).contains(id.getResourceType()) || !id.hasIdPart()) {
            throw bad(
                    name,
                    "is '"
                            + reference.getReference()
                            + "'; it must reference a "
                            + String.join(" or ", types));
        }
        return id.toUnqualifiedVersionless().getValue();
    }

    private static double fraction(Extension policy, String name, double fallback) {
        return one(policy, name).map(v -> fraction(v, name)).orElse(fallback);
    }

    private static double fraction(Type value, String name) {
        double number = number(value, name);
        if (!(number >= 0 && number <= 1)) {
            throw bad(name, "is " + number + "; it must lie between 0 and 1");
        }
        return number;
    }

    private static double nonNegative(Extension policy, String name, double fallback) {
        return one(policy, name)
                .map(
                        v -> {
                            double number = number(v, name);
                            if (!(number >= 0)) {
                                throw bad(name, "is " + number + "; it must not be negative");
                            }
                            return number;
                        })
                .orElse(fallback);
    }

    private static double number(Type value, String name) {
        try {
            return new BigDecimal(value.primitiveValue()).doubleValue();
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(name, "is not a number");
        }
    }

    private static int integer(Extension policy, String name, int fallback) {
        return one(policy, name).map(v -> positive(v, name)).orElse(fallback);
    }

    private static int positive(Type value, String name) {
        try {
            int number = Integer.parseInt(value.primitiveValue());
            if (number < 1) {
                throw bad(name, "is " + number + "; it must be at least 1");
            }
            return number;
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(name, "is not a whole number");
        }
    }

    private static WorkflowException bad(String element, String problem) {
        return new WorkflowException(
                Problem.BAD_POLICY, "quorum-review-policy." + element + " " + problem);
    }

    private static WorkflowException requirementError(String element, String problem) {
        return new WorkflowException(
                Problem.BAD_POLICY, "quorum-qualification-requirement." + element + " " + problem);
    }
}
