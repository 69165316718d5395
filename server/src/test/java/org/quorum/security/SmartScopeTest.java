package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SmartScopeTest {

    @Test
    void parses_a_v2_clinical_scope() {
        SmartScope scope = SmartScope.parse("system/Observation.rs");

        assertThat(scope.isClinical()).isTrue();
        assertThat(scope.context()).contains(SmartScope.Context.SYSTEM);
        assertThat(scope.resourceType()).contains("Observation");
        assertThat(scope.operations()).containsExactly(Operation.READ, Operation.SEARCH);
        assertThat(scope.value()).isEqualTo("system/Observation.rs");
    }

    @ParameterizedTest
    @CsvSource({
        "patient/Observation.read, patient/Observation.rs",
        "user/*.write, user/*.cud",
        "system/*.*, system/*.cruds",
        "user/Patient.cruds, user/Patient.cruds",
        "system/DocumentReference.d, system/DocumentReference.d"
    })
    void maps_v1_scopes_to_v2_and_keeps_v2_scopes(String raw, String canonical) {
        assertThat(SmartScope.parse(raw).value()).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "openid",
                "fhirUser",
                "offline_access",
                "online_access",
                "launch",
                "launch/patient"
            })
    void keeps_non_clinical_scopes_as_they_are(String raw) {
        SmartScope scope = SmartScope.parse(raw);

        assertThat(scope.isClinical()).isFalse();
        assertThat(scope.value()).isEqualTo(raw);
        assertThat(scope.allows("Observation", Operation.READ)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "system/Observation.sr|permissions 'sr'",
                "system/Observation.rr|permissions 'rr'",
                "system/Observation.x|permissions 'x'",
                "system/observation.rs|not a FHIR resource type",
                "admin/Observation.rs|not a SMART scope",
                "system/Observation|not a SMART scope",
                "system/Observation.rs?category=laboratory|granular scopes are not supported",
                "profile|not a SMART scope",
                "system/Observation.|not a SMART scope"
            })
    void rejects_invalid_scopes_saying_what_is_wrong(String raw, String message) {
        assertThatThrownBy(() -> SmartScope.parse(raw))
                .isInstanceOf(InvalidScopeException.class)
                .hasMessageContaining(message);
    }

    @Test
    void allows_the_operations_it_names_on_its_type_or_any_type() {
        SmartScope observations = SmartScope.parse("user/Observation.rs");
        SmartScope everything = SmartScope.parse("system/*.cu");

        assertThat(observations.allows("Observation", Operation.READ)).isTrue();
        assertThat(observations.allows("Observation", Operation.SEARCH)).isTrue();
        assertThat(observations.allows("Observation", Operation.UPDATE)).isFalse();
        assertThat(observations.allows("Patient", Operation.READ)).isFalse();
        assertThat(everything.allows("Task", Operation.CREATE)).isTrue();
        assertThat(everything.allows("Task", Operation.DELETE)).isFalse();
    }

    @Test
    void builds_canonical_clinical_scopes() {
        SmartScope scope =
                SmartScope.clinical(
                        SmartScope.Context.USER,
                        "Task",
                        EnumSet.of(Operation.SEARCH, Operation.CREATE));

        assertThat(scope).hasToString("user/Task.cs").isEqualTo(SmartScope.parse("user/Task.cs"));
    }

    @Test
    void cuts_long_rejected_input_short_in_messages() {
        String raw = "x".repeat(500);

        assertThatThrownBy(() -> SmartScope.parse(raw))
                .hasMessageNotContaining(raw)
                .hasMessageContaining("...");
    }
}
