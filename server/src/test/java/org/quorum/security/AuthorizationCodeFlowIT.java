package org.quorum.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.testing.RunningServer;

/**
 * The browser sign-in of the reviewer UI over HTTP: authorization code with PKCE on Quorum's own
 * sign-in page (SMART App Launch v2 standalone, public client), refresh tokens that rotate, and the
 * refusals RFC 6749 and RFC 7636 ask for.
 */
@ExtendWith(RunningServer.class)
class AuthorizationCodeFlowIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A browser that does not follow redirects, so each step can be checked. */
    private static final HttpClient BROWSER =
            HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();

    private static RunningServer server;
    private static String user;
    private static String redirectUri;

    @BeforeAll
    static void aClinicianWithAPassword(RunningServer running) throws Exception {
        server = running;
        user = "signin-" + UUID.randomUUID().toString().substring(0, 8);
        UserRegistry users = new UserRegistry(server.securityStore());
        users.add(
                User.of(user, Set.of(Role.ANNOTATOR), Set.of()).withFhirUser("PractitionerRole/7"));
        users.setPassword(user, "correct horse battery".toCharArray());
        redirectUri = issuer() + "/ui/callback";
    }

    @Test
    void discovery_advertises_the_code_flow_with_s256() throws Exception {
        HttpResponse<String> response =
                server.anonymousHttp().get("/fhir/.well-known/smart-configuration");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(response.body());
        assertThat(doc.path("authorization_endpoint").asText())
                .isEqualTo(issuer() + "/auth/authorize");
        assertThat(doc.path("code_challenge_methods_supported").toString()).isEqualTo("[\"S256\"]");
        assertThat(doc.path("grant_types_supported").toString())
                .contains("authorization_code")
                .contains("refresh_token");
        assertThat(doc.path("capabilities").toString())
                .contains("launch-standalone")
                .contains("client-public");
    }

    @Test
    void sign_in_code_token_refresh_and_no_reuse() throws Exception {
        String verifier = verifier();
        String state = UUID.randomUUID().toString();

        HttpResponse<String> page =
                get("/auth/authorize?" + query(authorizeParams(verifier, state)));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'none'");
        assertThat(page.body()).contains("<form method=\"post\"").doesNotContain("<script");

        Map<String, String> form = authorizeParams(verifier, state);
        form.put("username", user);
        form.put("password", "correct horse battery");
        HttpResponse<String> signedIn = post("/auth/authorize", query(form));
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
        URI back = URI.create(signedIn.headers().firstValue("Location").orElseThrow());
        assertThat(back.toString()).startsWith(redirectUri + "?code=");
        Map<String, String> returned = parse(back.getRawQuery());
        assertThat(returned.get("state")).isEqualTo(state);
        String code = returned.get("code");

        HttpResponse<String> tokens = redeem(code, verifier);
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        JsonNode issued = JSON.readTree(tokens.body());
        String access = issued.path("access_token").asText();
        String refresh = issued.path("refresh_token").asText();
        assertThat(access).isNotEmpty();
        assertThat(refresh).isNotEmpty();
        assertThat(tokens.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        // A clinician with no case yet: the token works, the narrowed search finds nothing.
        HttpResponse<String> fhir = server.http(access).get("/fhir/Task", "application/fhir+json");
        assertThat(fhir.statusCode()).as(fhir.body()).isEqualTo(200);
        assertThat(JSON.readTree(fhir.body()).path("entry").size()).isZero();

        HttpResponse<String> again = redeem(code, verifier);
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(again.body()).path("error").asText()).isEqualTo("invalid_grant");

        HttpResponse<String> refreshed =
                token("grant_type=refresh_token&client_id=quorum-ui&refresh_token=" + refresh);
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        JsonNode next = JSON.readTree(refreshed.body());
        assertThat(next.path("access_token").asText()).isNotEmpty().isNotEqualTo(access);
        assertThat(next.path("refresh_token").asText()).isNotEqualTo(refresh);
        HttpResponse<String> replayed =
                token("grant_type=refresh_token&client_id=quorum-ui&refresh_token=" + refresh);
        assertThat(replayed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(replayed.body()).path("error").asText())
                .isEqualTo("invalid_grant");
    }

    @Test
    void a_wrong_verifier_gets_no_token() throws Exception {
        String code = signIn(verifier());
        HttpResponse<String> tokens = redeem(code, verifier());
        assertThat(tokens.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(tokens.body()).path("error").asText()).isEqualTo("invalid_grant");
        assertThat(tokens.body()).doesNotContain("access_token");
    }

    @Test
    void a_wrong_password_shows_the_page_again_without_a_code() throws Exception {
        Map<String, String> form = authorizeParams(verifier(), "s");
        form.put("username", user);
        form.put("password", "wrong");
        HttpResponse<String> response = post("/auth/authorize", query(form));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Location")).isEmpty();
        assertThat(response.body()).contains("Wrong user name or password").contains(user);
    }

    @Test
    void an_unknown_client_or_foreign_redirect_is_shown_not_redirected() throws Exception {
        Map<String, String> foreign = authorizeParams(verifier(), "s");
        foreign.put("redirect_uri", "https://attacker.example/steal");
        HttpResponse<String> byRedirect = get("/auth/authorize?" + query(foreign));
        assertThat(byRedirect.statusCode()).isEqualTo(400);
        assertThat(byRedirect.headers().firstValue("Location")).isEmpty();
        assertThat(byRedirect.body()).contains("redirect_uri");

        Map<String, String> unknown = authorizeParams(verifier(), "s");
        unknown.put("client_id", "someone-else");
        HttpResponse<String> byClient = get("/auth/authorize?" + query(unknown));
        assertThat(byClient.statusCode()).isEqualTo(400);
        assertThat(byClient.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void a_request_without_pkce_is_sent_back_with_an_error() throws Exception {
        Map<String, String> params = authorizeParams(verifier(), "st");
        params.remove("code_challenge");
        HttpResponse<String> response = get("/auth/authorize?" + query(params));
        assertThat(response.statusCode()).isEqualTo(302);
        Map<String, String> back =
                parse(
                        URI.create(response.headers().firstValue("Location").orElseThrow())
                                .getRawQuery());
        assertThat(back.get("error")).isEqualTo("invalid_request");
        assertThat(back.get("state")).isEqualTo("st");
    }

    // --- helpers

    private static String signIn(String verifier) throws Exception {
        Map<String, String> form = authorizeParams(verifier, "x");
        form.put("username", user);
        form.put("password", "correct horse battery");
        HttpResponse<String> response = post("/auth/authorize", query(form));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(302);
        return parse(
                        URI.create(response.headers().firstValue("Location").orElseThrow())
                                .getRawQuery())
                .get("code");
    }

    private static HttpResponse<String> redeem(String code, String verifier) throws Exception {
        return token(
                "grant_type=authorization_code&client_id=quorum-ui&code="
                        + URLEncoder.encode(code, StandardCharsets.UTF_8)
                        + "&redirect_uri="
                        + URLEncoder.encode(redirectUri, StandardCharsets.UTF_8)
                        + "&code_verifier="
                        + verifier);
    }

    private static Map<String, String> authorizeParams(String verifier, String state) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("response_type", "code");
        params.put("client_id", "quorum-ui");
        params.put("redirect_uri", redirectUri);
        params.put("scope", "openid fhirUser user/*.cruds online_access");
        params.put("state", state);
        params.put("aud", issuer() + "/fhir");
        params.put("code_challenge", AuthorizationCodeFlow.s256(verifier));
        params.put("code_challenge_method", "S256");
        return params;
    }

    private static String verifier() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The issuer the test server uses: its loopback base URL. */
    private static String issuer() {
        return server.baseUrl().toString().replaceAll("/+$", "").replace("localhost", "127.0.0.1");
    }

    private static String query(Map<String, String> params) {
        StringBuilder query = new StringBuilder();
        params.forEach(
                (name, value) ->
                        query.append(query.isEmpty() ? "" : "&")
                                .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                                .append('=')
                                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return query.toString();
    }

    private static Map<String, String> parse(String query) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            String[] parts = pair.split("=", 2);
            values.put(
                    URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        return values;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return BROWSER.send(
                HttpRequest.newBuilder(server.baseUrl().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String form) throws Exception {
        return BROWSER.send(
                HttpRequest.newBuilder(server.baseUrl().resolve(path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> token(String form) throws Exception {
        return post("/auth/token", form);
    }
}
