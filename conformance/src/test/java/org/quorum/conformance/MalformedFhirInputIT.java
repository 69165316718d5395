package org.quorum.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.testing.RunningServer;

/**
 * Malformed FHIR input answered as the standards say: a 4xx (400 Bad Request for what cannot be
 * parsed or searched, 422 for content the server cannot accept, 415 for a wrong media type) with an
 * OperationOutcome that names the bad value or parameter, no stack trace, and nothing stored.
 * Bodies in JSON and XML (truncated, binary, XML entities, deep nesting, out-of-range values),
 * transactions (bad conditional URLs, one bad entry), search parameters of every type with bad
 * values, and the result parameters ({@code _count}, {@code _offset}, {@code _summary}, ...).
 *
 * @see <a href="https://hl7.org/fhir/R4/http.html#2.21.0.16">FHIR R4 §2.21.0.16 HTTP status
 *     codes</a>
 */
@ExtendWith({RunningServer.class, ConformanceReport.class})
class MalformedFhirInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/fhir+json";
    private static final String XML_TYPE = "application/fhir+xml";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    /** Types whose counts must not change (the writes below target them). */
    private static final List<String> COUNTED =
            List.of("Observation", "Patient", "DocumentReference", "RiskAssessment");

    /** One malformed request and the answer the standards call for. */
    record Case(
            String group,
            Requests request,
            Set<Integer> statuses,
            List<String> mentions,
            boolean write) {}

    private static RunningServer server;
    private static ConformanceReport report;
    private static final List<String> rows = new ArrayList<>();

    @BeforeAll
    static void server(RunningServer running, ConformanceReport conformanceReport) {
        server = running;
        report = conformanceReport;
    }

    @AfterAll
    static void writeSection() {
        report.section(
                ConformanceReport.MALFORMED_FHIR,
                "Malformed FHIR input",
                "Each request is sent with a project admin's token; expected: the status, an"
                        + " OperationOutcome naming the bad value or parameter (no stack trace),"
                        + " and unchanged counts (of the endpoint's type; of "
                        + String.join(", ", COUNTED)
                        + " for transactions) for writes.\n\n"
                        + "| group | request | expected | answered | named | store unchanged | diagnostics |\n"
                        + "|---|---|---|---:|---|---|---|\n"
                        + String.join("\n", rows));
    }

    @TestFactory
    Stream<DynamicTest> every_malformed_request_gets_a_4xx_operation_outcome_and_stores_nothing() {
        return cases().stream()
                .map(
                        c ->
                                DynamicTest.dynamicTest(
                                        c.group() + ": " + c.request().description(),
                                        () -> check(c)));
    }

    private static void check(Case c) throws IOException {
        List<String> counted = counted(c.request().path());
        Map<String, Integer> before = c.write() ? counts(counted) : Map.of();
        HttpResponse<String> response = c.request().send(server.baseUrl(), server.adminToken());
        Map<String, Integer> after = c.write() ? counts(counted) : Map.of();
        String body = response.body();
        boolean isOutcome = outcome(body) != null;
        String diagnostics = isOutcome ? diagnostics(outcome(body)) : "";
        List<String> missing = new ArrayList<>();
        for (String term : c.mentions()) {
            if (!diagnostics.toLowerCase(Locale.ROOT).contains(term.toLowerCase(Locale.ROOT))) {
                missing.add(term);
            }
        }
        rows.add(
                "| "
                        + c.group()
                        + " | "
                        + ConformanceReport.cell(c.request().description())
                        + " | "
                        + c.statuses()
                        + " | "
                        + (c.statuses().contains(response.statusCode())
                                ? response.statusCode()
                                : "**" + response.statusCode() + "**")
                        + " | "
                        + (!isOutcome
                                ? "**no OperationOutcome**"
                                : missing.isEmpty() ? "yes" : "**no: " + missing + "**")
                        + " | "
                        + (!c.write() ? "n/a (read)" : before.equals(after) ? "yes" : "**no**")
                        + " | "
                        + ConformanceReport.cell(
                                diagnostics.length() > 160
                                        ? diagnostics.substring(0, 160) + "…"
                                        : diagnostics.strip())
                        + " |");
        assertThat(response.statusCode())
                .as("%s %s\n%s", c.request().method(), c.request().path(), Scenarios.shorten(body))
                .isIn(c.statuses());
        assertThat(isOutcome).as("an OperationOutcome: %s", Scenarios.shorten(body)).isTrue();
        assertThat(missing).as("named in the OperationOutcome: %s", diagnostics).isEmpty();
        assertThat(body)
                .as("no internal detail")
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("root:x:0:0");
        assertThat(after).as("resource counts").isEqualTo(before);
    }

    private static JsonNode outcome(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.path("resourceType").asText().equals("OperationOutcome")) {
                for (JsonNode issue : json.path("issue")) {
                    String severity = issue.path("severity").asText();
                    if (severity.equals("error") || severity.equals("fatal")) {
                        return json;
                    }
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String diagnostics(JsonNode outcome) {
        StringBuilder text = new StringBuilder();
        for (JsonNode issue : outcome.path("issue")) {
            text.append(issue.path("diagnostics").asText()).append(' ');
            text.append(issue.path("details").path("text").asText()).append(' ');
            issue.path("expression").forEach(e -> text.append(e.asText()).append(' '));
        }
        return text.toString();
    }

    /** Resource counts ({@code _summary=count}) of the types the writes target. */
    /** The types a write could have stored: its endpoint's, or every counted type (/fhir). */
    private static List<String> counted(String path) {
        String type = path.replaceFirst("^/fhir/?", "").replaceFirst("[/?].*$", "");
        return type.isEmpty() ? COUNTED : List.of(type);
    }

    private static Map<String, Integer> counts(List<String> types) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String type : types) {
            HttpResponse<String> response =
                    server.http().get("/fhir/" + type + "?_summary=count", JSON_TYPE);
            assertThat(response.statusCode())
                    .as("counting %s: %s", type, Scenarios.shorten(response.body()))
                    .isEqualTo(200);
            counts.put(type, JSON.readTree(response.body()).path("total").asInt(-1));
        }
        return counts;
    }

    private static String observation(String valueJson) {
        return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\""
                + RUN
                + "\"}"
                + valueJson
                + "}";
    }

    private static Case write(
            String group, Requests request, Set<Integer> statuses, String... named) {
        return new Case(group, request, statuses, List.of(named), true);
    }

    private static Case read(
            String group, String description, String path, Set<Integer> statuses, String... named) {
        return new Case(group, Requests.get(description, path), statuses, List.of(named), false);
    }

    static List<Case> cases() {
        Set<Integer> badRequest = Set.of(400);
        Set<Integer> unprocessable = Set.of(400, 422);
        List<Case> cases = new ArrayList<>();

        // JSON bodies.
        String valid = observation("");
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "truncated JSON",
                                "/fhir/Observation",
                                JSON_TYPE,
                                valid.substring(0, valid.length() / 2)),
                        badRequest,
                        "parse"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post("empty body", "/fhir/Observation", JSON_TYPE, ""),
                        badRequest));
        byte[] binary = new byte[512];
        new java.util.Random(17).nextBytes(binary);
        binary[0] = (byte) 0x89;
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "binary body (random bytes)",
                                "/fhir/Observation",
                                JSON_TYPE,
                                binary),
                        badRequest,
                        "parse"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "a JSON array, not a resource",
                                "/fhir/Observation",
                                JSON_TYPE,
                                "[1,2,3]"),
                        badRequest));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "a Patient posted to /Observation",
                                "/fhir/Observation",
                                JSON_TYPE,
                                "{\"resourceType\":\"Patient\"}"),
                        badRequest,
                        "Patient"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "XML sent as JSON",
                                "/fhir/Observation",
                                JSON_TYPE,
                                "<Observation xmlns=\"http://hl7.org/fhir\"/>"),
                        badRequest));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "extensions nested 3,000 deep",
                                "/fhir/Observation",
                                JSON_TYPE,
                                observation(",\"extension\":" + nestedExtensions(3000))),
                        badRequest,
                        "nesting"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "valueQuantity.value 1e999999",
                                "/fhir/Observation",
                                JSON_TYPE,
                                observation(
                                        ",\"valueQuantity\":{\"value\":1e999999,\"unit\":\"mg\"}")),
                        unprocessable,
                        "Observation.valueQuantity.value"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "valueQuantity.value -1e999999",
                                "/fhir/Observation",
                                JSON_TYPE,
                                observation(",\"valueQuantity\":{\"value\":-1e999999}")),
                        unprocessable,
                        "Observation.valueQuantity.value"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "valueQuantity.value 1e-999999 (a million digits written out)",
                                "/fhir/Observation",
                                JSON_TYPE,
                                observation(",\"valueQuantity\":{\"value\":1e-999999}")),
                        unprocessable,
                        "Observation.valueQuantity.value"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "RiskAssessment probability 1e30",
                                "/fhir/RiskAssessment",
                                JSON_TYPE,
                                "{\"resourceType\":\"RiskAssessment\",\"status\":\"final\",\"subject\":{\"display\":\""
                                        + RUN
                                        + "\"},\"prediction\":[{\"probabilityDecimal\":1e30}]}"),
                        unprocessable,
                        "RiskAssessment.prediction[0].probabilityDecimal"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "a number of 1,500 digits",
                                "/fhir/Observation",
                                JSON_TYPE,
                                observation(
                                        ",\"valueQuantity\":{\"value\":" + "9".repeat(1500) + "}")),
                        unprocessable,
                        "value"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "valueInteger beyond 32 bits",
                                "/fhir/Observation",
                                JSON_TYPE,
                                observation(",\"valueInteger\":99999999999")),
                        badRequest,
                        "99999999999"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "effectiveDateTime 2020-13-45",
                                "/fhir/Observation",
                                JSON_TYPE,
                                observation(",\"effectiveDateTime\":\"2020-13-45\"")),
                        badRequest,
                        "2020-13-45"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "status not in its value set",
                                "/fhir/Observation",
                                JSON_TYPE,
                                valid.replace("\"final\"", "\"bogus\"")),
                        badRequest,
                        "bogus"));
        cases.add(
                write(
                        "JSON body",
                        Requests.post(
                                "text/plain content type",
                                "/fhir/Observation",
                                "text/plain",
                                valid),
                        Set.of(415),
                        "text/plain"));

        // XML bodies.
        String validXml =
                "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><code><text value=\""
                        + RUN
                        + "\"/></code></Observation>";
        cases.add(
                write(
                        "XML body",
                        Requests.post(
                                "truncated XML",
                                "/fhir/Observation",
                                XML_TYPE,
                                validXml.substring(0, validXml.length() / 2)),
                        badRequest,
                        "parse"));
        cases.add(
                write(
                        "XML body",
                        Requests.post(
                                "binary body (random bytes)",
                                "/fhir/Observation",
                                XML_TYPE,
                                binary),
                        badRequest,
                        "parse"));
        cases.add(
                write(
                        "XML body",
                        Requests.post(
                                "external entity (XXE) reading /etc/passwd",
                                "/fhir/Observation",
                                XML_TYPE,
                                "<?xml version=\"1.0\"?><!DOCTYPE Observation [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                                        + "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><code><text value=\"&xxe;\"/></code></Observation>"),
                        badRequest));
        cases.add(
                write(
                        "XML body",
                        Requests.post(
                                "entity expansion (billion laughs)",
                                "/fhir/Observation",
                                XML_TYPE,
                                billionLaughs()),
                        badRequest));
        cases.add(
                write(
                        "XML body",
                        Requests.post(
                                "elements nested 3,000 deep",
                                "/fhir/Observation",
                                XML_TYPE,
                                "<Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><code><text value=\""
                                        + RUN
                                        + "\"/></code>"
                                        + "<extension url=\"a\">".repeat(3000)
                                        + "</extension>".repeat(3000)
                                        + "</Observation>"),
                        badRequest));
        cases.add(
                write(
                        "XML body",
                        Requests.post(
                                "wrong namespace",
                                "/fhir/Observation",
                                XML_TYPE,
                                validXml.replace("http://hl7.org/fhir", "urn:not-fhir")),
                        badRequest));
        cases.add(
                write(
                        "XML body",
                        Requests.post(
                                "valueQuantity 1e999999",
                                "/fhir/Observation",
                                XML_TYPE,
                                validXml.replace(
                                        "</Observation>",
                                        "<valueQuantity><value value=\"1e999999\"/></valueQuantity></Observation>")),
                        unprocessable,
                        "Observation.valueQuantity.value"));

        // Transactions.
        cases.add(
                write(
                        "transaction",
                        Requests.post(
                                "conditional create on an unknown parameter",
                                "/fhir",
                                JSON_TYPE,
                                transaction(
                                        entry(
                                                "POST",
                                                "Patient",
                                                patient(),
                                                "\"ifNoneExist\":\"no-such-parameter=1\""))),
                        badRequest,
                        "no-such-parameter"));
        cases.add(
                write(
                        "transaction",
                        Requests.post(
                                "conditional create with a bad date",
                                "/fhir",
                                JSON_TYPE,
                                transaction(
                                        entry(
                                                "POST",
                                                "Patient",
                                                patient(),
                                                "\"ifNoneExist\":\"birthdate=notadate\""))),
                        badRequest,
                        "birthdate"));
        cases.add(
                write(
                        "transaction",
                        Requests.post(
                                "conditional update with a bad date",
                                "/fhir",
                                JSON_TYPE,
                                transaction(
                                        entry(
                                                "PUT",
                                                "Patient?birthdate=notadate",
                                                patient(),
                                                null))),
                        badRequest,
                        "birthdate"));
        cases.add(
                write(
                        "transaction",
                        Requests.post(
                                "conditional update without criteria",
                                "/fhir",
                                JSON_TYPE,
                                transaction(entry("PUT", "Patient?", patient(), null))),
                        badRequest));
        cases.add(
                write(
                        "transaction",
                        Requests.post(
                                "entry URL of an unknown type",
                                "/fhir",
                                JSON_TYPE,
                                transaction(entry("POST", "NoSuchType", patient(), null))),
                        badRequest,
                        "NoSuchType"));
        cases.add(
                write(
                        "transaction",
                        Requests.post(
                                "one good entry and one 1e999999 value: nothing stored",
                                "/fhir",
                                JSON_TYPE,
                                transaction(
                                        entry("POST", "Patient", patient(), null),
                                        entry(
                                                "POST",
                                                "Observation",
                                                observation(
                                                        ",\"valueQuantity\":{\"value\":1e999999}"),
                                                null))),
                        unprocessable,
                        "Observation.valueQuantity.value"));
        cases.add(
                write(
                        "transaction",
                        Requests.post(
                                "entry without a request",
                                "/fhir",
                                JSON_TYPE,
                                "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
                                        + patient()
                                        + "}]}"),
                        badRequest));

        // Search parameters of every type.
        cases.add(
                read(
                        "search: date",
                        "date=notadate",
                        "/fhir/Observation?date=notadate",
                        badRequest,
                        "date"));
        cases.add(
                read(
                        "search: date",
                        "date=2020-13-45",
                        "/fhir/Observation?date=2020-13-45",
                        badRequest,
                        "date"));
        cases.add(
                read(
                        "search: date",
                        "_count=abc&date=notadate",
                        "/fhir/Observation?_count=abc&date=notadate",
                        badRequest,
                        "_count",
                        "date"));
        cases.add(
                read(
                        "search: date",
                        "_lastUpdated=xx",
                        "/fhir/Observation?_lastUpdated=xx",
                        badRequest,
                        "_lastUpdated"));
        cases.add(
                read(
                        "search: number",
                        "probability=abc",
                        "/fhir/RiskAssessment?probability=abc",
                        badRequest,
                        "probability"));
        cases.add(
                read(
                        "search: number",
                        "probability=gt (prefix only)",
                        "/fhir/RiskAssessment?probability=gt",
                        badRequest,
                        "probability"));
        cases.add(
                read(
                        "search: quantity",
                        "value-quantity=abc",
                        "/fhir/Observation?value-quantity=abc",
                        badRequest,
                        "value-quantity"));
        cases.add(
                read(
                        "search: composite",
                        "code-value-quantity=abc (no $)",
                        "/fhir/Observation?code-value-quantity=abc",
                        badRequest,
                        "code-value-quantity"));
        cases.add(
                read("search: special", "near=abc", "/fhir/Location?near=abc", badRequest, "near"));
        cases.add(
                read(
                        "search: reference",
                        "subject=Patient/ (no id)",
                        "/fhir/Observation?subject=Patient/",
                        badRequest));
        cases.add(
                read(
                        "search: token",
                        "code:missing=maybe",
                        "/fhir/Observation?code:missing=maybe",
                        badRequest,
                        "code:missing"));
        cases.add(
                read(
                        "search: string",
                        "name:missing=perhaps",
                        "/fhir/Patient?name:missing=perhaps",
                        badRequest,
                        "name:missing"));
        cases.add(
                read(
                        "search: uri",
                        "url:missing=nope",
                        "/fhir/ValueSet?url:missing=nope",
                        badRequest,
                        "url:missing"));
        cases.add(
                read(
                        "search: unknown",
                        "no-such-parameter=1",
                        "/fhir/Observation?no-such-parameter=1",
                        badRequest,
                        "no-such-parameter"));
        cases.add(
                read(
                        "search: chain",
                        "subject.nope=x",
                        "/fhir/Observation?subject.nope=x",
                        badRequest,
                        "subject.nope"));

        // Result parameters.
        cases.add(
                read(
                        "result parameters",
                        "_count=abc",
                        "/fhir/Observation?_count=abc",
                        badRequest,
                        "_count"));
        cases.add(
                read(
                        "result parameters",
                        "_count=-5",
                        "/fhir/Observation?_count=-5",
                        badRequest,
                        "_count"));
        cases.add(
                read(
                        "result parameters",
                        "_offset=-1",
                        "/fhir/Observation?_offset=-1",
                        badRequest,
                        "_offset"));
        cases.add(
                read(
                        "result parameters",
                        "_summary=bogus",
                        "/fhir/Observation?_summary=bogus",
                        badRequest,
                        "_summary"));
        cases.add(
                read(
                        "result parameters",
                        "_total=bogus",
                        "/fhir/Observation?_total=bogus",
                        badRequest,
                        "_total"));
        cases.add(
                read(
                        "result parameters",
                        "_sort=no-such-parameter",
                        "/fhir/Observation?_sort=no-such-parameter",
                        badRequest,
                        "no-such-parameter"));
        cases.add(
                read(
                        "result parameters",
                        "_include=bogus",
                        "/fhir/Observation?_include=bogus",
                        badRequest,
                        "_include"));
        cases.add(
                read(
                        "result parameters",
                        "_contained=bogus",
                        "/fhir/Observation?_contained=bogus",
                        badRequest,
                        "bogus"));
        cases.add(
                read(
                        "history",
                        "_since=bogus",
                        "/fhir/Observation/_history?_since=bogus",
                        badRequest,
                        "_since"));
        cases.add(
                read(
                        "history",
                        "_at=bogus",
                        "/fhir/Observation/_history?_at=bogus",
                        badRequest,
                        "_at"));
        cases.add(
                read(
                        "history",
                        "_count=abc",
                        "/fhir/Observation/_history?_count=abc",
                        badRequest,
                        "_count"));
        return cases;
    }

    private static String patient() {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"https://quorum.dev/fhir/pseudonym\",\"value\":\""
                + RUN
                + "\"}]}";
    }

    private static String entry(String method, String url, String resource, String extraRequest) {
        return "{\"fullUrl\":\"urn:uuid:"
                + UUID.randomUUID()
                + "\",\"resource\":"
                + resource
                + ",\"request\":{\"method\":\""
                + method
                + "\",\"url\":\""
                + url
                + "\""
                + (extraRequest == null ? "" : "," + extraRequest)
                + "}}";
    }

    private static String transaction(String... entries) {
        return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + String.join(",", entries)
                + "]}";
    }

    private static String nestedExtensions(int depth) {
        return "[{\"url\":\"a\",\"extension\":".repeat(depth - 1)
                + "[{\"url\":\"a\",\"valueString\":\"x\"}]"
                + "}]".repeat(depth - 1);
    }

    private static String billionLaughs() {
        StringBuilder dtd =
                new StringBuilder(
                        "<?xml version=\"1.0\"?><!DOCTYPE Observation [<!ENTITY l0 \"ha\">");
        for (int i = 1; i <= 10; i++) {
            dtd.append("<!ENTITY l")
                    .append(i)
                    .append(" \"")
                    .append(("&l" + (i - 1) + ";").repeat(10))
                    .append("\">");
        }
        dtd.append(
                "]><Observation xmlns=\"http://hl7.org/fhir\"><status value=\"final\"/><code><text value=\"&l10;\"/></code></Observation>");
        return dtd.toString();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
