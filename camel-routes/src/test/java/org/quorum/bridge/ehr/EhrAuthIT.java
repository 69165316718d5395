package org.quorum.bridge.ehr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Ehr;
import org.quorum.bridge.testing.Quorum;

/** The EHR behind basic authentication or a static bearer token (secrets read from files). */
class EhrAuthIT {

    private final Ehr ehr = Ehr.shared();
    private final Quorum quorum = Quorum.shared();

    @TempDir Path dir;

    private BridgeConfig config(String project) {
        return BridgeConfig.forProject(project, quorum)
                .set("QUORUM_BRIDGE_EHR_URL", ehr.secureFhirBase())
                .set(
                        "QUORUM_BRIDGE_EHR_QUERIES",
                        "DocumentReference?patient=" + EhrPullIT.SMALL_PATIENT)
                .set("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "1s");
    }

    @Test
    void basic_and_bearer_credentials_open_the_ehr_and_a_wrong_password_is_reported()
            throws Exception {
        Path password = Files.writeString(dir.resolve("password"), Ehr.PASSWORD + "\n");
        BridgeConfig basic =
                config("auth-basic")
                        .set("QUORUM_BRIDGE_EHR_AUTH", "basic")
                        .set("QUORUM_BRIDGE_EHR_USERNAME", Ehr.USER)
                        .set("QUORUM_BRIDGE_EHR_PASSWORD_FILE", password.toString());
        try (BridgeApp bridge = BridgeApp.start(basic.settings())) {
            assertThat(
                            quorum.awaitCount(
                                    "DocumentReference", "auth-basic", 15, Duration.ofMinutes(2)))
                    .isEqualTo(15);
        }
        Path token = Files.writeString(dir.resolve("token"), Ehr.TOKEN);
        BridgeConfig bearer =
                config("auth-bearer")
                        .set("QUORUM_BRIDGE_EHR_AUTH", "bearer")
                        .set("QUORUM_BRIDGE_EHR_TOKEN_FILE", token.toString());
        try (BridgeApp bridge = BridgeApp.start(bearer.settings())) {
            assertThat(
                            quorum.awaitCount(
                                    "DocumentReference", "auth-bearer", 15, Duration.ofMinutes(2)))
                    .isEqualTo(15);
        }
        Path wrong = Files.writeString(dir.resolve("wrong"), "not-the-password");
        BridgeConfig refused =
                config("auth-refused")
                        .set("QUORUM_BRIDGE_EHR_AUTH", "basic")
                        .set("QUORUM_BRIDGE_EHR_USERNAME", Ehr.USER)
                        .set("QUORUM_BRIDGE_EHR_PASSWORD_FILE", wrong.toString());
        DefaultCamelContext camel = new DefaultCamelContext();
        NotifyBuilder polled =
                new NotifyBuilder(camel).fromRoute("ehr-1").whenCompleted(2).create();
        try (BridgeApp bridge =
                BridgeApp.start(refused.settings(), java.time.Clock.systemUTC(), camel)) {
            assertThat(polled.matches(1, TimeUnit.MINUTES)).isTrue();
            assertThat(bridge.status("ehr-1").snapshot().lastError())
                    .contains("401")
                    .contains("credentials");
        }
        assertThat(quorum.count("DocumentReference", "auth-refused")).isZero();
    }
}
