package org.quorum.quality.index;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.quality.QualityProject;
import org.quorum.security.Role;
import org.quorum.testing.RunningServer;

/**
 * The label index against the FHIR store it mirrors: the three reports read through the index and
 * through HAPI's DAOs ({@code labelSource=store}) must be the same MeasureReport, before and after
 * labels and patients are updated and deleted, and after the index was damaged and rebuilt.
 *
 * <p>Data: 3 annotators, 24 patients (mixed sex, birth years, race and ethnicity), one note each
 * with two text spans; every span labelled by two or three annotators who sometimes disagree;
 * statuses final, amended, preliminary and entered-in-error.
 */
@ExtendWith(RunningServer.class)
class LabelIndexIT {

    private static final String[] CODES = {"pneumonia", "effusion", "normal"};
    private static final String PARAMETERS = "{\"resourceType\": \"Parameters\"}";

    private static RunningServer server;
    private static IGenericClient client;
    private static QualityProject project;
    private static final List<String> labels = new ArrayList<>();
    private static final List<String> patients = new ArrayList<>();

    @BeforeAll
    static void projectWithDisagreeingAnnotators(RunningServer running) {
        server = running;
        client = running.fhirClient();
        project = QualityProject.create(client, "label index IT");
        String[] annotators = {
            project.annotator("A"), project.annotator("B"), project.annotator("C")
        };
        List<String> placeholders = new ArrayList<>();
        List<String> patientPlaceholders = new ArrayList<>();
        for (int p = 0; p < 24; p++) {
            String patient =
                    project.patient(
                            p % 3 == 0 ? "male" : "female",
                            p % 4 == 0 ? null : p % 2 == 0 ? "1950" : "2001-05",
                            p % 5 == 0 ? "2135-2" : "2186-5",
                            p % 7 == 0
                                    ? new String[] {"2106-3", "2054-5"}
                                    : new String[] {"2106-3"});
            patientPlaceholders.add(patient);
            String note = project.note(patient);
            for (int span = 0; span < 2; span++) {
                int raters = (p + span) % 3 == 0 ? 2 : 3;
                for (int a = 0; a < raters; a++) {
                    String code = CODES[(p + span + (a == 2 && p % 2 == 0 ? 1 : 0)) % 3];
                    String status =
                            p % 11 == 0 && a == 0
                                    ? "preliminary"
                                    : p % 13 == 0 && a == 1
                                            ? "entered-in-error"
                                            : p % 6 == 0 ? "amended" : "final";
                    Observation label = project.label(annotators[a], patient, note, code, status);
                    Extension extension = label.addExtension().setUrl(QuorumProfiles.EXT_TEXT_SPAN);
                    extension.addExtension("start", new IntegerType(span * 40));
                    extension.addExtension("end", new IntegerType(span * 40 + 25));
                    extension.addExtension("quote", new StringType("consolidation right base"));
                    placeholders.add(project.add(label));
                }
            }
        }
        project.commit();
        placeholders.forEach(p -> labels.add(project.id(p)));
        patientPlaceholders.forEach(p -> patients.add(project.id(p)));
    }

    @Test
    void index_and_store_give_the_same_reports() {
        assertSameReports();
        // Other statuses than the defaults are read from the index as well.
        String statuses = "&status=preliminary,final,amended";
        assertSame("$agreement", "replicates=50" + statuses);
        assertSame("$class-balance", statuses.substring(1));
        MeasureReport agreement = report("$agreement", "replicates=50", "index");
        assertThat(agreement.getGroup()).isNotEmpty();
        assertThat(agreement.getGroupFirstRep().getPopulationFirstRep().getCount())
                .isGreaterThan(10);
    }

    @Test
    void updating_a_label_changes_its_row_in_the_same_write() throws SQLException {
        String id = labels.get(5);
        Observation label = client.read().resource(Observation.class).withId(id).execute();
        String before = label.getCode().getCodingFirstRep().getCode();
        String after = before.equals("normal") ? "pneumonia" : "normal";
        label.getCode().getCodingFirstRep().setCode(after);
        label.setStatus(Observation.ObservationStatus.CORRECTED);
        client.update().resource(label).execute();

        assertThat(row(id)).contains(new Row(project.reference(), "corrected", after));
        assertSameReports();
    }

    @Test
    void deleting_a_label_leaves_a_tombstone_and_takes_it_out_of_the_reports() throws SQLException {
        String id = labels.get(9);
        MeasureReport before = report("$agreement", "replicates=50", "index");
        var outcome = client.delete().resourceById(new IdType(id)).execute();
        assertThat(outcome.getResponseStatusCode()).isIn(200, 204);

        assertThat(row(id)).contains(new Row(null, null, null));
        assertSameReports();
        assertThat(strip(report("$agreement", "replicates=50", "index")))
                .isNotEqualTo(strip(before));
    }

    @Test
    void updating_a_patient_changes_the_bias_report_from_the_index() {
        Patient patient = client.read().resource(Patient.class).withId(patients.get(1)).execute();
        MeasureReport before = report("$bias-report", "ageAt=2025-01-01", "index");
        patient.setGender(Enumerations.AdministrativeGender.MALE);
        patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1930"));
        client.update().resource(patient).execute();

        assertSame("$bias-report", "ageAt=2025-01-01");
        assertThat(strip(report("$bias-report", "ageAt=2025-01-01", "index")))
                .isNotEqualTo(strip(before));
    }

    @Test
    void a_rolled_back_transaction_leaves_no_row() throws SQLException {
        int before = rowsOfProject();
        Observation label =
                project.label(
                        storedAnnotator(), patients.get(0), patients.get(0), "normal", "final");
        label.setDerivedFrom(List.of());
        Observation broken = label.copy();
        broken.setSubject(new Reference("Patient/no-such-patient-" + System.nanoTime()));
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (Observation entry : List.of(label, broken)) {
            transaction
                    .addEntry()
                    .setResource(entry)
                    .getRequest()
                    .setMethod(Bundle.HTTPVerb.POST)
                    .setUrl("Observation");
        }
        HttpResponse<String> response =
                server.http()
                        .postFhir(
                                "/fhir",
                                server.fhirContext()
                                        .newJsonParser()
                                        .encodeResourceToString(transaction));

        assertThat(response.statusCode()).isBetween(400, 499);
        assertThat(rowsOfProject()).isEqualTo(before);
    }

    @Test
    void rebuild_repairs_an_index_changed_behind_its_back() throws SQLException {
        execute(
                "UPDATE QRM_LABEL_INDEX SET CODE = 'effusion' WHERE LABEL_ID = ?",
                new IdType(labels.get(20)).getIdPart());
        execute(
                "DELETE FROM QRM_LABEL_INDEX WHERE LABEL_ID = ?",
                new IdType(labels.get(21)).getIdPart());
        assertThat(strip(report("$agreement", "replicates=50", "index")))
                .isNotEqualTo(strip(report("$agreement", "replicates=50", "store")));

        HttpResponse<String> rebuilt =
                server.http().postFhir("/fhir/$rebuild-label-index", PARAMETERS);

        assertThat(rebuilt.statusCode()).isEqualTo(200);
        Parameters result =
                server.fhirContext()
                        .newJsonParser()
                        .parseResource(Parameters.class, rebuilt.body());
        assertThat(((IntegerType) result.getParameter("labels").getValue()).getValue())
                .isGreaterThanOrEqualTo(labels.size() - 1);
        assertSameReports();
    }

    @Test
    void rebuild_needs_a_project_admin_not_limited_to_projects() {
        String annotator =
                server.token(
                        "index-annotator",
                        Set.of(Role.ANNOTATOR),
                        "user/*.cruds",
                        Optional.of("PractitionerRole/1"),
                        Set.of());
        String projectAdmin =
                server.token(
                        "index-project-admin",
                        Set.of(Role.PROJECT_ADMIN),
                        "user/*.cruds",
                        Optional.empty(),
                        Set.of(project.id()));

        HttpResponse<String> byAnnotator =
                server.http(annotator).postFhir("/fhir/$rebuild-label-index", PARAMETERS);
        HttpResponse<String> byProjectAdmin =
                server.http(projectAdmin).postFhir("/fhir/$rebuild-label-index", PARAMETERS);

        assertThat(byAnnotator.statusCode()).isEqualTo(403);
        assertThat(byProjectAdmin.statusCode()).isEqualTo(403);
        assertThat(byProjectAdmin.body()).contains("limited to projects");
    }

    @Test
    void an_unknown_label_source_is_a_bad_request() {
        HttpResponse<String> response =
                server.http()
                        .get(
                                "/fhir/"
                                        + project.reference()
                                        + "/$class-balance?labelSource=cache",
                                "application/fhir+json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("labelSource").contains("index").contains("store");
    }

    // --- helpers ---

    /** The first label's annotator ({@code PractitionerRole/…}). */
    private static String storedAnnotator() {
        Observation any = client.read().resource(Observation.class).withId(labels.get(0)).execute();
        return any.getPerformerFirstRep().getReference();
    }

    private static void assertSameReports() {
        assertSame("$agreement", "replicates=50");
        assertSame("$bias-report", "ageAt=2025-01-01");
        assertSame("$class-balance", "");
    }

    private static void assertSame(String operation, String query) {
        String index = strip(report(operation, query, "index"));
        String store = strip(report(operation, query, "store"));
        assertThat(index).as(operation + " from the index and from the store").isEqualTo(store);
    }

    private static MeasureReport report(String operation, String query, String source) {
        HttpResponse<String> response =
                server.http()
                        .get(
                                "/fhir/"
                                        + project.reference()
                                        + "/"
                                        + operation
                                        + "?labelSource="
                                        + source
                                        + (query.isEmpty() ? "" : "&" + query),
                                "application/fhir+json");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parser().parseResource(MeasureReport.class, response.body());
    }

    /** The report without what differs between two computations: id, meta, date and period. */
    private static String strip(MeasureReport report) {
        MeasureReport copy = report.copy();
        copy.setId((String) null);
        copy.setMeta(null);
        copy.setDateElement(null);
        copy.setPeriod(null);
        return parser().setPrettyPrint(true).encodeResourceToString(copy);
    }

    private static IParser parser() {
        return FhirContext.forR4Cached().newJsonParser();
    }

    private record Row(String project, String status, String code) {}

    private static Optional<Row> row(String label) throws SQLException {
        try (Connection connection = server.dataSource().getConnection();
                PreparedStatement statement =
                        connection.prepareStatement(
                                "SELECT PROJECT, STATUS, CODE FROM QRM_LABEL_INDEX WHERE"
                                        + " LABEL_ID = ?")) {
            statement.setString(1, new IdType(label).getIdPart());
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next()
                        ? Optional.of(
                                new Row(rows.getString(1), rows.getString(2), rows.getString(3)))
                        : Optional.empty();
            }
        }
    }

    private static int rowsOfProject() throws SQLException {
        try (Connection connection = server.dataSource().getConnection();
                PreparedStatement statement =
                        connection.prepareStatement(
                                "SELECT COUNT(*) FROM QRM_LABEL_INDEX WHERE PROJECT = ?")) {
            statement.setString(1, project.reference());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static void execute(String sql, String parameter) throws SQLException {
        try (Connection connection = server.dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }
}
