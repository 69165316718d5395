package org.quorum.bridge.ehr;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quorum.bridge.BridgeApp;
import org.quorum.bridge.store.Crosswalk;
import org.quorum.bridge.store.DeadLetterStore;
import org.quorum.bridge.testing.BridgeConfig;
import org.quorum.bridge.testing.Ehr;
import org.quorum.bridge.testing.PhiCheck;
import org.quorum.bridge.testing.Quorum;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.IdentifierKind;

/**
 * The FHIR pull against a real EHR (HAPI server with the Synthea sample, paging at 10) and a real
 * Quorum, with WireMock in front of each for the faults a real server does not make on demand.
 */
class EhrPullIT {

    /** 63 notes: seven pages of ten. */
    static final String PATIENT = "ca15b832-01e4-41dd-6a52-97bd3e5510cb";

    /** 15 notes: two pages. */
    static final String SMALL_PATIENT = "cbc86e51-9eca-3855-76ec-c058f72c5761";

    private final Ehr ehr = Ehr.shared();
    private final Quorum quorum = Quorum.shared();
    private WireMockServer ehrProxy;
    private WireMockServer quorumProxy;

    @BeforeEach
    void proxies() {
        ehrProxy = proxyTo("http://127.0.0.1:" + ehr.port());
        quorumProxy = proxyTo(quorum.baseUrl().toString());
    }

    @AfterEach
    void stopProxies() {
        ehrProxy.stop();
        quorumProxy.stop();
    }

    private static WireMockServer proxyTo(String target) {
        WireMockServer server =
                new WireMockServer(
                        WireMockConfiguration.options()
                                .port(0)
                                .bindAddress("127.0.0.1")
                                // the EHR builds its next links from the Host it was called with
                                .preserveHostHeader(true)
                                .extensions(new WrongTotal()));
        server.start();
        server.stubFor(
                any(anyUrl())
                        .atPriority(10)
                        .willReturn(
                                aResponse()
                                        .proxiedFrom(target)
                                        .withRemoveRequestHeader("Accept-Encoding")));
        return server;
    }

    private List<DocumentReference> notesOf(String patient) {
        return ehr.all("DocumentReference").stream()
                .map(DocumentReference.class::cast)
                .filter(d -> d.getSubject().getReference().endsWith("/" + patient))
                .toList();
    }

    @Test
    void
            backfill_through_faults_delivers_every_note_once_de_identified_then_new_notes_within_a_poll()
                    throws Exception {
        String project = "faults";
        List<DocumentReference> notes = notesOf(PATIENT);
        assertThat(notes).hasSize(63);
        String search = "/fhir/DocumentReference";
        // EHR faults, each once, on the first poll's pages (paging at 10)
        ehrProxy.stubFor(
                get(urlPathEqualTo(search))
                        .inScenario("429")
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willSetStateTo("done")
                        .atPriority(1)
                        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
        ehrProxy.stubFor(
                get(urlPathEqualTo(search))
                        .inScenario("429")
                        .whenScenarioStateIs("done")
                        .atPriority(2)
                        .willReturn(
                                aResponse()
                                        .proxiedFrom("http://127.0.0.1:" + ehr.port())
                                        .withRemoveRequestHeader("Accept-Encoding")
                                        .withTransformers(WrongTotal.NAME)));
        once(ehrProxy, "503", "10", aResponse().withStatus(503).withHeader("Retry-After", "1"));
        once(
                ehrProxy,
                "malformed",
                "20",
                aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/fhir+json")
                        .withBody(
                                "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{"));
        // slower than the read time-out (2 s): the client gives up before the body comes
        once(
                ehrProxy,
                "slow",
                "30",
                aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/fhir+json")
                        .withBody("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"}")
                        .withFixedDelay(3000));
        // the next link of page 5 fails for every attempt of the first poll: the poll ends there
        for (int attempt = 0; attempt < 4; attempt++) {
            ehrProxy.stubFor(
                    get(urlPathEqualTo("/fhir"))
                            .withQueryParam("_getpagesoffset", equalTo("40"))
                            .inScenario("next-link")
                            .whenScenarioStateIs(
                                    attempt == 0 ? Scenario.STARTED : "failed-" + attempt)
                            .willSetStateTo("failed-" + (attempt + 1))
                            .atPriority(1)
                            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        }
        // Quorum faults: the first transaction gets 503, the second 429
        quorumProxy.stubFor(
                post(urlPathEqualTo("/fhir"))
                        .inScenario("quorum")
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willSetStateTo("429")
                        .atPriority(1)
                        .willReturn(aResponse().withStatus(503)));
        quorumProxy.stubFor(
                post(urlPathEqualTo("/fhir"))
                        .inScenario("quorum")
                        .whenScenarioStateIs("429")
                        .willSetStateTo("healthy")
                        .atPriority(1)
                        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));

        BridgeConfig config =
                BridgeConfig.forProject(project, quorum)
                        .set("QUORUM_BRIDGE_QUORUM_URL", quorumProxy.baseUrl() + "/fhir")
                        .set("QUORUM_BRIDGE_EHR_URL", ehrProxy.baseUrl() + "/fhir")
                        .set("QUORUM_BRIDGE_EHR_QUERIES", "DocumentReference?patient=" + PATIENT)
                        .set("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "1s")
                        .set("QUORUM_BRIDGE_EHR_READ_TIMEOUT", "2s")
                        .set("QUORUM_BRIDGE_EHR_PAGE_SIZE", "10");
        DefaultCamelContext camel = new DefaultCamelContext();
        NotifyBuilder twoPolls =
                new NotifyBuilder(camel).fromRoute("ehr-1").whenCompleted(2).create();
        try (BridgeApp bridge =
                BridgeApp.start(config.settings(), java.time.Clock.systemUTC(), camel)) {
            assertThat(twoPolls.matches(3, TimeUnit.MINUTES)).as("two polls completed").isTrue();
            assertThat(quorum.awaitCount("DocumentReference", project, 63, Duration.ofMinutes(2)))
                    .isEqualTo(63);

            // every fault happened and was survived
            ehrProxy.verify(
                    5,
                    getRequestedFor(urlPathEqualTo("/fhir"))
                            .withQueryParam("_getpagesoffset", equalTo("40")));
            ehrProxy.verify(
                    2,
                    getRequestedFor(urlPathEqualTo("/fhir"))
                            .withQueryParam("_getpagesoffset", equalTo("30")));
            // Retry-After: 1 was waited for, at the EHR and at Quorum
            assertThat(gapAfterFirst(ehrProxy, search))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(950));
            assertThat(gapAfterFirst(ehrProxy, "/fhir", "_getpagesoffset", "10"))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(950));
            assertThat(gapBetweenPosts(quorumProxy, 1))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(950));
            assertThat(ehrProxy.getAllScenarios().getScenarios())
                    .allSatisfy(s -> assertThat(s.getState()).isNotEqualTo(Scenario.STARTED));
            assertThat(quorumProxy.getAllScenarios().getScenarios().get(0).getState())
                    .isEqualTo("healthy");

            // exactly once: one version of each note, and the records they reference
            List<Resource> stored = quorum.all("DocumentReference", project);
            assertThat(stored).hasSize(63);
            assertThat(stored)
                    .allSatisfy(r -> assertThat(r.getMeta().getVersionId()).isEqualTo("1"));
            Set<String> encounters =
                    notes.stream()
                            .map(n -> n.getContext().getEncounterFirstRep().getReference())
                            .collect(Collectors.toSet());
            assertThat(quorum.count("Encounter", project)).isEqualTo(encounters.size());
            assertThat(quorum.count("Patient", project)).isEqualTo(1);
            assertThat(quorum.count("Provenance", project))
                    .isEqualTo(
                            63
                                    + encounters.size()
                                    + 1
                                    + quorum.count("Practitioner", project)
                                    + quorum.count("Organization", project)
                                    + quorum.count("Location", project)
                                    + quorum.count("PractitionerRole", project));

            // ids are the keyed pseudonyms, and the crosswalk knows the originals
            DeidKeyService keys = DeidKeyService.fromEnvironmentValue(config.secret());
            DocumentReference first = notes.get(0);
            String pseudonym =
                    keys.pseudonym(
                            IdentifierKind.OTHER_ID,
                            "DocumentReference/" + first.getIdElement().getIdPart());
            assertThat(stored).extracting(r -> r.getIdElement().getIdPart()).contains(pseudonym);
            assertThat(
                            bridge.crosswalk()
                                    .originalsOf(
                                            Crosswalk.Kind.RESOURCE,
                                            "DocumentReference/" + pseudonym))
                    .extracting(Crosswalk.Entry::original)
                    .containsExactly("DocumentReference/" + first.getIdElement().getIdPart());

            // no PHI of the patient anywhere in what Quorum stores for the project
            Patient patient = (Patient) ehr.get("Patient/" + PATIENT);
            Set<String> identifying = PhiCheck.identifyingValues(patient);
            List<Resource> everything = new java.util.ArrayList<>();
            for (String type :
                    List.of(
                            "DocumentReference",
                            "Patient",
                            "Encounter",
                            "Practitioner",
                            "Organization",
                            "Location",
                            "Provenance")) {
                everything.addAll(quorum.all(type, project));
            }
            assertThat(PhiCheck.leaks(ehr.fhirContext(), everything, identifying)).isEmpty();
            assertThat(stored.get(0))
                    .isInstanceOfSatisfying(
                            DocumentReference.class,
                            d ->
                                    assertThat(d.getContentFirstRep().getAttachment().getData())
                                            .isNotEmpty());

            // metrics: delivered per route, retries, breaker closed again
            HttpResponse<String> metrics = httpGet(bridge.opsUrl().resolve("/metrics"));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("quorum_bridge_delivered_records_total{route=\"ehr-1\"} 63.0")
                    .contains("quorum_bridge_lag_seconds{route=\"ehr-1\"}")
                    .containsPattern("quorum_bridge_retries_total\\{endpoint=\"ehr\"\\} [1-9]")
                    .containsPattern("quorum_bridge_retries_total\\{endpoint=\"quorum\"\\} [1-9]");
            HttpResponse<String> health = httpGet(bridge.opsUrl().resolve("/health"));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");

            // a new note in the EHR arrives within one poll, its text scrubbed
            String name =
                    patient.getNameFirstRep().getGivenAsSingleString()
                            + " "
                            + patient.getNameFirstRep().getFamily();
            DocumentReference added = notes.get(0).copy();
            added.setId((String) null);
            added.getContentFirstRep()
                    .setAttachment(
                            new Attachment()
                                    .setContentType("text/plain; charset=utf-8")
                                    .setData(
                                            ("Follow-up call with "
                                                            + name
                                                            + " about the cough; doing well.")
                                                    .getBytes(StandardCharsets.UTF_8)));
            added.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
            Instant written = Instant.now();
            Resource created = ehr.write(added);
            assertThat(quorum.awaitCount("DocumentReference", project, 64, Duration.ofSeconds(20)))
                    .isEqualTo(64);
            assertThat(Duration.between(written, Instant.now())).isLessThan(Duration.ofSeconds(15));
            String newId =
                    keys.pseudonym(
                            IdentifierKind.OTHER_ID,
                            "DocumentReference/" + created.getIdElement().getIdPart());
            DocumentReference arrived =
                    quorum.admin().read().resource(DocumentReference.class).withId(newId).execute();
            String text =
                    new String(
                            arrived.getContentFirstRep().getAttachment().getData(),
                            StandardCharsets.UTF_8);
            assertThat(text)
                    .contains("about the cough")
                    .doesNotContain(patient.getNameFirstRep().getFamily());
        }

        // a second run over the same data directory delivers nothing new
        DefaultCamelContext again = new DefaultCamelContext();
        NotifyBuilder onePoll =
                new NotifyBuilder(again).fromRoute("ehr-1").whenCompleted(1).create();
        try (BridgeApp bridge =
                BridgeApp.start(config.settings(), java.time.Clock.systemUTC(), again)) {
            assertThat(onePoll.matches(1, TimeUnit.MINUTES)).isTrue();
            assertThat(quorum.count("DocumentReference", project)).isEqualTo(64);
            assertThat(quorum.all("DocumentReference", project))
                    .allSatisfy(r -> assertThat(r.getMeta().getVersionId()).isEqualTo("1"));
            assertThat(httpGet(bridge.opsUrl().resolve("/metrics")).body())
                    .contains("quorum_bridge_delivered_records_total{route=\"ehr-1\"} 0.0");
        }
    }

    @Test
    void a_record_quorum_refuses_is_parked_and_delivered_when_retried_on_request()
            throws Exception {
        String project = "poison";
        List<DocumentReference> notes = notesOf(SMALL_PATIENT);
        BridgeConfig config =
                BridgeConfig.forProject(project, quorum)
                        .set("QUORUM_BRIDGE_QUORUM_URL", quorumProxy.baseUrl() + "/fhir")
                        .set("QUORUM_BRIDGE_EHR_URL", ehr.fhirBase())
                        .set(
                                "QUORUM_BRIDGE_EHR_QUERIES",
                                "DocumentReference?patient=" + SMALL_PATIENT)
                        .set("QUORUM_BRIDGE_EHR_POLL_INTERVAL", "1s");
        DeidKeyService keys = DeidKeyService.fromEnvironmentValue(config.secret());
        String poison =
                keys.pseudonym(
                        IdentifierKind.OTHER_ID,
                        "DocumentReference/" + notes.get(3).getIdElement().getIdPart());
        StubMapping refuse =
                quorumProxy.stubFor(
                        post(urlPathEqualTo("/fhir"))
                                .withRequestBody(containing(poison))
                                .atPriority(1)
                                .willReturn(
                                        aResponse()
                                                .withStatus(422)
                                                .withHeader("Content-Type", "application/fhir+json")
                                                .withBody(
                                                        "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"processing\",\"diagnostics\":\"refused by the test\"}]}")));
        try (BridgeApp bridge = BridgeApp.start(config.settings())) {
            assertThat(
                            quorum.awaitCount(
                                    "DocumentReference",
                                    project,
                                    notes.size() - 1,
                                    Duration.ofMinutes(2)))
                    .isEqualTo(notes.size() - 1);
            List<DeadLetterStore.DeadLetter> letters = awaitDeadLetters(bridge, 1);
            assertThat(letters)
                    .singleElement()
                    .satisfies(
                            letter -> {
                                assertThat(letter.route()).isEqualTo("ehr-1");
                                assertThat(letter.sourceKey())
                                        .startsWith(
                                                "DocumentReference/"
                                                        + notes.get(3).getIdElement().getIdPart()
                                                        + "/_history/");
                                assertThat(letter.reason()).contains("422");
                                assertThat(letter.payloadKind())
                                        .isEqualTo(DeadLetterStore.PayloadKind.FHIR_RECORD);
                            });
            // the payload is encrypted at rest: no note text in the database file
            String noteText =
                    new String(
                            notes.get(3).getContentFirstRep().getAttachment().getData(),
                            StandardCharsets.UTF_8);
            String probe = noteText.strip().split("\\R")[0];
            byte[] database =
                    Files.readAllBytes(config.dataDir().resolve("db").resolve("bridge.mv.db"));
            assertThat(new String(database, StandardCharsets.ISO_8859_1)).doesNotContain(probe);

            // the operator fixes the cause and asks for a retry through the admin API
            quorumProxy.removeStub(refuse);
            String token =
                    Files.readString(config.dataDir().resolve(BridgeApp.ADMIN_TOKEN_FILE)).strip();
            HttpResponse<String> unauthorised =
                    send(
                            HttpRequest.newBuilder(
                                            bridge.opsUrl()
                                                    .resolve(
                                                            "/admin/dead-letters/"
                                                                    + letters.get(0).id()
                                                                    + "/retry"))
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build());
            assertThat(unauthorised.statusCode()).isEqualTo(401);
            HttpResponse<String> retry =
                    send(
                            HttpRequest.newBuilder(
                                            bridge.opsUrl()
                                                    .resolve(
                                                            "/admin/dead-letters/"
                                                                    + letters.get(0).id()
                                                                    + "/retry"))
                                    .header("Authorization", "Bearer " + token)
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build());
            assertThat(retry.statusCode()).isEqualTo(200);
            assertThat(
                            quorum.awaitCount(
                                    "DocumentReference",
                                    project,
                                    notes.size(),
                                    Duration.ofMinutes(1)))
                    .isEqualTo(notes.size());
            awaitDeadLetters(bridge, 0);
        }
        quorumProxy.verify(
                postRequestedFor(urlPathEqualTo("/fhir")).withRequestBody(containing(poison)));
    }

    private static List<DeadLetterStore.DeadLetter> awaitDeadLetters(
            BridgeApp bridge, int expected) {
        Instant end = Instant.now().plusSeconds(60);
        List<DeadLetterStore.DeadLetter> letters = bridge.deadLetters().list();
        while (letters.size() != expected && Instant.now().isBefore(end)) {
            java.util.concurrent.locks.LockSupport.parkNanos(
                    200_000_000L); // poll five times a second
            letters = bridge.deadLetters().list();
        }
        assertThat(letters).hasSize(expected);
        return letters;
    }

    /** Time between the first and the second request to a path (and query value, if given). */
    private static Duration gapAfterFirst(WireMockServer server, String path, String... query) {
        List<Date> times =
                server.getAllServeEvents().stream()
                        .filter(e -> e.getRequest().getMethod().getName().equals("GET"))
                        .filter(e -> URI.create(e.getRequest().getUrl()).getPath().equals(path))
                        .filter(
                                e ->
                                        query.length == 0
                                                || e.getRequest()
                                                        .queryParameter(query[0])
                                                        .containsValue(query[1]))
                        .map(e -> e.getRequest().getLoggedDate())
                        .sorted()
                        .toList();
        assertThat(times).hasSizeGreaterThanOrEqualTo(2);
        return Duration.between(times.get(0).toInstant(), times.get(1).toInstant());
    }

    /** Time between the {@code n}-th and the next transaction posted to Quorum (n from 0). */
    private static Duration gapBetweenPosts(WireMockServer server, int n) {
        List<Date> times =
                server.getAllServeEvents().stream()
                        .filter(e -> e.getRequest().getMethod().getName().equals("POST"))
                        .filter(e -> URI.create(e.getRequest().getUrl()).getPath().equals("/fhir"))
                        .map(e -> e.getRequest().getLoggedDate())
                        .sorted()
                        .toList();
        return Duration.between(times.get(n).toInstant(), times.get(n + 1).toInstant());
    }

    private static void once(
            WireMockServer server,
            String name,
            String offset,
            com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder response) {
        server.stubFor(
                get(urlPathEqualTo("/fhir"))
                        .withQueryParam("_getpagesoffset", equalTo(offset))
                        .inScenario(name)
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willSetStateTo("done")
                        .atPriority(1)
                        .willReturn(response));
    }

    private static HttpResponse<String> httpGet(URI uri) throws Exception {
        return send(HttpRequest.newBuilder(uri).GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unused")
    private static Reference ref(String value) {
        return new Reference(value);
    }

    @SuppressWarnings("unused")
    private static Date now() {
        return new Date();
    }
}
