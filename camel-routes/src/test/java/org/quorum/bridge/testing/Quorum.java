package org.quorum.bridge.testing;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.SummaryEnum;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.quorum.bridge.auth.ClientKeys;
import org.quorum.bridge.ingest.IngestService;

/**
 * A real Quorum for the bridge's tests: the packaged server jar ({@code -Dquorum.server.jar}) run
 * as a process on a free loopback port with a temporary data directory; one per test JVM. The
 * bridge reaches it as a SMART backend-services client registered with {@code quorum client add …
 * --role integration}; the tests read what it stored with a project-admin token.
 */
public final class Quorum {

    private static Quorum shared;

    private final JavaProcess process;
    private final Path dataDir;
    private final Path jar;
    private final int port;
    private final Path clientKey;
    private final String adminToken;
    private final FhirContext fhir = FhirContext.forR4Cached();

    /** The bridge's client id at this Quorum. */
    public static final String CLIENT_ID = "bridge-it";

    /** A Quorum of its own (the benchmark's second server); stop it with {@link #stop()}. */
    public static Quorum startNew() throws IOException, InterruptedException {
        return new Quorum();
    }

    public void stop() {
        process.close();
    }

    public static synchronized Quorum shared() {
        if (shared == null) {
            try {
                shared = new Quorum();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared.process::close, "quorum-stop"));
        }
        return shared;
    }

    private Quorum() throws IOException, InterruptedException {
        jar =
                JavaProcess.jar(
                        "quorum.server.jar", "build the server first (mvn -pl server -am package)");
        dataDir = Files.createTempDirectory("quorum-bridge-it-");
        port = JavaProcess.freePort();
        Map<String, String> env = env();
        process = JavaProcess.start(jar, "-Xmx1g", env, "serve");
        process.awaitLine("Quorum is ready", Duration.ofMinutes(3));
        Path keys = Files.createTempDirectory("quorum-bridge-keys-");
        clientKey = keys.resolve("bridge.jwks.json");
        Path publicKey = keys.resolve("bridge.public.jwks.json");
        ClientKeys.create(clientKey, publicKey);
        cli(
                "client",
                "add",
                CLIENT_ID,
                "--jwks-file",
                publicKey.toString(),
                "--scope",
                "system/*.crus",
                "--role",
                "integration");
        cli("user", "add", "it-admin", "--role", "project-admin");
        adminToken = cli("user", "token", "it-admin").lastLine();
    }

    private Map<String, String> env() {
        return Map.of(
                "QUORUM_DATA_DIR", dataDir.toString(),
                "QUORUM_HTTP_PORT", Integer.toString(port),
                "QUORUM_HTTP_HOST", "127.0.0.1");
    }

    private JavaProcess.Result cli(String... args) throws InterruptedException {
        JavaProcess.Result result = JavaProcess.run(jar, env(), args);
        if (result.status() != 0) {
            throw new AssertionError(
                    "quorum "
                            + String.join(" ", args)
                            + " exited "
                            + result.status()
                            + ":\n"
                            + result.output());
        }
        return result;
    }

    public String fhirBase() {
        return "http://127.0.0.1:" + port + "/fhir";
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The bridge's private client key (JWK set). */
    public Path clientKey() {
        return clientKey;
    }

    /** A FHIR client with a project admin's token. */
    public IGenericClient admin() {
        fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        fhir.getRestfulClientFactory().setSocketTimeout(120_000);
        IGenericClient client = fhir.newRestfulGenericClient(fhirBase());
        client.registerInterceptor(new BearerTokenAuthInterceptor(adminToken));
        return client;
    }

    /** How many resources of a type carry the project's tag. */
    public int count(String type, String project) {
        Bundle bundle =
                admin().search()
                        .byUrl(type + "?_tag=" + IngestService.PROJECT_TAG_SYSTEM + "%7C" + project)
                        .summaryMode(SummaryEnum.COUNT)
                        .returnBundle(Bundle.class)
                        .execute();
        return bundle.getTotal();
    }

    /** Every resource of a type with the project's tag. */
    public List<Resource> all(String type, String project) {
        List<Resource> found = new ArrayList<>();
        Bundle page =
                admin().search()
                        .byUrl(
                                type
                                        + "?_tag="
                                        + IngestService.PROJECT_TAG_SYSTEM
                                        + "%7C"
                                        + project
                                        + "&_count=500")
                        .returnBundle(Bundle.class)
                        .execute();
        while (true) {
            page.getEntry().forEach(e -> found.add(e.getResource()));
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                return found;
            }
            page = admin().loadPage().next(page).execute();
        }
    }

    /**
     * Waits until {@code count(type, project)} reaches {@code expected}; returns the last count.
     */
    public int awaitCount(String type, String project, int expected, Duration deadline)
            throws InterruptedException {
        Instant end = Instant.now().plus(deadline);
        int last = -1;
        while (Instant.now().isBefore(end)) {
            last = count(type, project);
            if (last >= expected) {
                return last;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L); // poll twice a second
        }
        return last;
    }

    /** A DICOMweb GET at Quorum's {@code /dicomweb} with the admin token (QIDO-RS answers). */
    public HttpResponse<String> dicomWeb(String pathAndQuery)
            throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(baseUrl() + "/dicomweb" + pathAndQuery))
                                .header("Authorization", "Bearer " + adminToken)
                                .header("Accept", "application/dicom+json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** Plain GET with the admin token (status code and body). */
    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(fhirBase() + pathAndQuery))
                                .header("Authorization", "Bearer " + adminToken)
                                .header("Accept", "application/fhir+json")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
