package org.quorum.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private static RunningServer running;

    @BeforeAll
    static void server(RunningServer server) {
        anonymous = server.anonymousHttp();
        running = server;
    }

    @Test
    void the_sign_in_configuration_offers_quorum_and_the_external_provider() throws Exception {
        HttpResponse<String> response = anonymous.get("/ui/config.json", "application/json");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode config = new ObjectMapper().readTree(response.body());
        String base = running.baseUrl().toString().replaceAll("/$", "");
        JsonNode own = config.path("providers").get(0);
        assertThat(own.path("id").asText()).isEqualTo("quorum");
        assertThat(own.path("client_id").asText()).isEqualTo("quorum-ui");
        assertThat(own.path("authorization_endpoint").asText()).isEqualTo(base + "/auth/authorize");
        assertThat(own.path("redirect_uri").asText()).isEqualTo(base + "/ui/");
        // The shared test server trusts a provider on a loopback port where nothing listens
        // unless ExternalSignInIT runs one: offered, with the reason it cannot be used now.
        JsonNode external = config.path("providers").get(1);
        assertThat(external.path("id").asText()).isEqualTo("external");
        assertThat(external.path("name").asText()).isEqualTo(RunningServer.EXTERNAL_NAME);
        assertThat(external.path("issuer").asText()).isEqualTo(running.externalIssuer());
        assertThat(external.path("client_id").asText())
                .isEqualTo(RunningServer.EXTERNAL_UI_CLIENT_ID);
        assertThat(external.path("resource").asText()).isEqualTo(base + "/fhir");
        assertThat(external.has("token_endpoint") || external.has("unavailable")).isTrue();
        assertThat(config.path("session_endpoint").asText()).isEqualTo("/auth/session");
        // The page may send requests to the provider (to redeem the code), nowhere else.
        assertThat(
                        anonymous
                                .get("/ui/", "text/html")
                                .headers()
                                .firstValue("Content-Security-Policy"))
                .contains(UiInstaller.contentSecurityPolicy("'self' " + running.externalIssuer()));
    }

    @Test
    void the_session_endpoint_says_who_the_token_is_for_as_the_server_maps_it() throws Exception {
        HttpResponse<String> session = running.http().get("/auth/session", "application/json");
        assertThat(session.statusCode()).isEqualTo(200);
        JsonNode who = new ObjectMapper().readTree(session.body());
        assertThat(who.path("roles").toString()).contains("project-admin");
        assertThat(who.path("iss").asText())
                .isEqualTo(running.baseUrl().toString().replaceAll("/$", ""));
        HttpResponse<String> none = anonymous.get("/auth/session", "application/json");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
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
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .startsWith(UiInstaller.CONTENT_SECURITY_POLICY.split("connect-src")[0]);
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
