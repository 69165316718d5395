package org.quorum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.security.Role;
import org.quorum.testing.DicomFiles;
import org.quorum.testing.Http;
import org.quorum.testing.QuorumCluster;
import org.quorum.testing.RetryingWriters;
import org.quorum.workflow.WorkflowFixture;

/**
 * Two Quorum nodes on one PostgreSQL and one shared DICOM directory, behind HAProxy (issue 18):
 * state is shared (tokens, labels, DICOM duplicate detection), and faults are survived: PostgreSQL
 * restarted under load, then one node killed with {@code kill -9} under load. The nodes start once
 * for the whole class (a node takes 30-60 s to start on two cores); the fault tests run last, the
 * kill last of all.
 *
 * <p>The figures of the fault tests (requests sent, errors seen by clients, lost, duplicated) are
 * printed and written to {@code target/cluster-figures.txt}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static QuorumCluster cluster;
    private static String admin;
    private static String patient;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        cluster = QuorumCluster.start(2);
        admin = cluster.adminToken();
        HttpResponse<String> created =
                new Http(cluster.proxy(), admin)
                        .postFhir(
                                "/fhir/Patient",
                                "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
                                        + "\"urn:quorum:test:cluster\",\"value\":\""
                                        + RUN
                                        + "\"}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        patient = "Patient/" + JSON.readTree(created.body()).path("id").asText();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Http on(int node, String token) {
        return new Http(cluster.node(node), token);
    }

    @Test
    @Order(1)
    void a_token_from_one_node_works_on_the_other_and_its_assertion_is_used_once()
            throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_384).keyID("cluster-" + RUN).generate();
        Path jwks = Files.createTempFile("cluster-client", ".jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        String clientId = "ingest-" + RUN;
        // Registered through node 1's host, against the shared database.
        cluster.cli(
                1,
                "client",
                "add",
                clientId,
                "--jwks-file",
                jwks.toString(),
                "--scope",
                "system/Patient.rs",
                "--role",
                "integration");
        String tokenEndpoint = cluster.proxy() + "/auth/token";
        String form =
                "grant_type=client_credentials&scope=system%2FPatient.rs"
                        + "&client_assertion_type="
                        + URLEncoder.encode(
                                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                                StandardCharsets.UTF_8)
                        + "&client_assertion="
                        + assertion(key, clientId, tokenEndpoint);

        HttpResponse<String> issued =
                on(0, null).send("POST", "/auth/token", "application/x-www-form-urlencoded", form);
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
        String token = JSON.readTree(issued.body()).path("access_token").asText();

        HttpResponse<String> read = on(1, token).get("/fhir/Patient?_count=1");
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        HttpResponse<String> replayed =
                on(1, null).send("POST", "/auth/token", "application/x-www-form-urlencoded", form);
        assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(401);
        assertThat(replayed.body()).contains("already used");
        // The CLI's token (signed with the key in the database) works on every node.
        assertThat(on(0, admin).get("/fhir/Patient?_count=1").statusCode()).isEqualTo(200);
        assertThat(on(1, admin).get("/fhir/Patient?_count=1").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void a_label_written_on_one_node_is_found_on_the_other_at_once() throws Exception {
        String identifier = "label-" + RUN;
        HttpResponse<String> written =
                on(0, admin)
                        .postFhir(
                                "/fhir/Observation",
                                """
                                {"resourceType":"Observation","status":"preliminary",
                                 "identifier":[{"system":"urn:quorum:test:cluster","value":"%s"}],
                                 "code":{"coding":[{"system":"urn:quorum:test","code":"finding"}]},
                                 "subject":{"reference":"%s"},"valueBoolean":true}"""
                                        .formatted(identifier, patient));
        assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
        String id = JSON.readTree(written.body()).path("id").asText();

        HttpResponse<String> read = on(1, admin).get("/fhir/Observation/" + id);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        HttpResponse<String> found =
                on(1, admin)
                        .get(
                                "/fhir/Observation?identifier=urn:quorum:test:cluster%7C"
                                        + identifier,
                                "application/fhir+json");
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(found.body()).path("total").asInt()).isEqualTo(1);
    }

    @Test
    @Order(3)
    void the_same_study_stored_on_both_nodes_at_once_is_stored_once() throws Exception {
        int studies = 4;
        List<String> studyUids = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        for (int s = 0; s < studies; s++) {
            String study = DicomFiles.newUid();
            String series = DicomFiles.newUid();
            List<byte[]> files = new ArrayList<>();
            for (String slice : List.of("01", "02", "03")) {
                files.add(
                        DicomFiles.copy(
                                "dcmqi/ct-3slice/" + slice + ".dcm",
                                Map.of(
                                        "StudyInstanceUID",
                                        study,
                                        "SeriesInstanceUID",
                                        series,
                                        "SOPInstanceUID",
                                        DicomFiles.newUid(),
                                        "PatientID",
                                        "CLUSTER-" + RUN)));
            }
            studyUids.add(study);
            bodies.add(DicomFiles.multipart("cluster" + s, files.toArray(byte[][]::new)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2 * studies);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int s = 0; s < studies; s++) {
                for (int node = 0; node < 2; node++) {
                    int study = s;
                    int target = node;
                    Callable<HttpResponse<String>> stow =
                            () -> {
                                start.await();
                                return on(target, admin)
                                        .post(
                                                "/dicomweb/studies",
                                                "multipart/related; type=\"application/dicom\";"
                                                        + " boundary=cluster"
                                                        + study,
                                                bodies.get(study));
                            };
                    answers.add(pool.submit(stow));
                }
            }
            start.countDown();
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }

        for (String study : studyUids) {
            HttpResponse<String> instances =
                    on(1, admin)
                            .get(
                                    "/dicomweb/studies/" + study + "/instances",
                                    "application/dicom+json");
            assertThat(instances.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(instances.body()).size()).isEqualTo(3);
            try (Stream<Path> files = Files.walk(cluster.sharedDicomDirectory().resolve(study))) {
                assertThat(files.filter(f -> f.toString().endsWith(".dcm")).count())
                        .as("files of study %s in the shared directory", study)
                        .isEqualTo(3);
            }
            HttpResponse<String> mirror =
                    on(0, admin)
                            .get(
                                    "/fhir/ImagingStudy?identifier=urn:dicom:uid%7Curn:oid:"
                                            + study,
                                    "application/fhir+json");
            JsonNode bundle = JSON.readTree(mirror.body());
            assertThat(bundle.path("total").asInt()).as(mirror.body()).isEqualTo(1);
            assertThat(
                            bundle.path("entry")
                                    .get(0)
                                    .path("resource")
                                    .path("numberOfInstances")
                                    .asInt())
                    .isEqualTo(3);
        }
    }

    @Test
    @Order(4)
    void next_case_claims_sent_to_both_nodes_at_once_never_collide() throws Exception {
        int cases = 6;
        WorkflowFixture fx = new WorkflowFixture(cluster.endpoint());
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            sources.add(fx.note());
        }
        fx.study(
                sources,
                Map.<String, org.hl7.fhir.r4.model.Type>of(
                        "annotatorsPerCase", new PositiveIntType(2),
                        "maxOpenPerAnnotator", new PositiveIntType(cases)));
        List<String> names = List.of("C0", "C1", "C2", "C3");
        for (String name : names) {
            fx.member(name + "-" + RUN, "annotator", Role.ANNOTATOR);
        }
        HttpResponse<String> opened =
                fx.post(fx.server.http(), "/fhir/" + fx.project + "/$open-cases", new Parameters());
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);

        // Each annotator asks three times at once, alternately on node 0 and node 1: 12 requests
        // for 12 slots, half of them decided by each node against the one database.
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<HttpResponse<String>> responses = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            int sent = 0;
            for (int round = 0; round < 3; round++) {
                for (String name : names) {
                    Http node = on(sent++ % 2, fx.tokenOf(name + "-" + RUN));
                    futures.add(
                            pool.submit(
                                    () -> {
                                        start.await();
                                        return fx.post(
                                                node,
                                                "/fhir/" + fx.project + "/$next-case",
                                                new Parameters());
                                    }));
                }
            }
            start.countDown();
            for (Future<HttpResponse<String>> future : futures) {
                responses.add(future.get(3, java.util.concurrent.TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
        java.util.Set<String> handedOut = new java.util.HashSet<>();
        for (HttpResponse<String> response : responses) {
            assertThat(response.statusCode()).as(response.body()).isIn(200, 204);
            if (response.statusCode() == 200) {
                assertThat(handedOut.add(fx.task(response).getIdElement().getIdPart()))
                        .as("a task handed out twice")
                        .isTrue();
            }
        }
        // Whatever the races left open is filled by asking again, on either node.
        int turn = 0;
        for (String name : names) {
            while (fx.post(
                                    on(turn++ % 2, fx.tokenOf(name + "-" + RUN)),
                                    "/fhir/" + fx.project + "/$next-case",
                                    new Parameters())
                            .statusCode()
                    == 200) {
                // claim until nothing is left for this annotator
            }
        }

        List<Task> tasks =
                fx.all(
                        Task.class,
                        "project="
                                + fx.project
                                + "&code="
                                + QuorumProfiles.CS_REVIEW_TASK_TYPE
                                + "|annotate");
        assertThat(tasks).hasSize(cases * 2);
        Map<String, java.util.Set<String>> ownersByCase = new java.util.HashMap<>();
        for (Task task : tasks) {
            String caseTask = WorkflowFixture.ref(task.getPartOfFirstRep());
            assertThat(
                            ownersByCase
                                    .computeIfAbsent(caseTask, k -> new java.util.HashSet<>())
                                    .add(WorkflowFixture.ref(task.getOwner())))
                    .as(caseTask + " has the same annotator twice")
                    .isTrue();
        }
        assertThat(ownersByCase).hasSize(cases);
        assertThat(ownersByCase.values()).allSatisfy(o -> assertThat(o).hasSize(2));
        System.out.println(
                "CLUSTER FIGURES next-case on two nodes: 12 claims at once (6 per node), "
                        + handedOut.size()
                        + " answered with a task, none twice; "
                        + tasks.size()
                        + " annotate tasks for "
                        + cases * 2
                        + " slots after filling");
    }

    @Test
    @Order(10)
    void postgres_restarted_under_load_gives_503_while_away_and_recovers_without_restart()
            throws Exception {
        try (RetryingWriters writers =
                new RetryingWriters(
                        cluster.proxy(), admin, patient, "urn:quorum:test:pg-restart:" + RUN, 4)) {
            writers.awaitAcknowledged(30, Duration.ofMinutes(3));

            cluster.postgres().stop();
            for (int node = 0; node < 2; node++) {
                HttpResponse<String> health = awaitStatus(cluster.node(node), "/health", 503);
                assertThat(health.body()).contains("\"status\":\"DOWN\"").contains("database");
            }
            HttpResponse<String> fhir =
                    on(0, admin)
                            .get("/fhir/Observation?subject=" + patient, "application/fhir+json");
            assertThat(fhir.statusCode()).as(fhir.body()).isEqualTo(503);
            assertThat(fhir.headers().firstValue("Retry-After")).isPresent();
            assertThat(fhir.body()).contains("database").doesNotContain("at org.", "Exception");
            HttpResponse<String> dicom =
                    on(1, admin).get("/dicomweb/studies", "application/dicom+json");
            assertThat(dicom.statusCode()).as(dicom.body()).isEqualTo(503);
            HttpResponse<String> viaProxy =
                    new Http(cluster.proxy(), admin)
                            .get("/fhir/Observation?subject=" + patient, "application/fhir+json");
            assertThat(viaProxy.statusCode()).isEqualTo(503);
            int acknowledgedWhileAway = writers.acknowledgedSoFar();

            cluster.postgres().startServer();
            for (int node = 0; node < 2; node++) {
                QuorumCluster.awaitReady(cluster.node(node), Duration.ofMinutes(2));
            }
            writers.awaitAcknowledged(acknowledgedWhileAway + 30, Duration.ofMinutes(3));
            RetryingWriters.Tally tally = writers.stop();
            RetryingWriters.Outcome outcome = writers.verify(cluster.node(1));

            report("PostgreSQL restarted under load", tally, outcome);
            assertThat(outcome.lost()).as("acknowledged labels lost").isZero();
            assertThat(outcome.duplicated()).as("labels stored twice").isZero();
            assertThat(tally.errorStatuses()).doesNotContainKey(500);
            assertThat(tally.abandoned()).isZero();
        }
    }

    @Test
    @Order(20)
    void killing_one_node_under_load_loses_and_duplicates_nothing() throws Exception {
        try (RetryingWriters writers =
                new RetryingWriters(
                        cluster.proxy(), admin, patient, "urn:quorum:test:kill:" + RUN, 4)) {
            writers.awaitAcknowledged(30, Duration.ofMinutes(3));
            List<String> stowed = new ArrayList<>();

            cluster.process(0).kill();
            int atKill = writers.acknowledgedSoFar();
            // DICOM through the balancer while the dead node is being taken out of rotation.
            for (int i = 0; i < 5; i++) {
                String sop = DicomFiles.newUid();
                byte[] body =
                        DicomFiles.multipart(
                                "kill" + i,
                                DicomFiles.copy(
                                        "pydicom/CT_small.dcm",
                                        Map.of(
                                                "StudyInstanceUID", DicomFiles.newUid(),
                                                "SeriesInstanceUID", DicomFiles.newUid(),
                                                "SOPInstanceUID", sop)));
                stowUntilAcknowledged(body, "kill" + i);
                stowed.add(sop);
            }
            writers.awaitAcknowledged(atKill + 60, Duration.ofMinutes(3));
            RetryingWriters.Tally tally = writers.stop();
            RetryingWriters.Outcome outcome = writers.verify(cluster.node(1));

            report("kill -9 of node 0 under load", tally, outcome);
            assertThat(outcome.lost()).as("acknowledged labels lost").isZero();
            assertThat(outcome.duplicated()).as("labels stored twice").isZero();
            assertThat(tally.errorStatuses()).doesNotContainKey(500);
            assertThat(tally.abandoned()).isZero();
            for (String sop : stowed) {
                HttpResponse<String> found =
                        on(1, admin)
                                .get(
                                        "/dicomweb/instances?SOPInstanceUID=" + sop,
                                        "application/dicom+json");
                assertThat(found.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(found.body()).size()).isEqualTo(1);
            }
        }
    }

    private static void stowUntilAcknowledged(byte[] body, String boundary) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (true) {
            try {
                HttpResponse<String> response =
                        new Http(cluster.proxy(), admin)
                                .post(
                                        "/dicomweb/studies",
                                        "multipart/related; type=\"application/dicom\"; boundary="
                                                + boundary,
                                        body);
                if (response.statusCode() == 200) {
                    return;
                }
                assertThat(response.statusCode()).as(response.body()).isIn(502, 503, 504);
            } catch (java.io.UncheckedIOException connectionCut) {
                // Retried, as the label writers do.
            }
            assertThat(Instant.now()).as("STOW acknowledged in time").isBefore(deadline);
            QuorumCluster.pollPause(Duration.ofMillis(200));
        }
    }

    private static HttpResponse<String> awaitStatus(URI base, String path, int status) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        HttpResponse<String> last = null;
        while (Instant.now().isBefore(deadline)) {
            last = new Http(base).get(path);
            if (last.statusCode() == status) {
                return last;
            }
            QuorumCluster.pollPause(Duration.ofMillis(200));
        }
        throw new AssertionError(
                base
                        + path
                        + " did not answer "
                        + status
                        + "; last: "
                        + (last == null ? "none" : last.statusCode() + " " + last.body()));
    }

    private static void report(
            String fault, RetryingWriters.Tally tally, RetryingWriters.Outcome outcome)
            throws java.io.IOException {
        String line =
                fault
                        + ": "
                        + tally
                        + "; labels stored "
                        + outcome.stored()
                        + ", lost "
                        + outcome.lost()
                        + ", duplicated "
                        + outcome.duplicated();
        System.out.println("CLUSTER FIGURES " + line);
        Files.writeString(
                Path.of("target", "cluster-figures.txt"),
                Instant.now() + " " + line + "\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    private static String assertion(ECKey key, String clientId, String audience) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt =
                new SignedJWT(
                        new JWSHeader.Builder(JWSAlgorithm.ES384)
                                .keyID(key.getKeyID())
                                .type(JOSEObjectType.JWT)
                                .build(),
                        new JWTClaimsSet.Builder()
                                .issuer(clientId)
                                .subject(clientId)
                                .audience(audience)
                                .expirationTime(Date.from(now.plusSeconds(240)))
                                .issueTime(Date.from(now))
                                .jwtID(UUID.randomUUID().toString())
                                .build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }
}
