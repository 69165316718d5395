package org.quorum.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.testing.Http;
import org.quorum.testing.RunningServer;

/**
 * How the reviewer UI is served: from the jar, without a token, under a Content-Security-Policy
 * that allows only this origin, with nothing loaded from elsewhere and no way out of {@code ui/}.
 * What the app does is {@code ReviewerUiIT}'s (conformance, in Chromium).
 */
@ExtendWith(RunningServer.class)
class UiStaticFilesIT {

    private static final List<String> ASSETS =
            List.of(
                    "index.html",
                    "style.css",
                    "js/app.js",
                    "js/api.js",
                    "js/auth.js",
                    "js/dashboard.js",
                    "js/dom.js",
                    "js/drafts.js",
                    "js/label.js",
                    "js/project.js",
                    "js/review.js",
                    "js/shortcuts.js",
                    "js/source.js",
                    "js/worklist.js");

    /** A URL to another origin in markup, a module import or a style sheet. */
    private static final Pattern FOREIGN =
            Pattern.compile(
                    "(?:src|href)\\s*=\\s*[\"']https?:|from\\s+[\"']https?:|import\\(\\s*[\"']https?:"
                            + "|url\\(\\s*[\"']?https?:|fetch\\(\\s*[\"'`]https?:");

    private static Http anonymous;

    @BeforeAll
    static void server(RunningServer server) {
        anonymous = server.anonymousHttp();
    }

    @Test
    void ui_without_slash_redirects_to_the_app() {
        HttpResponse<String> response = anonymous.get("/ui");
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).contains("/ui/");
    }

    @Test
    void the_page_is_served_without_a_token_under_a_same_origin_policy() {
        HttpResponse<String> page = anonymous.get("/ui/", "text/html");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .contains(UiInstaller.CONTENT_SECURITY_POLICY);
        assertThat(UiInstaller.CONTENT_SECURITY_POLICY)
                .contains("script-src 'self'")
                .contains("connect-src 'self'")
                .doesNotContain("unsafe-inline")
                .doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(page.body()).contains("<script type=\"module\" src=\"js/app.js\"></script>");
    }

    @Test
    void every_asset_is_in_the_jar_with_its_media_type_and_refers_to_no_other_origin()
            throws IOException {
        for (String asset : ASSETS) {
            HttpResponse<String> response = anonymous.get("/ui/" + asset, "*/*");
            assertThat(response.statusCode()).as(asset).isEqualTo(200);
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (asset.endsWith(".js")) {
                assertThat(type).as(asset).contains("javascript");
            } else if (asset.endsWith(".css")) {
                assertThat(type).as(asset).startsWith("text/css");
            }
            try (InputStream packed =
                    UiInstaller.class.getClassLoader().getResourceAsStream("ui/" + asset)) {
                assertThat(packed).as("ui/%s on the class path", asset).isNotNull();
                String text = new String(packed.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(response.body()).as(asset).isEqualTo(text);
                assertThat(FOREIGN.matcher(text).find())
                        .as("%s loads nothing from another origin", asset)
                        .isFalse();
            }
        }
    }

    @Test
    void unknown_files_are_404_and_paths_cannot_leave_the_ui_directory() {
        assertThat(anonymous.get("/ui/js/missing.js", "*/*").statusCode()).isEqualTo(404);
        // logback.xml sits one level above ui/ on the class path.
        for (String escape :
                List.of(
                        "/ui/%2e%2e/logback.xml",
                        "/ui/..%2flogback.xml", "/ui/js/%2e%2e/%2e%2e/logback.xml")) {
            HttpResponse<String> response = anonymous.get(escape, "*/*");
            assertThat(response.statusCode()).as(escape).isIn(400, 404);
            assertThat(response.body()).as(escape).doesNotContain("<configuration");
        }
    }
}
