package org.quorum.quality.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quorum.quality.TestLabels.label;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.quorum.labels.Label;
import org.quorum.quality.agreement.AgreementOptions;
import org.quorum.quality.agreement.LabelAgreement;
import org.quorum.quality.agreement.ProjectAgreement;
import org.quorum.quality.balance.ClassBalance;
import org.quorum.quality.balance.ClassBalanceOptions;
import org.quorum.quality.bias.BiasAnalysis;
import org.quorum.quality.bias.BiasOptions;
import org.quorum.quality.data.PartialDate;
import org.quorum.quality.data.PatientRecord;
import org.quorum.quality.data.Project;

class QualityReportPageTest {

    private static final Project PROJECT =
            new Project("ResearchStudy/p", "Chest <script>alert(1)</script> & co");

    private static QualityReport report() {
        List<Label> labels = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String code = i < 6 ? "pneumonia" : i < 11 ? "normal" : "pneumothorax";
            labels.add(
                    label("Observation/a" + i)
                            .performer("PractitionerRole/a")
                            .subject("Patient/" + i)
                            .source("ImagingStudy/" + i)
                            .code(code)
                            .build());
            labels.add(
                    label("Observation/b" + i)
                            .performer("PractitionerRole/b")
                            .subject("Patient/" + i)
                            .source("ImagingStudy/" + i)
                            .code(i == 5 ? "normal" : code)
                            .build());
        }
        Map<String, PatientRecord> patients = new java.util.HashMap<>();
        for (int i = 0; i < 12; i++) {
            patients.put(
                    "Patient/" + i,
                    new PatientRecord(
                            "Patient/" + i,
                            Optional.of(i < 9 ? "female" : "male"),
                            Optional.of(new PartialDate(1950 + i * 5, 0, 0)),
                            List.of("2106-3"),
                            Optional.of("2186-5")));
        }
        AgreementOptions agreement = AgreementOptions.defaults();
        return new QualityReport(
                PROJECT,
                Instant.parse("2025-01-01T10:00:00Z"),
                new ProjectAgreement(PROJECT, agreement, LabelAgreement.analyse(labels, agreement)),
                BiasAnalysis.analyse(
                        PROJECT, labels, patients, BiasOptions.defaults(LocalDate.of(2025, 1, 1))),
                ClassBalance.analyse(PROJECT, labels, List.of(), ClassBalanceOptions.defaults()));
    }

    @Test
    void page_has_the_three_figures_as_inline_svg_and_no_script() {
        String page = QualityReportPage.render(report());

        assertThat(page).startsWith("<!DOCTYPE html>");
        assertThat(page).containsIgnoringCase("<svg").contains("Agreement per class");
        assertThat(page).contains("composition against the reference").contains("Class prevalence");
        assertThat(page).doesNotContainIgnoringCase("<script").doesNotContain("javascript:");
        assertThat(page).doesNotContain("src=").doesNotContain("<link");
        assertThat(page).contains("Chest &lt;script&gt;alert(1)&lt;/script&gt; &amp; co");
    }

    @Test
    void rare_classes_and_under_represented_groups_are_marked() {
        String page = QualityReportPage.render(report());

        assertThat(page).contains("rare, +"); // pneumothorax: 1 case of 12
        assertThat(page).contains("under-represented"); // 3 men of 12 against 49.5 %
    }

    @Test
    void every_svg_figure_is_well_formed_xml() throws Exception {
        String page = QualityReportPage.render(report());
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        int from = 0;
        int figures = 0;
        while ((from = page.indexOf("<svg", from)) >= 0) {
            int end = page.indexOf("</svg>", from) + "</svg>".length();
            String svg = page.substring(from, end);
            factory.newDocumentBuilder()
                    .parse(
                            new java.io.ByteArrayInputStream(
                                    svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            figures++;
            from = end;
        }
        // agreement (1 schema) + composition (4 dimensions) + balance (1 schema)
        assertThat(figures).isEqualTo(6);
    }

    @Test
    void a_project_without_labels_renders_without_figures_that_need_data() {
        AgreementOptions agreement = AgreementOptions.defaults();
        QualityReport empty =
                new QualityReport(
                        PROJECT,
                        Instant.parse("2025-01-01T10:00:00Z"),
                        new ProjectAgreement(PROJECT, agreement, List.of()),
                        BiasAnalysis.analyse(
                                PROJECT,
                                List.of(),
                                Map.of(),
                                BiasOptions.defaults(LocalDate.of(2025, 1, 1))),
                        ClassBalance.analyse(
                                PROJECT, List.of(), List.of(), ClassBalanceOptions.defaults()));

        String page = QualityReportPage.render(empty);

        assertThat(page).contains("No labels to compare yet").contains("No final labels yet");
        assertThat(page).doesNotContain("NaN");
    }
}
