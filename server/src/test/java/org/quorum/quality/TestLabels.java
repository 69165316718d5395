package org.quorum.quality;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.quorum.labels.Label;
import org.quorum.labels.LabelCode;

/** Labels for unit tests, built fluently: {@code TestLabels.label("Observation/1").code("a")…}. */
public final class TestLabels {

    public static final String SCHEMA = "https://quorum.dev/fhir/CodeSystem/test-findings";

    private String id;
    private String project = "ResearchStudy/p";
    private String status = "final";
    private String system = SCHEMA;
    private String version = "1.0.0";
    private String code = "finding";
    private String subject = "Patient/1";
    private List<String> sources = List.of("DocumentReference/1");
    private String performer = "PractitionerRole/a";
    private String device;
    private String span;
    private List<String> sites = List.of();
    private String laterality;
    private String encounter;

    private TestLabels(String id) {
        this.id = id;
    }

    public static TestLabels label(String id) {
        return new TestLabels(id);
    }

    public TestLabels project(String value) {
        project = value;
        return this;
    }

    public TestLabels status(String value) {
        status = value;
        return this;
    }

    public TestLabels system(String value) {
        system = value;
        return this;
    }

    public TestLabels version(String value) {
        version = value;
        return this;
    }

    public TestLabels code(String value) {
        code = value;
        return this;
    }

    public TestLabels subject(String value) {
        subject = value;
        return this;
    }

    public TestLabels source(String... values) {
        sources = List.of(values);
        return this;
    }

    public TestLabels performer(String value) {
        performer = value;
        return this;
    }

    public TestLabels device(String value) {
        device = value;
        return this;
    }

    public TestLabels span(String value) {
        span = value;
        return this;
    }

    public TestLabels sites(String... values) {
        sites = List.of(values);
        return this;
    }

    public TestLabels laterality(String value) {
        laterality = value;
        return this;
    }

    public TestLabels encounter(String value) {
        encounter = value;
        return this;
    }

    public Label build() {
        return new Label(
                id,
                project,
                status,
                new LabelCode(system, version, code, code.toUpperCase(java.util.Locale.ROOT)),
                subject,
                sources,
                Optional.ofNullable(performer),
                Optional.ofNullable(device),
                Optional.ofNullable(span),
                Optional.empty(),
                sites,
                Optional.ofNullable(laterality),
                Optional.ofNullable(encounter),
                Instant.EPOCH);
    }
}
