package org.quorum.conformance.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.security.Role;
import org.quorum.security.User;
import org.quorum.security.UserRegistry;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.RunningServer;

/**
 * Sign-in to the reviewer UI through an external OpenID Connect provider, in Chromium: {@code
 * ui-e2e/external-sign-in.mjs} runs a real provider (panva's {@code oidc-provider}, pinned in
 * {@code ui-e2e/package-lock.json}) where the shared test server expects one ({@link
 * RunningServer#externalIssuer()}), signs a hospital user in there with the authorization code flow
 * and PKCE, works a case with the provider's tokens (refresh at the provider, sign-in again with
 * the draft kept), and checks that tokens for another audience or from an unconfigured issuer are
 * refused. Screenshots and the script's report: {@code target/ui-e2e/}.
 */
@ExtendWith(RunningServer.class)
class ExternalSignInIT {

    private static final List<String> CHECKS =
            List.of(
                    "the sign-in offers the hospital provider and signs in there with the"
                            + " authorization code flow and PKCE",
                    "the hospital user works a case with the provider's tokens (palette narrowed"
                            + " by the labelValueSet): refreshed at the provider, signed in again"
                            + " there with the draft kept",
                    "tokens for another audience or from an issuer Quorum was not told about are"
                            + " refused",
                    "no Content-Security-Policy violation and no script error with the external"
                            + " provider");

    @Test
    void a_hospital_user_signs_in_through_the_external_provider(RunningServer server)
            throws Exception {
        Path e2e = Path.of(System.getProperty("quorum.ui.e2e", "ui-e2e")).toAbsolutePath();
        assertThat(e2e.resolve("node_modules/oidc-provider"))
                .as("npm packages of %s: './quorum test' installs them (npm ci)", e2e)
                .isDirectory();
        String chromium = System.getProperty("quorum.chromium", "/usr/bin/chromium");
        assertThat(Path.of(chromium)).as("Debian's chromium: './quorum test' installs it").exists();
        Path artifacts =
                Files.createDirectories(
                        Path.of(System.getProperty("quorum.ui.artifacts", "target/ui-e2e")));

        String run = UUID.randomUUID().toString().substring(0, 8);
        String password = "ui-e2e " + UUID.randomUUID();
        UserRegistry registry = new UserRegistry(server.securityStore());
        String admin = "ui-xp-" + run;
        registry.add(User.of(admin, Set.of(Role.PROJECT_ADMIN), Set.of()));
        registry.setPassword(admin, password.toCharArray());
        String study = DicomFiles.newUid();
        Path image = artifacts.resolve("ct-x-" + run + ".dcm");
        Files.write(
                image,
                DicomFiles.copy(
                        "pydicom/CT_small.dcm",
                        Map.of(
                                "StudyInstanceUID",
                                study,
                                "SeriesInstanceUID",
                                DicomFiles.newUid(),
                                "SOPInstanceUID",
                                DicomFiles.newUid(),
                                "PatientID",
                                "UI-X-" + run)));

        Path log = artifacts.resolve("external-sign-in.log");
        ProcessBuilder builder =
                new ProcessBuilder("node", "external-sign-in.mjs")
                        .directory(e2e.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("QUORUM_BASE", server.baseUrl().toString().replaceAll("/$", ""));
        environment.put("QUORUM_RUN", run);
        environment.put("QUORUM_PASSWORD", password);
        environment.put("QUORUM_ADMIN", admin);
        environment.put("QUORUM_EXTERNAL_ISSUER", server.externalIssuer());
        environment.put("QUORUM_EXTERNAL_CLIENT_ID", RunningServer.EXTERNAL_UI_CLIENT_ID);
        environment.put("QUORUM_DICOM_FILE", image.toString());
        environment.put("QUORUM_STUDY_UID", study);
        environment.put("QUORUM_ARTIFACTS", artifacts.toAbsolutePath().toString());
        environment.put("QUORUM_CHROMIUM", chromium);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(
                    "node is not installed: './quorum test' installs Debian's nodejs", e);
        }
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(
                    "the external sign-in scenario did not finish within 4 minutes\n"
                            + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        for (String check : CHECKS) {
            assertThat(output).as("UI check: %s\n%s", check, output).contains("ok - " + check);
            assertThat(output).doesNotContain("not ok - " + check);
        }
        assertThat(output).contains(CHECKS.size() + " passed, 0 failed");
        assertThat(process.exitValue()).as(output).isZero();
        for (String screen : List.of("12-sign-in-choice", "13-external-worklist")) {
            assertThat(artifacts.resolve(screen + ".png")).as("screenshot").isNotEmptyFile();
        }
    }
}
