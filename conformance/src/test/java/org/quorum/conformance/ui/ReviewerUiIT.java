package org.quorum.conformance.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
 * The reviewer UI in a real browser: {@code ui-e2e/reviewer-ui.mjs} drives Debian's Chromium with
 * Playwright ({@code playwright-core}, pinned in {@code ui-e2e/package-lock.json}, installed by
 * {@code ./quorum test}; no browser download) through the review scenario against the running
 * server, runs axe-core on every screen, and checks over the API what the clicks stored. This test
 * makes the users (with passwords, their fhirUser naming the PractitionerRoles the script creates)
 * and a CT image with fresh UIDs, runs the script and asserts each of its checks passed.
 * Screenshots and the script's report: {@code target/ui-e2e/}.
 */
@ExtendWith(RunningServer.class)
class ReviewerUiIT {

    private static final List<String> CHECKS =
            List.of(
                    "an annotator signs in with the authorization code flow and PKCE and sees the"
                            + " worklist",
                    "an uncalibrated annotator is sent to the calibration round and passes it",
                    "the annotator takes a note case and makes two spans with the keyboard only; a"
                            + " reload restores the draft",
                    "a second annotator disagrees; the adjudicator sees both side by side and"
                            + " resolves",
                    "the annotator takes an image case, sets the window and pans by dragging,"
                            + " draws a polygon, and keeps it through an expired session",
                    "on an image case the adjudicator compares the regions of both annotators,"
                            + " toggles them, and resolves",
                    "a reviewer accepts one AI suggestion, rejects another with a comment, and modifies"
                            + " a third",
                    "a task completed elsewhere is shown as a conflict and the draft is kept",
                    "the annotator accepts one AI suggestion and modifies another with the"
                            + " keyboard; a refused token is refreshed",
                    "a project admin sees the dashboard",
                    "a re-evaluate task shows the schema change: the class under the old and the"
                            + " new version",
                    "no Content-Security-Policy violation and no script error on any page");

    @Test
    void clinicians_label_review_and_adjudicate_in_chromium(RunningServer server) throws Exception {
        Path e2e = Path.of(System.getProperty("quorum.ui.e2e", "ui-e2e")).toAbsolutePath();
        assertThat(e2e.resolve("node_modules/playwright-core"))
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
        StringBuilder usersJson = new StringBuilder("{");
        for (Map.Entry<String, Role> member :
                Map.of(
                                "A", Role.ANNOTATOR,
                                "B", Role.ANNOTATOR,
                                "R", Role.REVIEWER,
                                "J", Role.ADJUDICATOR)
                        .entrySet()) {
            String key = member.getKey();
            String name = "ui-" + key.toLowerCase() + "-" + run;
            String role = "PractitionerRole/" + name;
            registry.add(User.of(name, Set.of(member.getValue()), Set.of()).withFhirUser(role));
            registry.setPassword(name, password.toCharArray());
            usersJson
                    .append(usersJson.length() > 1 ? "," : "")
                    .append(
                            "\"%s\":{\"name\":\"%s\",\"id\":\"%s\",\"role\":\"%s\"}"
                                    .formatted(key, name, role, member.getValue().wireName()));
        }
        usersJson.append('}');
        String admin = "ui-p-" + run;
        registry.add(User.of(admin, Set.of(Role.PROJECT_ADMIN), Set.of()));
        registry.setPassword(admin, password.toCharArray());

        String study = DicomFiles.newUid();
        Path image = artifacts.resolve("ct-" + run + ".dcm");
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
                                "UI-" + run)));

        // A three-frame instance in the same study, another series: the viewer pages its frames.
        Path multiFrame = artifacts.resolve("ct-frames-" + run + ".dcm");
        Files.write(
                multiFrame,
                DicomFiles.multiFrame(
                        "pydicom/CT_small.dcm",
                        3,
                        16 * 128,
                        Map.of(
                                "StudyInstanceUID",
                                study,
                                "SeriesInstanceUID",
                                DicomFiles.newUid(),
                                "SOPInstanceUID",
                                DicomFiles.newUid(),
                                "PatientID",
                                "UI-" + run)));

        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("QUORUM_BASE", server.baseUrl().toString().replaceAll("/$", ""));
        environment.put("QUORUM_RUN", run);
        environment.put("QUORUM_PASSWORD", password);
        environment.put("QUORUM_USERS", usersJson.toString());
        environment.put("QUORUM_ADMIN", admin);
        environment.put("QUORUM_DICOM_FILE", image.toString());
        environment.put("QUORUM_STUDY_UID", study);
        environment.put("QUORUM_MULTIFRAME_FILE", multiFrame.toString());
        environment.put("QUORUM_ARTIFACTS", artifacts.toAbsolutePath().toString());
        environment.put("QUORUM_CHROMIUM", chromium);

        Path log = artifacts.resolve("reviewer-ui.log");
        ProcessBuilder builder =
                new ProcessBuilder("node", "reviewer-ui.mjs")
                        .directory(e2e.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(
                    "node is not installed: './quorum test' installs Debian's nodejs", e);
        }
        if (!process.waitFor(8, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(
                    "the UI scenario did not finish within 8 minutes\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        for (String check : CHECKS) {
            assertThat(output).as("UI check: %s\n%s", check, output).contains("ok - " + check);
            assertThat(output).doesNotContain("not ok - " + check);
        }
        assertThat(output).contains(CHECKS.size() + " passed, 0 failed");
        assertThat(process.exitValue()).as(output).isZero();
        for (String screen :
                List.of(
                        "01-sign-in",
                        "02-worklist",
                        "02-shortcuts",
                        "03-calibration",
                        "04-note-labelling",
                        "05-adjudication",
                        "06-image-labelling",
                        "07-review-ai",
                        "07-review-modify",
                        "08-conflict",
                        "09-dashboard",
                        "10-ai-suggestions",
                        "11-image-adjudication",
                        "14-re-evaluate")) {
            assertThat(artifacts.resolve(screen + ".png")).as("screenshot").isNotEmptyFile();
        }
    }
}
