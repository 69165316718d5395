package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScopeSetTest {

    @Test
    void parses_space_delimited_scopes_and_merges_the_same_type() {
        ScopeSet scopes =
                ScopeSet.parse(
                        "system/Observation.r  openid system/Observation.s system/Patient.read");

        assertThat(scopes).hasToString("system/Observation.rs openid system/Patient.rs");
        assertThat(scopes.contains("openid")).isTrue();
    }

    @Test
    void blank_is_empty() {
        assertThat(ScopeSet.parse(" ").isEmpty()).isTrue();
        assertThat(ScopeSet.parse(null).isEmpty()).isTrue();
    }

    @Test
    void strict_parsing_rejects_the_first_invalid_scope() {
        assertThatThrownBy(() -> ScopeSet.parse("system/Observation.rs profile"))
                .isInstanceOf(InvalidScopeException.class)
                .hasMessageContaining("'profile'");
    }

    @Test
    void lenient_parsing_drops_what_it_does_not_understand() {
        ScopeSet scopes = ScopeSet.parseLenient("openid profile email system/Observation.rs");

        assertThat(scopes).hasToString("openid system/Observation.rs");
    }

    @Test
    void allows_by_type_and_operation_and_by_context() {
        ScopeSet scopes = ScopeSet.parse("user/Observation.rs system/Task.c");

        assertThat(scopes.allows("Observation", Operation.SEARCH)).isTrue();
        assertThat(scopes.allows("Task", Operation.CREATE)).isTrue();
        assertThat(scopes.allows("Task", Operation.READ)).isFalse();
        assertThat(scopes.allows(SmartScope.Context.SYSTEM, "Observation", Operation.READ))
                .isFalse();
        assertThat(scopes.allows(SmartScope.Context.USER, "Observation", Operation.READ)).isTrue();
    }

    @Test
    void intersection_narrows_a_wildcard_request_to_the_allowed_types() {
        ScopeSet requested = ScopeSet.parse("system/*.rs");
        ScopeSet allowed = ScopeSet.parse("system/Observation.cruds system/Patient.r");

        assertThat(requested.intersect(allowed))
                .hasToString("system/Observation.rs system/Patient.r");
    }

    @Test
    void intersection_narrows_operations_under_a_wildcard_ceiling() {
        ScopeSet requested = ScopeSet.parse("system/Observation.cruds system/Task.rs");
        ScopeSet allowed = ScopeSet.parse("system/*.rs");

        assertThat(requested.intersect(allowed))
                .hasToString("system/Observation.rs system/Task.rs");
    }

    @Test
    void intersection_keeps_contexts_apart_and_non_clinical_scopes_only_when_allowed() {
        ScopeSet requested =
                ScopeSet.parse("system/Observation.rs user/Observation.rs openid fhirUser");
        ScopeSet allowed = ScopeSet.parse("user/*.cruds fhirUser");

        assertThat(requested.intersect(allowed)).hasToString("user/Observation.rs fhirUser");
    }

    @Test
    void intersection_of_disjoint_sets_is_empty() {
        assertThat(
                        ScopeSet.parse("system/Encounter.r")
                                .intersect(ScopeSet.parse("system/Observation.rs"))
                                .isEmpty())
                .isTrue();
    }

    @Test
    void equality_ignores_order() {
        assertThat(ScopeSet.parse("openid system/Task.r"))
                .isEqualTo(ScopeSet.parse("system/Task.r openid"));
    }
}
