package org.quorum.quality.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quorum.quality.data.SchemaVersion;
import org.quorum.quality.data.SchemaVersion.Concept;
import org.quorum.quality.schema.SchemaChange.Type;

class SchemaDiffTest {

    private static final String URL = "https://quorum.dev/fhir/CodeSystem/chest";

    private static Concept active(String code, String display) {
        return new Concept(code, display, false, List.of());
    }

    private static Concept retired(String code, String display, String... replacedBy) {
        return new Concept(code, display, true, List.of(replacedBy));
    }

    private static SchemaVersion version(String version, Concept... concepts) {
        Map<String, Concept> map = new LinkedHashMap<>();
        for (Concept c : concepts) {
            map.put(c.code(), c);
        }
        return new SchemaVersion(URL, version, map);
    }

    @Test
    void classifies_every_kind_of_change() {
        SchemaVersion v1 =
                version(
                        "1.0.0",
                        active("nodule", "Nodule"),
                        active("effusion", "Pleural effusion"),
                        active("atelectasis", "Atelectasis"),
                        active("opacity", "Opacity"),
                        active("consolidation", "Consolidation"),
                        active("mass", "Mass"),
                        active("edema", "Edema"),
                        active("emphysema", "Emphysema"));
        SchemaVersion v2 =
                version(
                        "2.0.0",
                        retired("nodule", "Nodule", "nodule-solid", "nodule-subsolid"),
                        active("nodule-solid", "Solid nodule"),
                        active("nodule-subsolid", "Subsolid nodule"),
                        active("effusion", "Pleural fluid"),
                        retired("opacity", "Opacity", "airspace-disease"),
                        retired("consolidation", "Consolidation", "airspace-disease"),
                        active("airspace-disease", "Airspace disease"),
                        active("mass", "Mass"),
                        retired("edema", "Edema", "pulmonary-edema"),
                        active("pulmonary-edema", "Pulmonary edema"),
                        retired("emphysema", "Emphysema", "mass"),
                        active("pneumothorax", "Pneumothorax"));

        List<SchemaChange> changes = SchemaDiff.diff(v1, v2);

        assertThat(changes)
                .extracting(c -> c.type() + " " + c.code() + " " + c.targets())
                .containsExactly(
                        "SPLIT nodule [nodule-solid, nodule-subsolid]",
                        "RENAMED effusion []",
                        "REMOVED atelectasis []",
                        "MERGED opacity [airspace-disease]",
                        "MERGED consolidation [airspace-disease]",
                        "REPLACED edema [pulmonary-edema]",
                        "MERGED emphysema [mass]",
                        "ADDED nodule-solid []",
                        "ADDED nodule-subsolid []",
                        "ADDED airspace-disease []",
                        "ADDED pulmonary-edema []",
                        "ADDED pneumothorax []");
        assertThat(changes.get(1).display()).isEqualTo("Pleural effusion");
        assertThat(changes.get(1).newDisplay()).isEqualTo("Pleural fluid");
    }

    @Test
    void identical_versions_have_no_changes_and_a_retired_code_without_replacement_is_removed() {
        SchemaVersion v1 = version("1", active("a", "A"), active("b", "B"));

        assertThat(SchemaDiff.diff(v1, version("2", active("a", "A"), active("b", "B")))).isEmpty();
        assertThat(SchemaDiff.diff(v1, version("2", active("a", "A"), retired("b", "B"))))
                .extracting(SchemaChange::type)
                .containsExactly(Type.REMOVED);
        assertThat(Type.ADDED.affectsLabels()).isFalse();
        assertThat(Type.SPLIT.affectsLabels()).isTrue();
    }
}
