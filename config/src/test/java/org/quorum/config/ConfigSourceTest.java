package org.quorum.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourceTest {

    @TempDir Path dir;

    @Test
    void the_bridge_reads_its_own_file_key_and_only_its_own_prefix() throws Exception {
        Path file = dir.resolve("bridge.properties");
        Files.writeString(file, "QUORUM_BRIDGE_A=from-file\nQUORUM_BRIDGE_B=from-file\n");
        ConfigSource source =
                ConfigSource.load(
                        Map.of(
                                "QUORUM_BRIDGE_CONFIG", file.toString(),
                                "QUORUM_BRIDGE_B", "from-env",
                                "QUORUM_HTTP_PORT", "9999"),
                        Optional.empty(),
                        Set.of("QUORUM_BRIDGE_A", "QUORUM_BRIDGE_B"),
                        "QUORUM_BRIDGE_CONFIG",
                        "QUORUM_BRIDGE_");
        assertThat(source.get("QUORUM_BRIDGE_A")).contains("from-file");
        assertThat(source.get("QUORUM_BRIDGE_B")).contains("from-env");
        assertThat(source.get("QUORUM_HTTP_PORT")).isEmpty();
    }

    @Test
    void a_missing_file_names_the_file_key_that_pointed_at_it() {
        assertThatThrownBy(
                        () ->
                                ConfigSource.load(
                                        Map.of("QUORUM_BRIDGE_CONFIG", "/nonexistent/b.properties"),
                                        Optional.empty(),
                                        Set.of(),
                                        "QUORUM_BRIDGE_CONFIG",
                                        "QUORUM_BRIDGE_"))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key())
                .isEqualTo("QUORUM_BRIDGE_CONFIG");
    }

    @Test
    void durations_take_units_or_iso_8601_within_bounds() {
        ConfigSource source =
                ConfigSource.of(
                        Map.of("A", "500ms", "B", "30s", "C", "PT2M", "D", "3h", "E", "soon"));
        Duration max = Duration.ofDays(1);
        assertThat(source.duration("A", Duration.ZERO, Duration.ZERO, max))
                .isEqualTo(Duration.ofMillis(500));
        assertThat(source.duration("B", Duration.ZERO, Duration.ZERO, max))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(source.duration("C", Duration.ZERO, Duration.ZERO, max))
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(source.duration("UNSET", Duration.ofSeconds(7), Duration.ZERO, max))
                .isEqualTo(Duration.ofSeconds(7));
        assertThatThrownBy(() -> source.duration("E", Duration.ZERO, Duration.ZERO, max))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("E: 'soon' is not allowed")
                .hasMessageContaining("from 0s to 1d");
        assertThatThrownBy(
                        () ->
                                source.duration(
                                        "D", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("to 1h");
    }

    @Test
    void booleans_urls_and_required_keys_name_the_key() {
        ConfigSource source =
                ConfigSource.of(Map.of("B", "yes", "U", "ftp://x", "V", "https://ehr.test/r4"));
        assertThatThrownBy(() -> source.booleanValue("B", false))
                .hasMessage("B: 'yes' is not allowed; use true or false");
        assertThat(source.booleanValue("UNSET", true)).isTrue();
        assertThatThrownBy(() -> source.httpUrl("U"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("U: 'ftp://x' is not an absolute http(s) URL");
        assertThat(source.httpUrl("V"))
                .hasValueSatisfying(u -> assertThat(u.getHost()).isEqualTo("ehr.test"));
        assertThatThrownBy(() -> source.required("R", "the EHR's FHIR base URL"))
                .hasMessage("R: is required: the EHR's FHIR base URL");
    }
}
