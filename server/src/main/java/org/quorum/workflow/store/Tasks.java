package org.quorum.workflow.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Type;
import org.quorum.labels.LabelReadModel;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.workflow.Stage;

/**
 * Reading and writing the parts of review Tasks: the stage code, the project, and inputs and
 * outputs typed by {@code quorum-task-parameter}. Static helpers over HAPI's model, no storage.
 */
public final class Tasks {

    public static final String ROUND = "round";
    public static final String ANNOTATORS_NEEDED = "annotators-needed";
    public static final String ROUTE = "route";
    public static final String SUGGESTION = "suggestion";
    public static final String LABEL = "label";
    public static final String BLIND = "blind";
    public static final String CASE = "case";
    public static final String DECISION = "decision";
    public static final String COMMENT = "comment";
    public static final String RATIONALE = "rationale";
    public static final String PERCENT_AGREEMENT = "percent-agreement";
    public static final String COHEN_KAPPA = "cohen-kappa";
    public static final String KAPPA_LOWER = "kappa-lower";
    public static final String KAPPA_UPPER = "kappa-upper";
    public static final String AGREEMENT_LOWER = "agreement-lower";
    public static final String AGREEMENT_UPPER = "agreement-upper";
    public static final String THRESHOLD = "threshold";
    public static final String PASSED = "passed";
    public static final String SCHEMA_VERSION = "schema-version";
    public static final String SCHEMA_CHANGE = "schema-change";

    private Tasks() {}

    /** A new review Task of {@code stage} in {@code project}, claiming the review-task profile. */
    public static Task newTask(Stage stage, String project, Task.TaskStatus status) {
        Task task = new Task();
        task.getMeta().addProfile(QuorumProfiles.REVIEW_TASK);
        task.addExtension(QuorumProfiles.EXT_PROJECT, new Reference(project));
        task.setStatus(status);
        task.setIntent(Task.TaskIntent.ORDER);
        task.setCode(
                new CodeableConcept(
                        new Coding(
                                QuorumProfiles.CS_REVIEW_TASK_TYPE,
                                stage.code(),
                                stage.display())));
        return task;
    }

    /** The stage of a Task, if it is a review task. */
    public static Optional<Stage> stage(Task task) {
        return task.getCode().getCoding().stream()
                .filter(c -> QuorumProfiles.CS_REVIEW_TASK_TYPE.equals(c.getSystem()))
                .map(Coding::getCode)
                .filter(Objects::nonNull)
                .findFirst()
                .flatMap(Stage::fromCode);
    }

    /** The Task's project ({@code ResearchStudy/…}), if it names one. */
    public static Optional<String> project(Task task) {
        var extension = task.getExtensionByUrl(QuorumProfiles.EXT_PROJECT);
        if (extension == null || !(extension.getValue() instanceof Reference reference)) {
            return Optional.empty();
        }
        return Optional.ofNullable(LabelReadModel.relative(reference));
    }

    /** {@code Task/…}, versionless. */
    public static String ref(Task task) {
        return "Task/" + task.getIdElement().getIdPart();
    }

    /** The owner ({@code PractitionerRole/…}), if any. */
    public static Optional<String> owner(Task task) {
        return Optional.ofNullable(LabelReadModel.relative(task.getOwner()));
    }

    /** The case task this stage is part of, if any. */
    public static Optional<String> caseTask(Task task) {
        return task.getPartOf().stream()
                .map(LabelReadModel::relative)
                .filter(Objects::nonNull)
                .findFirst();
    }

    public static CodeableConcept type(String code) {
        return new CodeableConcept(new Coding(QuorumProfiles.CS_TASK_PARAMETER, code, null));
    }

    private static boolean isType(CodeableConcept type, String code) {
        return type.getCoding().stream()
                .anyMatch(
                        c ->
                                QuorumProfiles.CS_TASK_PARAMETER.equals(c.getSystem())
                                        && code.equals(c.getCode()));
    }

    public static void addInput(Task task, String code, Type value) {
        task.addInput().setType(type(code)).setValue(value);
    }

    public static void addOutput(Task task, String code, Type value) {
        task.addOutput().setType(type(code)).setValue(value);
    }

    /** Replaces the inputs of {@code code} with one value. */
    public static void setInput(Task task, String code, Type value) {
        task.getInput().removeIf(i -> isType(i.getType(), code));
        addInput(task, code, value);
    }

    public static List<Type> inputs(Task task, String code) {
        return task.getInput().stream()
                .filter(i -> isType(i.getType(), code))
                .map(Task.ParameterComponent::getValue)
                .filter(Objects::nonNull)
                .toList();
    }

    public static List<Type> outputs(Task task, String code) {
        return task.getOutput().stream()
                .filter(o -> isType(o.getType(), code))
                .map(Task.TaskOutputComponent::getValue)
                .filter(Objects::nonNull)
                .toList();
    }

    /** The references among the inputs of {@code code}, relative and versionless. */
    public static List<String> inputRefs(Task task, String code) {
        return refs(inputs(task, code));
    }

    /** The references among the outputs of {@code code}, relative and versionless. */
    public static List<String> outputRefs(Task task, String code) {
        return refs(outputs(task, code));
    }

    private static List<String> refs(List<Type> values) {
        return values.stream()
                .filter(Reference.class::isInstance)
                .map(v -> LabelReadModel.relative((Reference) v))
                .filter(Objects::nonNull)
                .toList();
    }

    public static Optional<Integer> inputInteger(Task task, String code) {
        return inputs(task, code).stream()
                .filter(IntegerType.class::isInstance)
                .map(v -> ((IntegerType) v).getValue())
                .findFirst();
    }

    public static Optional<String> inputCode(Task task, String code) {
        return inputs(task, code).stream()
                .filter(v -> v instanceof CodeType || v instanceof StringType)
                .map(Type::primitiveValue)
                .findFirst();
    }

    public static boolean inputFlag(Task task, String code) {
        return inputs(task, code).stream()
                .anyMatch(v -> v instanceof BooleanType b && Boolean.TRUE.equals(b.getValue()));
    }

    public static Optional<String> outputCode(Task task, String code) {
        return outputs(task, code).stream()
                .filter(v -> v instanceof CodeType || v instanceof StringType)
                .map(Type::primitiveValue)
                .findFirst();
    }

    public static Optional<Double> outputDecimal(Task task, String code) {
        return outputs(task, code).stream()
                .filter(DecimalType.class::isInstance)
                .map(v -> ((DecimalType) v).getValue().doubleValue())
                .findFirst();
    }

    public static Optional<Boolean> outputFlag(Task task, String code) {
        return outputs(task, code).stream()
                .filter(BooleanType.class::isInstance)
                .map(v -> ((BooleanType) v).getValue())
                .findFirst();
    }

    /** The round of a case or stage task (1 when it names none). */
    public static int round(Task task) {
        return inputInteger(task, ROUND).orElse(1);
    }

    /** A reference with a version when the id has one: {@code Observation/1/_history/2}. */
    public static Reference versioned(IdType id) {
        return new Reference(id.toUnqualified().getValue());
    }
}
