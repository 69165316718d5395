package org.quorum.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.DetectedIssue;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.security.Role;
import org.quorum.testing.RunningServer;
import org.quorum.workflow.WorkflowFixture.Credential;

/**
 * The review workflow end to end over HTTP, as the issue describes it: a project with a 3-class
 * schema, 20 note cases and 10 image cases, four annotators (A and B qualified for everything, C
 * whose radiology certification expired, D who fails calibration), a reviewer R and an adjudicator
 * J, AI pre-labels at several confidences. Each test is one step; they run in order on shared
 * state.
 */
@ExtendWith(RunningServer.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReviewWorkflowIT {

    private static final String TODAY_VALID = "2020-01-01";
    private static final String BOX = "10 10 40 10 40 40 10 40 10 10";

    private static WorkflowFixture fx;
    private static final List<String> notes = new ArrayList<>();
    private static final Map<String, String> truth = new LinkedHashMap<>();
    private static final List<WorkflowFixture.Image> images = new ArrayList<>();
    private static final Map<String, String> sopOf = new HashMap<>();
    private static String gold;
    private static final Map<String, String> calibrationTasks = new HashMap<>();

    /** Submissions per source and round (the second on N0 and N1 disagrees). */
    private static final Map<String, Integer> submissions = new HashMap<>();

    /** Annotate tasks each annotator completed: task → source. */
    private static final Map<String, Map<String, String>> done = new LinkedHashMap<>();

    @BeforeAll
    static void project(RunningServer server) {
        fx = new WorkflowFixture(server);
        List<String> calibration = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String note = fx.note();
            notes.add(note);
            truth.put(note, List.of("effusion", "pneumonia", "normal").get(i % 3));
        }
        for (int i = 0; i < 10; i++) {
            WorkflowFixture.Image image = fx.image();
            images.add(image);
            sopOf.put(image.imagingStudy(), image.sopInstanceUid());
            truth.put(image.imagingStudy(), "pneumonia");
        }
        List<String> calibrationPatients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String note = fx.note();
            calibration.add(note);
            truth.put(note, List.of("effusion", "pneumonia", "normal", "effusion").get(i));
        }
        gold = fx.note();
        truth.put(gold, "effusion");
        List<String> sources = new ArrayList<>(notes);
        images.forEach(i -> sources.add(i.imagingStudy()));
        Map<String, Type> policy = new LinkedHashMap<>();
        policy.put("calibrationSet", new Reference(fx.list(calibration)));
        policy.put("goldSet", new Reference(fx.list(List.of(gold))));
        policy.put("goldFraction", new DecimalType("0.2"));
        policy.put("goldMinimum", new PositiveIntType(1));
        policy.put("biasMinimumReviews", new PositiveIntType(4));
        policy.put("maxOpenPerAnnotator", new PositiveIntType(2));
        fx.study(List.of(fx.list(sources)), policy);
        for (String source : calibration) {
            fx.referenceLabel(source, patientOf(source), truth.get(source));
        }
        fx.referenceLabel(gold, patientOf(gold), "effusion");
        fx.require("annotate", WorkflowFixture.LICENCE, WorkflowFixture.MD, null);
        fx.require("annotate", WorkflowFixture.BOARD, WorkflowFixture.RADIOLOGY, "image");
        fx.require("review", WorkflowFixture.LICENCE, WorkflowFixture.MD, null);
        fx.require("adjudicate", WorkflowFixture.BOARD, WorkflowFixture.RADIOLOGY, null);
        Credential licence =
                new Credential(WorkflowFixture.LICENCE, WorkflowFixture.MD, TODAY_VALID, null);
        Credential radiology =
                new Credential(WorkflowFixture.BOARD, WorkflowFixture.RADIOLOGY, TODAY_VALID, null);
        fx.member("A", "annotator", Role.ANNOTATOR, licence, radiology);
        fx.member("B", "annotator", Role.ANNOTATOR, licence, radiology);
        fx.member(
                "C",
                "annotator",
                Role.ANNOTATOR,
                licence,
                new Credential(
                        WorkflowFixture.BOARD,
                        WorkflowFixture.RADIOLOGY,
                        "2015-01-01",
                        "2019-12-31"));
        fx.member("D", "annotator", Role.ANNOTATOR, licence, radiology);
        fx.member("R", "reviewer", Role.REVIEWER, licence);
        fx.member(
                "J",
                "adjudicator",
                Role.ADJUDICATOR,
                licence,
                new Credential(
                        WorkflowFixture.BOARD, WorkflowFixture.RADIOLOGY, TODAY_VALID, null));
    }

    private static String patientOf(String source) {
        if (source.startsWith("ImagingStudy/")) {
            return images.stream()
                    .filter(i -> i.imagingStudy().equals(source))
                    .findFirst()
                    .orElseThrow()
                    .patient();
        }
        return fx.read(org.hl7.fhir.r4.model.DocumentReference.class, source)
                .getSubject()
                .getReference();
    }

    @Test
    @Order(1)
    void opening_the_project_makes_case_tasks_gold_items_and_calibration_rounds() {
        HttpResponse<String> response =
                fx.post(fx.server.http(), "/fhir/" + fx.project + "/$open-cases", new Parameters());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Parameters opened = fx.parameters(response);
        assertThat(
                        ((org.hl7.fhir.r4.model.IntegerType)
                                        opened.getParameter("opened").getValue())
                                .getValue())
                .isEqualTo(30);
        assertThat(
                        ((org.hl7.fhir.r4.model.IntegerType)
                                        opened.getParameter("goldItems").getValue())
                                .getValue())
                .isEqualTo(1);
        // A calibrate task for each of the four annotators, none for R and J.
        List<Task> rounds =
                fx.all(
                        Task.class,
                        "project="
                                + fx.project
                                + "&code="
                                + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                + "|calibrate");
        assertThat(rounds).hasSize(4);
        for (Task round : rounds) {
            String owner = WorkflowFixture.ref(round.getOwner());
            String name =
                    fx.members.entrySet().stream()
                            .filter(e -> e.getValue().equals(owner))
                            .findFirst()
                            .orElseThrow()
                            .getKey();
            calibrationTasks.put(name, "Task/" + round.getIdElement().getIdPart());
            assertThat(round.getStatus()).isEqualTo(Task.TaskStatus.READY);
            assertThat(
                            round.getInput().stream()
                                    .filter(
                                            i ->
                                                    i.getType()
                                                            .getCodingFirstRep()
                                                            .getCode()
                                                            .equals("case")))
                    .hasSize(4);
        }
        assertThat(calibrationTasks).containsOnlyKeys("A", "B", "C", "D");

        // Opening again opens nothing new.
        HttpResponse<String> again =
                fx.post(fx.server.http(), "/fhir/" + fx.project + "/$open-cases", new Parameters());
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(
                        ((org.hl7.fhir.r4.model.IntegerType)
                                        fx.parameters(again).getParameter("opened").getValue())
                                .getValue())
                .isZero();
    }

    @Test
    @Order(2)
    void an_uncalibrated_annotator_gets_no_case() {
        HttpResponse<String> response = fx.nextCase("A", null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(response.body())
                .contains("WORKFLOW-009")
                .contains("has not passed the project's calibration")
                .contains(calibrationTasks.get("A"));
    }

    @Test
    @Order(3)
    void calibration_passes_at_75_percent_for_a_three_class_schema_and_fails_below() {
        for (String name : List.of("A", "B", "C")) {
            Parameters result = calibrate(name, Map.of());
            Parameters.ParametersParameterComponent calibration =
                    result.getParameter("calibration");
            assertThat(part(calibration, "passed")).isEqualTo("true");
            assertThat(result.getParameter("outcome").getValue().primitiveValue())
                    .isEqualTo("calibration-passed");
        }
        // D gets two of four wrong: 50 % < 75 %.
        List<String> cases = calibrationCases("D");
        Parameters failed = calibrate("D", Map.of(cases.get(0), "normal", cases.get(1), "normal"));
        Parameters.ParametersParameterComponent calibration = failed.getParameter("calibration");
        assertThat(part(calibration, "passed")).isEqualTo("false");
        assertThat(
                        calibration.getPart().stream()
                                .filter(p -> p.getName().equals("percentAgreement"))
                                .findFirst()
                                .orElseThrow()
                                .getPart()
                                .stream()
                                .filter(p -> p.getName().equals("value"))
                                .findFirst()
                                .orElseThrow()
                                .getValue()
                                .primitiveValue())
                .isEqualTo("0.5");
        assertThat(part(calibration, "threshold")).isEqualTo("0.75");
        Task completed = fx.read(Task.class, calibrationTasks.get("D"));
        assertThat(completed.getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);
        assertThat(completed.getOutput())
                .anySatisfy(
                        o ->
                                assertThat(o.getType().getCodingFirstRep().getCode())
                                        .isEqualTo("cohen-kappa"));

        // D has a second round, and no case.
        List<Task> rounds =
                fx.all(
                        Task.class,
                        "owner="
                                + fx.members.get("D")
                                + "&code="
                                + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                + "|calibrate");
        assertThat(rounds).hasSize(2);
        HttpResponse<String> refused = fx.nextCase("D", null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("did not pass the last calibration round");
    }

    private static List<String> calibrationCases(String name) {
        Task task = fx.read(Task.class, calibrationTasks.get(name));
        return task.getInput().stream()
                .filter(i -> i.getType().getCodingFirstRep().getCode().equals("case"))
                .map(i -> WorkflowFixture.ref((Reference) i.getValue()))
                .toList();
    }

    private static Parameters calibrate(String name, Map<String, String> wrong) {
        List<String> cases = calibrationCases(name);
        // Two submissions: the round stays open after the first.
        Observation[] first =
                cases.subList(0, 2).stream()
                        .map(c -> calibrationLabel(c, wrong))
                        .toArray(Observation[]::new);
        HttpResponse<String> partial = fx.submit(name, calibrationTasks.get(name), first);
        assertThat(partial.statusCode()).as(partial.body()).isEqualTo(200);
        assertThat(fx.parameters(partial).getParameter("outcome").getValue().primitiveValue())
                .isEqualTo("submitted");
        Observation[] rest =
                cases.subList(2, 4).stream()
                        .map(c -> calibrationLabel(c, wrong))
                        .toArray(Observation[]::new);
        HttpResponse<String> last = fx.submit(name, calibrationTasks.get(name), rest);
        assertThat(last.statusCode()).as(last.body()).isEqualTo(200);
        return fx.parameters(last);
    }

    private static Observation calibrationLabel(String source, Map<String, String> wrong) {
        Observation label = fx.label(wrong.getOrDefault(source, truth.get(source)));
        label.addDerivedFrom(new Reference(source));
        return label;
    }

    private static String part(Parameters.ParametersParameterComponent parent, String name) {
        return parent.getPart().stream()
                .filter(p -> p.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no part " + name))
                .getValue()
                .primitiveValue();
    }

    @Test
    @Order(4)
    void the_skills_matrix_shows_who_may_do_what() {
        HttpResponse<String> response =
                fx.server
                        .http()
                        .get("/fhir/" + fx.project + "/$skills-matrix", "application/fhir+json");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Parameters matrix = fx.parameters(response);
        Parameters.ParametersParameterComponent c = member(matrix, "C");
        Parameters.ParametersParameterComponent imageAnnotation =
                may(c, "annotate", QuorumProfiles.CS_CASE_TYPE + "|image");
        assertThat(part(imageAnnotation, "qualified")).isEqualTo("false");
        assertThat(part(imageAnnotation, "expired"))
                .isEqualTo(WorkflowFixture.BOARD + "|" + WorkflowFixture.RADIOLOGY);
        assertThat(part(may(c, "annotate", null), "qualified")).isEqualTo("true");
        assertThat(
                        part(
                                may(
                                        member(matrix, "A"),
                                        "annotate",
                                        QuorumProfiles.CS_CASE_TYPE + "|image"),
                                "qualified"))
                .isEqualTo("true");
        assertThat(part(may(member(matrix, "D"), "annotate", null), "calibration"))
                .isEqualTo("failed");
        assertThat(part(may(member(matrix, "A"), "annotate", null), "calibration"))
                .isEqualTo("calibrated");
        // R may review, not adjudicate (no senior certification, and not an adjudicator).
        assertThat(part(may(member(matrix, "R"), "review", null), "qualified")).isEqualTo("true");
        assertThat(part(may(member(matrix, "R"), "adjudicate", null), "qualified"))
                .isEqualTo("false");
        assertThat(part(may(member(matrix, "J"), "adjudicate", null), "qualified"))
                .isEqualTo("true");
    }

    private static Parameters.ParametersParameterComponent member(Parameters matrix, String name) {
        String role = fx.members.get(name);
        return matrix.getParameter().stream()
                .filter(p -> p.getName().equals("member"))
                .filter(
                        p ->
                                p.getPart().stream()
                                        .anyMatch(
                                                x ->
                                                        x.getName().equals("practitionerRole")
                                                                && ((Reference) x.getValue())
                                                                        .getReference()
                                                                        .equals(role)))
                .findFirst()
                .orElseThrow();
    }

    private static Parameters.ParametersParameterComponent may(
            Parameters.ParametersParameterComponent member, String stage, String caseType) {
        return member.getPart().stream()
                .filter(p -> p.getName().equals("may"))
                .filter(
                        p ->
                                p.getPart().stream()
                                        .anyMatch(
                                                x ->
                                                        x.getName().equals("stage")
                                                                && x.getValue()
                                                                        .primitiveValue()
                                                                        .equals(stage)))
                .filter(
                        p ->
                                caseType == null
                                        ? p.getPart().stream()
                                                .noneMatch(x -> x.getName().equals("caseType"))
                                        : p.getPart().stream()
                                                .anyMatch(
                                                        x ->
                                                                x.getName().equals("caseType")
                                                                        && x.getValue()
                                                                                .primitiveValue()
                                                                                .equals(caseType)))
                .findFirst()
                .orElseThrow();
    }

    @Test
    @Order(5)
    void ai_pre_labels_route_image_cases_by_confidence() {
        // I0-I2 high confidence, read blind (the blind share set to 1 while they arrive, through a
        // plain transaction); I3-I6 high, confirmed by one reviewer; I7 medium; I8 low (through
        // $submit by an integration client); I9 has no AI label.
        fx.setPolicy("blindFraction", new DecimalType("1"));
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (WorkflowFixture.Image image : images.subList(0, 3)) {
            Observation ai =
                    WorkflowFixture.region(
                            fx.aiLabel(image.imagingStudy(), image.patient(), "effusion", 0.97),
                            image.sopInstanceUid(),
                            BOX);
            transaction
                    .addEntry()
                    .setResource(ai)
                    .getRequest()
                    .setMethod(Bundle.HTTPVerb.POST)
                    .setUrl("Observation");
        }
        fx.admin.transaction().withBundle(transaction).execute();
        fx.setPolicy("blindFraction", new DecimalType("0"));
        Parameters submit = new Parameters();
        for (int i = 3; i < 9; i++) {
            WorkflowFixture.Image image = images.get(i);
            double confidence = i < 7 ? 0.97 : i == 7 ? 0.7 : 0.3;
            String code = i < 7 ? "effusion" : "pneumonia";
            submit.addParameter()
                    .setName("label")
                    .setResource(
                            WorkflowFixture.region(
                                    fx.aiLabel(
                                            image.imagingStudy(),
                                            image.patient(),
                                            code,
                                            confidence),
                                    image.sopInstanceUid(),
                                    BOX));
        }
        String integration =
                fx.server.token(
                        "wf-integration",
                        Set.of(Role.INTEGRATION),
                        "system/*.cruds",
                        java.util.Optional.empty(),
                        Set.of());
        HttpResponse<String> response =
                fx.post(fx.server.http(integration), "/fhir/" + fx.project + "/$submit", submit);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> answered =
                fx.parameters(response).getParameter().stream()
                        .map(
                                p ->
                                        p.getPart().stream()
                                                .filter(x -> x.getName().equals("route"))
                                                .findFirst()
                                                .orElseThrow()
                                                .getValue()
                                                .primitiveValue())
                        .toList();
        assertThat(answered)
                .containsExactly("ai-high", "ai-high", "ai-high", "ai-high", "ai-medium", "ai-low");

        Map<String, String> routes = new HashMap<>();
        for (Task caseTask :
                fx.all(
                        Task.class,
                        "project="
                                + fx.project
                                + "&code="
                                + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                + "|case")) {
            caseTask.getInput().stream()
                    .filter(in -> in.getType().getCodingFirstRep().getCode().equals("route"))
                    .forEach(
                            in ->
                                    routes.put(
                                            WorkflowFixture.ref(caseTask.getFocus()),
                                            in.getValue().primitiveValue()));
        }
        for (int i = 0; i < 10; i++) {
            String expected =
                    i < 3
                            ? "ai-blind"
                            : i < 7
                                    ? "ai-high"
                                    : i == 7 ? "ai-medium" : i == 8 ? "ai-low" : "standard";
            assertThat(routes.get(images.get(i).imagingStudy()))
                    .as("image " + i)
                    .isEqualTo(expected);
        }
        // High-confidence cases wait for one reviewer; the others for annotators.
        List<Task> reviews =
                fx.all(
                        Task.class,
                        "project="
                                + fx.project
                                + "&code="
                                + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                + "|review&status=ready");
        assertThat(reviews).hasSize(7);
        assertThat(
                        reviews.stream()
                                .filter(
                                        t ->
                                                t.getInput().stream()
                                                        .anyMatch(
                                                                in ->
                                                                        in.getType()
                                                                                .getCodingFirstRep()
                                                                                .getCode()
                                                                                .equals("blind"))))
                .hasSize(3);
    }

    @Test
    @Order(6)
    void annotators_label_until_nothing_is_left_and_qualification_and_gold_steer_them() {
        List<String> active = new ArrayList<>(List.of("A", "B", "C"));
        Map<String, Integer> lastStatus = new HashMap<>();
        Map<String, Integer> outcomes = new HashMap<>();
        int guard = 0;
        while (!active.isEmpty() && guard++ < 400) {
            for (String name : List.copyOf(active)) {
                HttpResponse<String> response = fx.nextCase(name, null);
                if (response.statusCode() != 200) {
                    lastStatus.put(name, response.statusCode());
                    assertThat(response.statusCode())
                            .as(name + ": " + response.body())
                            .isIn(204, 403);
                    active.remove(name);
                    continue;
                }
                Task task = fx.task(response);
                assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.INPROGRESS);
                assertThat(WorkflowFixture.ref(task.getOwner())).isEqualTo(fx.members.get(name));
                assertThat(task.getExecutionPeriod().hasStart()).isTrue();
                String source = WorkflowFixture.ref(task.getFocus());
                String code = answer(name, source, WorkflowFixture.round(task));
                Observation label = fx.label(code);
                if (source.startsWith("ImagingStudy/")) {
                    WorkflowFixture.region(label, sopOf.get(source), BOX);
                }
                HttpResponse<String> submitted =
                        fx.submit(name, "Task/" + task.getIdElement().getIdPart(), label);
                assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
                Parameters result = fx.parameters(submitted);
                Task completed = (Task) result.getParameter("task").getResource();
                assertThat(completed.getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);
                assertThat(completed.getExecutionPeriod().hasEnd()).isTrue();
                outcomes.merge(
                        result.getParameter("outcome").getValue().primitiveValue(),
                        1,
                        Integer::sum);
                Observation stored = (Observation) result.getParameter("label").getResource();
                assertThat(stored.getStatus()).isEqualTo(Observation.ObservationStatus.PRELIMINARY);
                assertThat(stored.getPerformerFirstRep().getReference())
                        .isEqualTo(fx.members.get(name));
                done.computeIfAbsent(name, k -> new LinkedHashMap<>())
                        .put("Task/" + task.getIdElement().getIdPart(), source);
            }
        }
        assertThat(lastStatus).containsEntry("A", 204).containsEntry("B", 204);
        // The label that completes a disagreeing case answers "adjudicate"; others "submitted"
        // (or "final" when an agreeing case needs no review).
        assertThat(outcomes).containsKeys("submitted", "adjudicate");
        assertThat(outcomes.keySet()).isSubsetOf("submitted", "adjudicate", "final");
        // C read the gold item wrong and is paused.
        assertThat(lastStatus).containsEntry("C", 403);
        assertThat(done.get("C")).containsValue(gold);
        assertThat(done.get("C").values()).allMatch(s -> s.startsWith("DocumentReference/"));
        assertThat(done.get("A").values()).anyMatch(s -> s.startsWith("ImagingStudy/"));
        HttpResponse<String> paused = fx.nextCase("C", null);
        assertThat(paused.statusCode()).isEqualTo(403);
        assertThat(paused.body()).contains("WORKFLOW-010").contains("is paused");
        List<DetectedIssue> pauses =
                fx.all(
                        DetectedIssue.class,
                        "project="
                                + fx.project
                                + "&code="
                                + QuorumProfiles.CS_DETECTED_ISSUE_TYPE
                                + "|annotator-paused");
        assertThat(pauses).hasSize(1);
        assertThat(pauses.get(0).getImplicatedFirstRep().getReference())
                .isEqualTo(fx.members.get("C"));
        assertThat(pauses.get(0).getDetail()).contains("gold items");
        assertThat(
                        fx.all(
                                Task.class,
                                "owner="
                                        + fx.members.get("C")
                                        + "&code="
                                        + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                        + "|calibrate&status=ready"))
                .hasSize(1);
        // Every note and annotated image was labelled by two different people.
        for (String note : notes) {
            long annotators = done.values().stream().filter(m -> m.containsValue(note)).count();
            assertThat(annotators).as(note).isEqualTo(2);
        }
    }

    /** Scripted answers: the truth, except the second annotator of N0 and N1, and C on gold. */
    private static String answer(String name, String source, int round) {
        if (source.equals(gold)) {
            return name.equals("C") ? "normal" : "effusion";
        }
        int n = submissions.merge(source + "#" + round, 1, Integer::sum);
        if ((source.equals(notes.get(0)) || source.equals(notes.get(1))) && n == 2) {
            return truth.get(source).equals("normal") ? "effusion" : "normal";
        }
        return truth.get(source);
    }

    @Test
    @Order(7)
    void the_reviewer_accepts_modifies_rejects_reads_blind_and_confirms_ai_labels() {
        int guard = 0;
        boolean rejected = false;
        while (guard++ < 100) {
            HttpResponse<String> response = fx.nextCase("R", null);
            if (response.statusCode() == 204) {
                break;
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Task task = fx.task(response);
            String id = "Task/" + task.getIdElement().getIdPart();
            String source = fx.sourceOf(task);
            boolean blind =
                    task.getInput().stream()
                            .anyMatch(
                                    in ->
                                            in.getType()
                                                    .getCodingFirstRep()
                                                    .getCode()
                                                    .equals("blind"));
            HttpResponse<String> decided;
            if (blind) {
                // The AI said effusion; the blind reader sees pneumonia.
                decided =
                        fx.submit(
                                "R",
                                id,
                                WorkflowFixture.region(
                                        fx.label("pneumonia"), sopOf.get(source), BOX));
                assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
                assertThat(
                                fx.parameters(decided)
                                        .getParameter("outcome")
                                        .getValue()
                                        .primitiveValue())
                        .isEqualTo("adjudicate");
                continue;
            }
            if (source.equals(notes.get(2)) && !rejected) {
                decided =
                        fx.review(
                                "R",
                                id,
                                "reject",
                                "The consolidation is not described in the note");
                rejected = true;
                assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
                assertThat(
                                fx.parameters(decided)
                                        .getParameter("outcome")
                                        .getValue()
                                        .primitiveValue())
                        .isEqualTo("re-annotate");
                continue;
            }
            if (source.equals(notes.get(3))) {
                decided =
                        fx.review(
                                "R",
                                id,
                                "modify",
                                "Normal study, the label overcalls",
                                fx.label("normal"));
            } else {
                decided = fx.review("R", id, "accept", null);
            }
            assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
            Parameters result = fx.parameters(decided);
            assertThat(result.getParameter("outcome").getValue().primitiveValue())
                    .isEqualTo("final");
            Observation finalLabel = (Observation) result.getParameter("finalLabel").getResource();
            assertThat(finalLabel.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
            assertThat(finalLabel.getPerformerFirstRep().getReference())
                    .isEqualTo(fx.members.get("R"));
        }
        assertThat(rejected).isTrue();
        // The rejected case is open again, round 2, for the same two annotators.
        for (String name : List.of("A", "B")) {
            HttpResponse<String> response = fx.nextCase(name, null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Task redo = fx.task(response);
            assertThat(WorkflowFixture.ref(redo.getFocus())).isEqualTo(notes.get(2));
            assertThat(WorkflowFixture.round(redo)).isEqualTo(2);
            HttpResponse<String> submitted =
                    fx.submit(
                            name,
                            "Task/" + redo.getIdElement().getIdPart(),
                            fx.label(truth.get(notes.get(2))));
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
        }
        HttpResponse<String> second = fx.nextCase("R", "review");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        Task review = fx.task(second);
        assertThat(fx.sourceOf(review)).isEqualTo(notes.get(2));
        assertThat(
                        fx.review("R", "Task/" + review.getIdElement().getIdPart(), "accept", null)
                                .statusCode())
                .isEqualTo(200);
    }

    @Test
    @Order(8)
    void the_adjudicator_resolves_disagreements_seeing_annotators_by_number() {
        int resolved = 0;
        while (true) {
            HttpResponse<String> response = fx.nextCase("J", null);
            if (response.statusCode() == 204) {
                break;
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Task task = fx.task(response);
            List<Reference> labels =
                    task.getInput().stream()
                            .filter(
                                    in ->
                                            in.getType()
                                                    .getCodingFirstRep()
                                                    .getCode()
                                                    .equals("label"))
                            .map(in -> (Reference) in.getValue())
                            .toList();
            assertThat(labels).hasSize(2);
            assertThat(labels)
                    .allSatisfy(
                            r ->
                                    assertThat(r.getDisplay())
                                            .isIn(
                                                    "annotator 1",
                                                    "annotator 2",
                                                    "AI",
                                                    "blind reader"));
            String source = fx.sourceOf(task);
            // The adjudicator chooses the label with the true code.
            String chosen =
                    labels.stream()
                            .filter(
                                    r ->
                                            fx.read(Observation.class, r.getReference())
                                                    .getCode()
                                                    .getCodingFirstRep()
                                                    .getCode()
                                                    .equals(truth.get(source)))
                            .findFirst()
                            .orElseThrow()
                            .getReference();
            String id = "Task/" + task.getIdElement().getIdPart();
            if (resolved == 0) {
                HttpResponse<String> noRationale = fx.adjudicate("J", id, chosen, null);
                assertThat(noRationale.statusCode()).as(noRationale.body()).isEqualTo(400);
                assertThat(noRationale.body()).contains("'rationale' is required");
                String stranger = notes.get(0).replace("DocumentReference", "Observation");
                HttpResponse<String> notAnInput = fx.adjudicate("J", id, stranger, "Matches");
                assertThat(notAnInput.statusCode()).as(notAnInput.body()).isEqualTo(400);
                assertThat(notAnInput.body()).contains("is not one of the labels of " + id);
                assertThat(fx.read(Task.class, id).getStatus())
                        .isEqualTo(Task.TaskStatus.INPROGRESS);
            }
            HttpResponse<String> decided = fx.adjudicate("J", id, chosen, "Matches the findings");
            assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
            Observation finalLabel =
                    (Observation) fx.parameters(decided).getParameter("finalLabel").getResource();
            assertThat(finalLabel.getCode().getCodingFirstRep().getCode())
                    .isEqualTo(truth.get(source));
            resolved++;
        }
        // N0 and N1 (annotators disagreed) and I0-I2 (blind read against the AI).
        assertThat(resolved).isEqualTo(5);
    }

    @Test
    @Order(9)
    void every_case_is_final_and_image_finals_have_their_sr() {
        List<Task> cases =
                fx.all(
                        Task.class,
                        "project="
                                + fx.project
                                + "&code="
                                + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                + "|case");
        List<Task> production =
                cases.stream()
                        .filter(
                                c ->
                                        !c.getBusinessStatus()
                                                .getCodingFirstRep()
                                                .getCode()
                                                .equals("gold"))
                        .toList();
        assertThat(production).hasSize(30);
        assertThat(production)
                .allSatisfy(
                        c ->
                                assertThat(c.getStatus())
                                        .as(c.getBusinessStatus().getText())
                                        .isEqualTo(Task.TaskStatus.COMPLETED));
        // A confirmed AI image label: final, AI-assisted, and its SR made automatically.
        Task confirmed =
                production.stream()
                        .filter(
                                c ->
                                        WorkflowFixture.ref(c.getFocus())
                                                .equals(images.get(3).imagingStudy()))
                        .findFirst()
                        .orElseThrow();
        Observation label =
                fx.read(
                        Observation.class,
                        ((Reference) confirmed.getOutputFirstRep().getValue()).getReference());
        assertThat(label.getStatus()).isEqualTo(Observation.ObservationStatus.FINAL);
        assertThat(label.getMethod().getCodingFirstRep().getCode()).isEqualTo("ai-assisted");
        assertThat(label.getDevice().getReference()).isEqualTo(fx.device);
        assertThat(label.getIdentifier())
                .anySatisfy(i -> assertThat(i.getSystem()).isEqualTo("urn:dicom:uid"));
        // Annotators of the medium-confidence case saw the suggestion; of the low one, not.
        List<Task> medium =
                fx.all(
                        Task.class,
                        "part-of="
                                + "Task/"
                                + caseOf(cases, images.get(7).imagingStudy())
                                + "&code="
                                + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                + "|annotate");
        assertThat(medium)
                .hasSize(2)
                .allSatisfy(
                        t ->
                                assertThat(t.getInput())
                                        .anySatisfy(
                                                in ->
                                                        assertThat(
                                                                        in.getType()
                                                                                .getCodingFirstRep()
                                                                                .getCode())
                                                                .isEqualTo("suggestion")));
        Observation assisted =
                fx.read(
                        Observation.class,
                        ((Reference) medium.get(0).getOutputFirstRep().getValue()).getReference());
        assertThat(assisted.getMethod().getCodingFirstRep().getCode()).isEqualTo("ai-assisted");
        List<Task> low =
                fx.all(
                        Task.class,
                        "part-of="
                                + "Task/"
                                + caseOf(cases, images.get(8).imagingStudy())
                                + "&code="
                                + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                + "|annotate");
        assertThat(low)
                .hasSize(2)
                .allSatisfy(
                        t ->
                                assertThat(t.getInput())
                                        .noneSatisfy(
                                                in ->
                                                        assertThat(
                                                                        in.getType()
                                                                                .getCodingFirstRep()
                                                                                .getCode())
                                                                .isEqualTo("suggestion")));
    }

    private static String caseOf(List<Task> cases, String source) {
        return cases.stream()
                .filter(c -> WorkflowFixture.ref(c.getFocus()).equals(source))
                .findFirst()
                .orElseThrow()
                .getIdElement()
                .getIdPart();
    }

    @Test
    @Order(10)
    void a_final_label_carries_the_provenance_chain_back_to_the_annotators() {
        String note = notes.get(4);
        Task caseTask =
                fx.all(
                                Task.class,
                                "project="
                                        + fx.project
                                        + "&code="
                                        + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                        + "|case&focus="
                                        + note)
                        .get(0);
        String finalLabel = ((Reference) caseTask.getOutputFirstRep().getValue()).getReference();
        HttpResponse<String> response =
                fx.server
                        .http()
                        .get(
                                "/fhir/Observation?_id="
                                        + finalLabel.substring(12)
                                        + "&_revinclude=Provenance:target",
                                "application/fhir+json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Bundle bundle = fx.json.parseResource(Bundle.class, response.body());
        List<Provenance> decisions =
                bundle.getEntry().stream()
                        .map(Bundle.BundleEntryComponent::getResource)
                        .filter(Provenance.class::isInstance)
                        .map(Provenance.class::cast)
                        .toList();
        assertThat(decisions).hasSize(1);
        Provenance review = decisions.get(0);
        assertThat(review.getActivity().getCodingFirstRep().getCode()).isEqualTo("review");
        assertThat(review.getAgentFirstRep().getWho().getReference())
                .isEqualTo(fx.members.get("R"));
        assertThat(review.getAgentFirstRep().getRoleFirstRep().getCodingFirstRep().getCode())
                .isEqualTo(WorkflowFixture.MD);
        assertThat(review.getEntity()).hasSize(2);
        Set<String> annotators = new java.util.HashSet<>();
        for (Provenance.ProvenanceEntityComponent entity : review.getEntity()) {
            String annotated = WorkflowFixture.ref(entity.getWhat());
            List<Provenance> made = fx.all(Provenance.class, "target=" + annotated);
            assertThat(made).hasSize(1);
            assertThat(made.get(0).getActivity().getCodingFirstRep().getCode())
                    .isEqualTo("annotate");
            assertThat(
                            made.get(0)
                                    .getAgentFirstRep()
                                    .getRoleFirstRep()
                                    .getCodingFirstRep()
                                    .getCode())
                    .isEqualTo(WorkflowFixture.MD);
            annotators.add(made.get(0).getAgentFirstRep().getWho().getReference());
        }
        assertThat(annotators).hasSize(2);
    }

    @Test
    @Order(11)
    void an_always_accepting_reviewer_raises_the_automation_bias_issue() {
        List<DetectedIssue> issues =
                fx.all(
                        DetectedIssue.class,
                        "project="
                                + fx.project
                                + "&code="
                                + QuorumProfiles.CS_DETECTED_ISSUE_TYPE
                                + "|automation-bias");
        assertThat(issues).hasSize(1);
        assertThat(issues.get(0).getImplicatedFirstRep().getReference())
                .isEqualTo(fx.members.get("R"));
        // 4 of 4 accepted, blind reads agreed 0 of 3: z = sqrt(7).
        assertThat(issues.get(0).getDetail())
                .contains("accepted 4 of 4")
                .contains("0 of 3")
                .contains("z = 2.646");

        HttpResponse<String> response =
                fx.server
                        .http()
                        .get("/fhir/" + fx.project + "/$automation-bias", "application/fhir+json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        MeasureReport report = fx.json.parseResource(MeasureReport.class, response.body());
        assertThat(report.getMeasure()).isEqualTo(QuorumProfiles.MEASURE_AUTOMATION_BIAS);
        MeasureReport.MeasureReportGroupComponent accept =
                report.getGroup().stream()
                        .filter(
                                g ->
                                        g.getCode()
                                                .getCodingFirstRep()
                                                .getCode()
                                                .equals("ai-accept-rate"))
                        .findFirst()
                        .orElseThrow();
        MeasureReport.StratifierGroupComponent reviewer =
                accept.getStratifierFirstRep().getStratumFirstRep();
        assertThat(reviewer.getValue().getText()).isEqualTo(fx.members.get("R"));
        assertThat(reviewer.getMeasureScore().getValue().doubleValue()).isEqualTo(1.0);
        assertThat(
                        reviewer.getExtensionByUrl(QuorumProfiles.EXT_TWO_PROPORTION_TEST)
                                .getExtensionByUrl("pValue")
                                .getValue()
                                .primitiveValue())
                .startsWith("0.00407");
        assertThat(reviewer.getExtensionsByUrl(QuorumProfiles.EXT_QUALITY_FLAG))
                .anySatisfy(
                        f ->
                                assertThat(
                                                ((org.hl7.fhir.r4.model.CodeableConcept)
                                                                f.getValue())
                                                        .getCodingFirstRep()
                                                        .getCode())
                                        .isEqualTo("over-accepting"));
    }

    @Test
    @Order(12)
    void the_work_report_and_metrics_count_the_work() {
        HttpResponse<String> response =
                fx.server
                        .http()
                        .get("/fhir/" + fx.project + "/$work-report", "application/fhir+json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        MeasureReport report = fx.json.parseResource(MeasureReport.class, response.body());
        MeasureReport.MeasureReportGroupComponent casesDone =
                report.getGroup().stream()
                        .filter(g -> g.getCode().getCodingFirstRep().getCode().equals("cases-done"))
                        .findFirst()
                        .orElseThrow();
        long aDone =
                done.get("A").values().stream().filter(s -> !s.equals(gold)).count()
                        + 1; // + the redo of N2
        assertThat(
                        casesDone.getStratifierFirstRep().getStratum().stream()
                                .filter(s -> s.getValue().getText().equals(fx.members.get("A")))
                                .findFirst()
                                .orElseThrow()
                                .getMeasureScore()
                                .getValue()
                                .longValue())
                .isEqualTo(aDone);
        MeasureReport.MeasureReportGroupComponent backlog = report.getGroup().get(0);
        assertThat(backlog.getCode().getCodingFirstRep().getCode()).isEqualTo("backlog");
        assertThat(backlog.getMeasureScore().getValue().intValue()).isZero();

        HttpResponse<String> metrics = fx.server.http().get("/metrics", "text/plain");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("quorum_workflow_cases_done_total{")
                .contains("project=\"" + fx.projectId() + "\"")
                .contains("quorum_workflow_review_decisions_total{")
                .contains("quorum_workflow_backlog{");
    }

    @Test
    @Order(13)
    void a_new_schema_version_makes_re_evaluation_work_and_amends_with_provenance() {
        CodeSystem v2 = fx.schema("2.0.0");
        v2.addProperty()
                .setCode("status")
                .setUri("http://hl7.org/fhir/concept-properties#status")
                .setType(CodeSystem.PropertyType.CODE);
        v2.addProperty()
                .setCode("replacedByCode")
                .setUri("http://hl7.org/fhir/concept-properties#replacedByCode")
                .setType(CodeSystem.PropertyType.CODE);
        CodeSystem.ConceptDefinitionComponent retired =
                v2.addConcept().setCode("effusion").setDisplay("Effusion");
        retired.addProperty().setCode("status").setValue(new CodeType("retired"));
        retired.addProperty().setCode("replacedByCode").setValue(new CodeType("pleural-effusion"));
        v2.addConcept().setCode("pleural-effusion").setDisplay("Pleural effusion");
        v2.addConcept().setCode("pneumonia").setDisplay("Pneumonia");
        v2.addConcept().setCode("normal").setDisplay("Normal");
        fx.create(v2);
        List<Observation> effusions =
                fx.all(
                        Observation.class,
                        "project=" + fx.project + "&status=final&code=" + fx.schema + "|effusion");
        assertThat(effusions).isNotEmpty();

        Parameters request = new Parameters();
        request.addParameter("toVersion", new StringType("2.0.0"));
        HttpResponse<String> response =
                fx.post(fx.server.http(), "/fhir/" + fx.project + "/$re-evaluate", request);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Parameters result = fx.parameters(response);
        assertThat(result.getParameter().stream().filter(p -> p.getName().equals("task")))
                .hasSize(effusions.size());

        HttpResponse<String> claimed = fx.nextCase("R", "re-evaluate");
        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
        Task task = fx.task(claimed);
        String label = WorkflowFixture.ref(task.getFocus());
        Observation corrected = fx.label("pleural-effusion");
        corrected.getCode().getCodingFirstRep().setVersion("2.0.0");
        HttpResponse<String> decided =
                fx.review(
                        "R",
                        "Task/" + task.getIdElement().getIdPart(),
                        "modify",
                        "Effusion is pleural effusion in 2.0.0",
                        corrected);
        assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
        Observation amended = fx.read(Observation.class, label);
        assertThat(amended.getStatus()).isEqualTo(Observation.ObservationStatus.AMENDED);
        assertThat(amended.getCode().getCodingFirstRep().getCode()).isEqualTo("pleural-effusion");
        assertThat(amended.getCode().getCodingFirstRep().getVersion()).isEqualTo("2.0.0");
        List<Provenance> trail = fx.all(Provenance.class, "target=" + label);
        Provenance reEvaluation =
                trail.stream()
                        .filter(
                                p ->
                                        p.getActivity()
                                                .getCodingFirstRep()
                                                .getCode()
                                                .equals("re-evaluate"))
                        .findFirst()
                        .orElseThrow();
        assertThat(reEvaluation.getEntity())
                .anySatisfy(
                        e -> {
                            assertThat(e.getRole())
                                    .isEqualTo(Provenance.ProvenanceEntityRole.REVISION);
                            assertThat(e.getWhat().getReference()).contains("/_history/");
                        });
        // The project now labels under 2.0.0: the retired code is refused.
        assertThat(
                        fx.read(org.hl7.fhir.r4.model.ResearchStudy.class, fx.project)
                                .getExtensionByUrl(QuorumProfiles.EXT_REVIEW_POLICY)
                                .getExtensionByUrl("labelSchema")
                                .getValue()
                                .primitiveValue())
                .endsWith("|2.0.0");
    }

    @Test
    @Order(14)
    void what_the_workflow_emits_validates_against_r4_and_the_quorum_profiles() {
        List<org.hl7.fhir.r4.model.Resource> emitted = new ArrayList<>();
        String project = "project=" + fx.project;
        emitted.add(
                fx.all(
                                Task.class,
                                project + "&code=" + QuorumProfiles.CS_REVIEW_TASK_TYPE + "|case")
                        .get(0));
        emitted.add(
                fx.all(
                                Task.class,
                                project
                                        + "&code="
                                        + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                        + "|annotate")
                        .get(0));
        emitted.add(
                fx.all(
                                Task.class,
                                project
                                        + "&code="
                                        + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                        + "|review&status=completed")
                        .get(0));
        emitted.add(
                fx.all(
                                Task.class,
                                project
                                        + "&code="
                                        + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                        + "|calibrate&status=completed")
                        .get(0));
        emitted.add(
                fx.all(
                                Task.class,
                                project
                                        + "&code="
                                        + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                        + "|adjudicate")
                        .get(0));
        emitted.add(
                fx.all(
                                Task.class,
                                project
                                        + "&code="
                                        + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                        + "|re-evaluate")
                        .get(0));
        emitted.add(fx.all(Observation.class, project + "&status=final").get(0));
        emitted.add(fx.all(DetectedIssue.class, project).get(0));
        fx.all(DetectedIssue.class, project).forEach(emitted::add);
        String firstFinal =
                fx.all(Observation.class, project + "&status=final")
                        .get(0)
                        .getIdElement()
                        .toUnqualifiedVersionless()
                        .getValue();
        fx.all(Provenance.class, "target=" + firstFinal).forEach(emitted::add);
        emitted.add(fx.read(org.hl7.fhir.r4.model.ResearchStudy.class, fx.project));
        for (String operation : List.of("$automation-bias", "$work-report")) {
            HttpResponse<String> response =
                    fx.server
                            .http()
                            .get("/fhir/" + fx.project + "/" + operation, "application/fhir+json");
            assertThat(response.statusCode()).isEqualTo(200);
            emitted.add(fx.json.parseResource(MeasureReport.class, response.body()));
        }
        for (org.hl7.fhir.r4.model.Resource resource : emitted) {
            resource.setId((String) null);
            resource.setMeta(resource.getMeta().copy().setVersionId(null).setLastUpdated(null));
            HttpResponse<String> validated =
                    fx.server
                            .http()
                            .postFhir(
                                    "/fhir/" + resource.fhirType() + "/$validate",
                                    fx.json.encodeResourceToString(resource));
            org.hl7.fhir.r4.model.OperationOutcome outcome =
                    fx.json.parseResource(
                            org.hl7.fhir.r4.model.OperationOutcome.class, validated.body());
            assertThat(outcome.getIssue())
                    .as(resource.fhirType() + ": " + validated.body())
                    .noneMatch(
                            i ->
                                    i.getSeverity()
                                                    == org.hl7.fhir.r4.model.OperationOutcome
                                                            .IssueSeverity.ERROR
                                            || i.getSeverity()
                                                    == org.hl7.fhir.r4.model.OperationOutcome
                                                            .IssueSeverity.FATAL);
            assertThat(validated.statusCode()).as(validated.body()).isEqualTo(200);
        }
    }
}
