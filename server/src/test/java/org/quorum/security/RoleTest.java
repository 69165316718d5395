package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RoleTest {

    @Test
    void wire_names_are_lower_case_with_hyphens() {
        assertThat(Role.values())
                .extracting(Role::wireName)
                .containsExactly(
                        "annotator",
                        "reviewer",
                        "adjudicator",
                        "project-admin",
                        "integration",
                        "auditor",
                        "deid-admin");
    }

    @Test
    void parses_wire_names_and_the_forms_people_type() {
        assertThat(Role.parse("project-admin")).isEqualTo(Role.PROJECT_ADMIN);
        assertThat(Role.parse("DEID_ADMIN")).isEqualTo(Role.DEID_ADMIN);
        assertThat(Role.fromWireName("Annotator")).isEmpty();
    }

    @Test
    void rejects_unknown_role_naming_the_valid_ones() {
        assertThatThrownBy(() -> Role.parse("admin"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown role 'admin'")
                .hasMessageContaining("deid-admin");
    }
}
