package org.quorum.bridge.testing;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Sort;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.FifoMemoryPagingProvider;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.util.FhirTerser;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.quorum.deid.text.eval.TestData;

/**
 * The hospital's EHR in the tests: a real HAPI FHIR R4 server (plain {@link RestfulServer} on
 * Undertow, loopback, free port) with in-memory resource providers loaded from {@code
 * testdata/synthea-10pt}, paging at 10 entries. It supports what a FHIR pull needs: read, {@code
 * _id}, {@code identifier}, {@code patient}/{@code subject}, {@code type}, {@code category}, {@code
 * _lastUpdated} and {@code _sort=_lastUpdated}, create and update (to add a note while the bridge
 * runs). Loaded resources get distinct {@code lastUpdated} instants in load order, as if written
 * one second apart from 2024-01-01.
 */
public final class Ehr implements AutoCloseable {

    /** When the loaded records were (as if) last updated: one a second from here. */
    public static final Instant LOADED_FROM = Instant.parse("2024-01-01T00:00:00Z");

    private static Ehr shared;

    private final Undertow undertow;
    private final int port;
    private final Map<String, Store> stores = new ConcurrentHashMap<>();
    private final FhirContext fhir = FhirContext.forR4Cached();

    /** One EHR per test JVM, loaded once. */
    public static synchronized Ehr shared() {
        if (shared == null) {
            shared = new Ehr();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "ehr-stop"));
        }
        return shared;
    }

    private Ehr() {
        load();
        RestfulServer server = restfulServer(false);
        RestfulServer secure = restfulServer(true);
        DeploymentInfo deployment =
                Servlets.deployment()
                        .setClassLoader(Ehr.class.getClassLoader())
                        .setContextPath("/")
                        .setDeploymentName("ehr")
                        .addServlet(
                                Servlets.servlet(
                                                "fhir",
                                                RestfulServer.class,
                                                new ImmediateInstanceFactory<>(server))
                                        .addMapping("/fhir/*")
                                        .setLoadOnStartup(1))
                        .addServlet(
                                Servlets.servlet(
                                                "secure",
                                                RestfulServer.class,
                                                new ImmediateInstanceFactory<>(secure))
                                        .addMapping("/secure/fhir/*")
                                        .setLoadOnStartup(1));
        DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
        manager.deploy();
        try {
            undertow =
                    Undertow.builder()
                            .addHttpListener(0, "127.0.0.1")
                            .setHandler(manager.start())
                            .build();
        } catch (ServletException e) {
            throw new IllegalStateException(e);
        }
        undertow.start();
        port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** The user, password and static token {@code /secure/fhir} accepts. */
    public static final String USER = "quorum-bridge";

    public static final String PASSWORD = "ehr-password-for-tests";
    public static final String TOKEN = "ehr-static-token-for-tests";

    /** The same data behind HTTP basic or a static bearer token (401 otherwise). */
    public String secureFhirBase() {
        return "http://127.0.0.1:" + port + "/secure/fhir";
    }

    private RestfulServer restfulServer(boolean secured) {
        RestfulServer server = new RestfulServer(fhir);
        if (secured) {
            server.registerInterceptor(new CredentialsCheck());
        }
        List<IResourceProvider> providers = new ArrayList<>();
        for (String type :
                List.of(
                        "Patient",
                        "Encounter",
                        "DocumentReference",
                        "Practitioner",
                        "PractitionerRole",
                        "Organization",
                        "Location",
                        "Condition",
                        "DiagnosticReport",
                        "Binary",
                        "Observation",
                        "Provenance")) {
            providers.add(new Provider(store(type)));
        }
        server.setResourceProviders(providers);
        FifoMemoryPagingProvider paging = new FifoMemoryPagingProvider(200);
        // paging at 10 (the tests); the benchmark asks for larger pages
        int pageSize = Integer.getInteger("quorum.ehr.pagesize", 10);
        paging.setDefaultPageSize(pageSize);
        paging.setMaximumPageSize(pageSize);
        server.setPagingProvider(paging);
        return server;
    }

    /** Refuses requests without the test credentials (basic or bearer), as an EHR gateway does. */
    @ca.uhn.fhir.interceptor.api.Interceptor
    public static final class CredentialsCheck {
        @ca.uhn.fhir.interceptor.api.Hook(
                ca.uhn.fhir.interceptor.api.Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
        public void check(ca.uhn.fhir.rest.api.server.RequestDetails request) {
            String header = request.getHeader("Authorization");
            String basic =
                    "Basic "
                            + java.util.Base64.getEncoder()
                                    .encodeToString(
                                            (USER + ":" + PASSWORD)
                                                    .getBytes(StandardCharsets.UTF_8));
            if (!basic.equals(header) && !("Bearer " + TOKEN).equals(header)) {
                throw new ca.uhn.fhir.rest.server.exceptions.AuthenticationException(
                        "credentials required");
            }
        }
    }

    private void load() {
        Path dir = TestData.resolve("synthea-10pt");
        IParser parser = fhir.newJsonParser();
        AtomicLong second = new AtomicLong();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file :
                    files.filter(f -> f.getFileName().toString().endsWith(".ndjson"))
                            .sorted()
                            .toList()) {
                String type = file.getFileName().toString().split("\\.")[0];
                if (type.equals("log")) {
                    continue;
                }
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    Resource resource = (Resource) parser.parseResource(line);
                    resource.getMeta()
                            .setVersionId("1")
                            .setLastUpdated(
                                    Date.from(LOADED_FROM.plusSeconds(second.getAndIncrement())));
                    store(type).put(resource);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String fhirBase() {
        return "http://127.0.0.1:" + port + "/fhir";
    }

    public int port() {
        return port;
    }

    public FhirContext fhirContext() {
        return fhir;
    }

    /** All resources of a type (copies). */
    public List<Resource> all(String type) {
        return store(type).byId.values().stream().map(Resource::copy).toList();
    }

    public Resource get(String literal) {
        String[] parts = literal.split("/");
        Resource found = store(parts[0]).byId.get(parts[1]);
        return found == null ? null : found.copy();
    }

    /** Stores a resource as a client's create or update would (new version, lastUpdated now). */
    public Resource write(Resource resource) {
        return store(resource.fhirType()).write(resource);
    }

    private Store store(String type) {
        return stores.computeIfAbsent(type, Store::new);
    }

    @Override
    public void close() {
        undertow.stop();
    }

    /** The resources of one type. */
    private static final class Store {
        final String type;
        final Map<String, Resource> byId = new ConcurrentHashMap<>();
        final AtomicLong ids = new AtomicLong();

        Store(String type) {
            this.type = type;
        }

        void put(Resource resource) {
            byId.put(resource.getIdElement().getIdPart(), resource);
        }

        synchronized Resource write(Resource resource) {
            Resource copy = resource.copy();
            String id = copy.getIdElement().getIdPart();
            if (id == null) {
                id = "new-" + ids.incrementAndGet();
            }
            Resource previous = byId.get(id);
            long version =
                    previous == null ? 1 : Long.parseLong(previous.getMeta().getVersionId()) + 1;
            copy.setId(new IdType(type, id, Long.toString(version)));
            copy.getMeta().setVersionId(Long.toString(version)).setLastUpdated(new Date());
            byId.put(id, copy);
            return copy.copy();
        }
    }

    /** One provider per type, over a {@link Store}. */
    public final class Provider implements IResourceProvider {
        private final Store store;
        private final Class<? extends Resource> resourceType;
        private final FhirTerser terser = fhir.newTerser();

        @SuppressWarnings("unchecked")
        Provider(Store store) {
            this.store = store;
            this.resourceType =
                    (Class<? extends Resource>)
                            fhir.getResourceDefinition(store.type).getImplementingClass();
        }

        @Override
        public Class<? extends Resource> getResourceType() {
            return resourceType;
        }

        @Read
        public Resource read(@IdParam IdType id) {
            Resource found = store.byId.get(id.getIdPart());
            if (found == null) {
                throw new ResourceNotFoundException(id);
            }
            return found.copy();
        }

        @Create
        public MethodOutcome create(@ResourceParam Resource resource) {
            resource.setId((String) null);
            Resource stored = store.write(resource);
            return new MethodOutcome(stored.getIdElement(), true).setResource(stored);
        }

        /**
         * Update, and conditional update ({@code PUT Observation?identifier=s|v}, FHIR R4
         * §3.1.0.4.3): no match creates, one match updates it, several are 412.
         */
        @ca.uhn.fhir.rest.annotation.Update
        public MethodOutcome update(
                @IdParam IdType id,
                @ResourceParam Resource resource,
                @ca.uhn.fhir.rest.annotation.ConditionalUrlParam String conditional) {
            if (conditional != null) {
                // HAPI's client adds _format to every URL: only identifier= is a criterion
                String query =
                        java.util.Arrays.stream(
                                        conditional
                                                .substring(conditional.indexOf('?') + 1)
                                                .split("&"))
                                .filter(p -> !p.startsWith("_format=") && !p.startsWith("_pretty="))
                                .collect(java.util.stream.Collectors.joining("&"));
                if (!query.startsWith("identifier=") || query.contains("&")) {
                    throw new ca.uhn.fhir.rest.server.exceptions.InvalidRequestException(
                            "this EHR takes conditional updates on identifier only, not " + query);
                }
                String token =
                        java.net.URLDecoder.decode(
                                query.substring("identifier=".length()), StandardCharsets.UTF_8);
                String system = token.contains("|") ? token.substring(0, token.indexOf('|')) : null;
                String value = token.substring(token.indexOf('|') + 1);
                List<Resource> matches =
                        store.byId.values().stream()
                                .filter(
                                        r ->
                                                terser
                                                        .getAllPopulatedChildElementsOfType(
                                                                r, Identifier.class)
                                                        .stream()
                                                        .anyMatch(
                                                                i ->
                                                                        value.equals(i.getValue())
                                                                                && (system == null
                                                                                        || system
                                                                                                .equals(
                                                                                                        i
                                                                                                                .getSystem()))))
                                .toList();
                if (matches.size() > 1) {
                    throw new ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException(
                            "several resources match " + conditional);
                }
                resource.setId(
                        matches.isEmpty()
                                ? (String) null
                                : matches.get(0).getIdElement().getIdPart());
                Resource stored = store.write(resource);
                return new MethodOutcome(stored.getIdElement(), matches.isEmpty())
                        .setResource(stored);
            }
            resource.setId(id.getIdPart());
            Resource stored = store.write(resource);
            return new MethodOutcome(stored.getIdElement()).setResource(stored);
        }

        @Search(allowUnknownParams = false)
        public IBundleProvider search(
                @OptionalParam(name = "_id") TokenOrListParam ids,
                @OptionalParam(name = "identifier") TokenOrListParam identifiers,
                @OptionalParam(name = "patient") ReferenceParam patient,
                @OptionalParam(name = "subject") ReferenceParam subject,
                @OptionalParam(name = "type") TokenOrListParam types,
                @OptionalParam(name = "category") TokenOrListParam categories,
                @OptionalParam(name = "_lastUpdated") DateRangeParam lastUpdated,
                @Sort SortSpec sort,
                @Count Integer count) {
            List<Resource> matches = new ArrayList<>();
            for (Resource resource : store.byId.values()) {
                if (ids != null
                        && ids.getValuesAsQueryTokens().stream()
                                .noneMatch(
                                        t ->
                                                t.getValue()
                                                        .equals(
                                                                resource.getIdElement()
                                                                        .getIdPart()))) {
                    continue;
                }
                if (identifiers != null && !matchesIdentifier(resource, identifiers)) {
                    continue;
                }
                ReferenceParam who = patient != null ? patient : subject;
                if (who != null && !matchesSubject(resource, who)) {
                    continue;
                }
                if (types != null && !matchesCode(resource, "type", types)) {
                    continue;
                }
                if (categories != null && !matchesCode(resource, "category", categories)) {
                    continue;
                }
                if (lastUpdated != null
                        && !within(lastUpdated, resource.getMeta().getLastUpdated())) {
                    continue;
                }
                matches.add(resource.copy());
            }
            Comparator<Resource> order =
                    Comparator.comparing((Resource r) -> r.getMeta().getLastUpdated())
                            .thenComparing(r -> r.getIdElement().getIdPart());
            if (sort != null
                    && sort.getParamName().equals("_lastUpdated")
                    && sort.getOrder() == ca.uhn.fhir.rest.api.SortOrderEnum.DESC) {
                order = order.reversed();
            }
            matches.sort(order);
            SimpleBundleProvider provider = new SimpleBundleProvider(new ArrayList<>(matches));
            if (count != null) {
                provider.setPreferredPageSize(count);
            }
            return provider;
        }

        private boolean within(DateRangeParam range, Date when) {
            Date lower = range.getLowerBoundAsInstant();
            Date upper = range.getUpperBoundAsInstant();
            return (lower == null || !when.before(lower)) && (upper == null || !when.after(upper));
        }

        private boolean matchesIdentifier(Resource resource, TokenOrListParam wanted) {
            List<Identifier> identifiers =
                    terser.getAllPopulatedChildElementsOfType(resource, Identifier.class);
            for (TokenParam token : wanted.getValuesAsQueryTokens()) {
                for (Identifier identifier : identifiers) {
                    if (token.getValue().equals(identifier.getValue())
                            && (token.getSystem() == null
                                    || token.getSystem().equals(identifier.getSystem()))) {
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean matchesSubject(Resource resource, ReferenceParam who) {
            String wanted = who.getIdPart();
            for (String path : List.of("subject", "patient")) {
                if (fhir.getResourceDefinition(resource).getChildByName(path) == null) {
                    continue;
                }
                for (IBase value : terser.getValues(resource, path)) {
                    if (value instanceof Reference reference
                            && reference.getReference() != null
                            && reference.getReference().endsWith("/" + wanted)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean matchesCode(Resource resource, String path, TokenOrListParam wanted) {
            if (fhir.getResourceDefinition(resource).getChildByName(path) == null) {
                return false;
            }
            for (IBase value : terser.getValues(resource, path)) {
                if (!(value instanceof CodeableConcept concept)) {
                    continue;
                }
                for (Coding coding : concept.getCoding()) {
                    for (TokenParam token : wanted.getValuesAsQueryTokens()) {
                        if (token.getValue().equals(coding.getCode())
                                && (token.getSystem() == null
                                        || token.getSystem().equals(coding.getSystem()))) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }
}
