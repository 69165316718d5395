package org.quorum.quality.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.quorum.quality.QualityProject;
import org.quorum.testing.RunningServer;

/**
 * The quality report page, {@code GET /quality/report/{id}}, over HTTP and in headless Chromium
 * (installed by {@code ./quorum test}: TEST_APT_PACKAGES).
 */
@ExtendWith(RunningServer.class)
class QualityReportIT {

    private static RunningServer server;
    private static QualityProject project;

    @BeforeAll
    static void projectWithTwoAnnotators(RunningServer running) {
        server = running;
        project = QualityProject.create(running.fhirClient(), "Chest X-ray <b>phase 1</b>");
        String a = project.annotator("A");
        String b = project.annotator("B");
        for (int i = 0; i < 24; i++) {
            String code = i < 10 ? "pneumonia" : i < 23 ? "normal" : "pneumothorax";
            String patient =
                    project.patient(
                            i < 18 ? "female" : "male",
                            i % 3 == 0 ? "1948" : "1985",
                            i < 3 ? "2135-2" : "2186-5",
                            i < 20 ? "2106-3" : "2054-5");
            String study = project.study(patient);
            project.label(a, patient, study, code);
            project.label(
                    b, patient, study, i == 9 || i == 12 ? "normal" : i == 13 ? "pneumonia" : code);
        }
        project.commit();
    }

    private static String path() {
        return "/quality/report/" + project.id();
    }

    @Test
    void page_is_html_with_svg_figures_no_script_and_strict_security_headers() {
        HttpResponse<String> page = server.http().get(path());

        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValue("default-src 'none'; style-src 'unsafe-inline'");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Content-Disposition")).isEmpty();
        assertThat(page.body()).contains("<svg").contains("Inter-annotator agreement");
        assertThat(page.body()).contains("Data set composition").contains("Class balance");
        assertThat(page.body()).doesNotContainIgnoringCase("<script");
        assertThat(page.body()).contains("Chest X-ray &lt;b&gt;phase 1&lt;/b&gt;");
        // pneumothorax: 1 of 24 cases, rare; men 6 of 24 against 49.5 %: under-represented.
        assertThat(page.body()).contains("rare, +29").contains("under-represented");
    }

    @Test
    void download_sends_the_same_page_as_an_attachment() {
        HttpResponse<String> file = server.http().get(path() + "?download=1");

        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("Content-Disposition"))
                .hasValue(
                        "attachment; filename=\"quorum-quality-report-" + project.id() + ".html\"");
        assertThat(file.body()).contains("<svg");
    }

    @Test
    void an_unknown_project_is_a_404_in_plain_text() {
        HttpResponse<String> missing = server.http().get("/quality/report/no-such-project");
        HttpResponse<String> noId = server.http().get("/quality/report/");

        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("QUALITY-001");
        assertThat(missing.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(noId.statusCode()).isEqualTo(404);
    }

    @Test
    void report_needs_a_project_admin_or_auditor_token() {
        assertThat(server.anonymousHttp().get(path()).statusCode()).isEqualTo(401);
        String annotator =
                server.token(
                        "report-annotator",
                        java.util.Set.of(org.quorum.security.Role.ANNOTATOR),
                        "user/*.rs",
                        java.util.Optional.empty(),
                        java.util.Set.of());
        assertThat(server.http(annotator).get(path()).statusCode()).isEqualTo(403);
    }

    @Test
    void headless_chromium_renders_the_page_with_its_figures(@TempDir Path dir) throws Exception {
        // Chromium cannot send a bearer token: render the page as the authenticated user got it.
        HttpResponse<String> page = server.http().get(path());
        assertThat(page.statusCode()).isEqualTo(200);
        Path html = Files.writeString(dir.resolve("report.html"), page.body());
        String url = html.toUri().toString();
        Path screenshot = dir.resolve("report.png");

        Result shot = chromium(dir, "--screenshot=" + screenshot, "--window-size=1200,1600", url);
        Result dom = chromium(dir, "--dump-dom", url);

        assertThat(shot.exitCode()).as(shot.output()).isZero();
        byte[] png = Files.readAllBytes(screenshot);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(png.length).as("a rendered page, not a blank one").isGreaterThan(30_000);
        assertThat(dom.exitCode()).as(dom.output()).isZero();
        assertThat(dom.output()).contains("<svg").contains("Krippendorff's alpha and interval");
    }

    private record Result(int exitCode, String output) {}

    private static Result chromium(Path dir, String... arguments)
            throws IOException, InterruptedException {
        String binary =
                List.of("/usr/bin/chromium", "/usr/bin/chromium-browser").stream()
                        .filter(b -> Files.isExecutable(Path.of(b)))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "chromium is not installed: run the tests with"
                                                        + " ./quorum test (it installs"
                                                        + " TEST_APT_PACKAGES) or apt-get install"
                                                        + " chromium"));
        List<String> command =
                new ArrayList<>(
                        List.of(
                                binary,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile(dir, "chromium", ".out");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(false)
                        .redirectOutput(output.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s");
        }
        return new Result(process.exitValue(), Files.readString(output));
    }
}
