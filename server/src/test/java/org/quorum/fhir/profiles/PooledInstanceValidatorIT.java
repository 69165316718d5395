package org.quorum.fhir.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import ca.uhn.fhir.validation.IValidatorModule;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quorum.profiles.QuorumProfiles;
import org.quorum.testing.Examples;
import org.quorum.testing.RunningServer;

/**
 * {@link PooledInstanceValidator} reports exactly what a fresh HAPI {@link FhirInstanceValidator}
 * reports (severity, location, text, message id), on the server's own validation support chain with
 * Quorum's profiles installed: for every profile example, valid and invalid, in an order that makes
 * one reused core validator see invalid, valid, invalid..., and from several threads at once.
 */
@ExtendWith(RunningServer.class)
class PooledInstanceValidatorIT {

    private static FhirContext fhir;
    private static FhirInstanceValidator hapi;
    private static Map<String, Case> corpus;

    /** One resource to validate, the way the write interceptor asks. */
    private record Case(String name, IBaseResource resource, ValidationOptions options) {}

    /** What a message says, as compared. */
    private record Said(
            ResultSeverityEnum severity,
            String location,
            Integer line,
            Integer col,
            String message,
            String messageId) {
        static Said of(SingleValidationMessage m) {
            return new Said(
                    m.getSeverity(),
                    m.getLocationString(),
                    m.getLocationLine(),
                    m.getLocationCol(),
                    m.getMessage(),
                    m.getMessageId());
        }
    }

    @BeforeAll
    static void corpus(RunningServer server) throws Exception {
        HttpResponse<String> stored =
                server.http()
                        .postFhir("/fhir", Examples.read("fixtures/referenced-resources.json"));
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        fhir = server.fhirContext();
        hapi = (FhirInstanceValidator) server.hapiBean(IInstanceValidatorModule.class);
        corpus = new LinkedHashMap<>();
        for (String folder : List.of("valid", "invalid")) {
            for (Path file : Examples.jsonFiles(folder).toList()) {
                IBaseResource resource = fhir.newJsonParser().parseResource(Files.readString(file));
                add(folder + "/" + file.getFileName(), resource, new ValidationOptions());
            }
        }
        // A label that leaves the claim out, held to QuorumLabel as the write interceptor does.
        Observation unclaimed =
                (Observation)
                        fhir.newJsonParser().parseResource(Examples.read("valid/image-label.json"));
        unclaimed.getMeta().getProfile().clear();
        add(
                "label without meta.profile",
                unclaimed,
                new ValidationOptions().addProfile(QuorumProfiles.LABEL));
        Patient unknownProfile = new Patient();
        unknownProfile.getMeta().addProfile("https://quorum.dev/fhir/StructureDefinition/none");
        unknownProfile.addName().setFamily("Example");
        add("unknown profile", unknownProfile, new ValidationOptions());
        add("no profile", new Patient().setActive(true), new ValidationOptions());
        // The core validator tells once per validator that an extension's definition is retired:
        // a reused validator must tell it again for the next resource.
        HttpResponse<String> extension =
                server.http()
                        .putFhir(
                                "/fhir/StructureDefinition/pooled-validator-retired-note",
                                RETIRED_EXTENSION);
        assertThat(extension.statusCode()).as(extension.body()).isIn(200, 201);
        Patient retired = new Patient().setActive(true);
        retired.addExtension(RETIRED_URL, new org.hl7.fhir.r4.model.StringType("a note"));
        add("retired extension", retired, new ValidationOptions());
        assertThat(validate(hapi, corpus.get("retired extension")))
                .as("HAPI's messages for a retired extension")
                .anySatisfy(m -> assertThat(m.message()).contains(RETIRED_URL).contains("retired"));
    }

    private static final String RETIRED_URL =
            "https://hospital.test/fhir/StructureDefinition/retired-note";

    private static final String RETIRED_EXTENSION =
            """
            {
              "resourceType": "StructureDefinition",
              "id": "pooled-validator-retired-note",
              "url": "%s",
              "name": "RetiredNote",
              "status": "retired",
              "fhirVersion": "4.0.1",
              "kind": "complex-type",
              "abstract": false,
              "context": [{"type": "element", "expression": "Patient"}],
              "type": "Extension",
              "baseDefinition": "http://hl7.org/fhir/StructureDefinition/Extension",
              "derivation": "constraint",
              "differential": {"element": [
                {"id": "Extension", "path": "Extension", "short": "A note (retired)",
                 "definition": "A free-text note, no longer used.", "max": "1"},
                {"id": "Extension.extension", "path": "Extension.extension", "max": "0"},
                {"id": "Extension.url", "path": "Extension.url", "fixedUri": "%s"},
                {"id": "Extension.value[x]", "path": "Extension.value[x]",
                 "type": [{"code": "string"}]}
              ]}
            }
            """
                    .formatted(RETIRED_URL, RETIRED_URL);

    private static void add(String name, IBaseResource resource, ValidationOptions options) {
        corpus.put(name, new Case(name, resource, options));
    }

    private static List<Said> validate(IValidatorModule module, Case c) {
        FhirValidator validator = fhir.newValidator();
        validator.registerValidatorModule(module);
        return validator.validateWithResult(c.resource(), c.options()).getMessages().stream()
                .map(Said::of)
                .toList();
    }

    private static boolean hasErrors(List<Said> messages) {
        return messages.stream()
                .anyMatch(m -> m.severity().ordinal() >= ResultSeverityEnum.ERROR.ordinal());
    }

    /** Invalid, valid, invalid, valid...: what one validation leaves must not change the next. */
    private static List<Case> alternating() {
        List<Case> invalid = new ArrayList<>();
        List<Case> valid = new ArrayList<>();
        for (Case c : corpus.values()) {
            (c.name().startsWith("valid/") ? valid : invalid).add(c);
        }
        List<Case> order = new ArrayList<>();
        for (int i = 0; i < invalid.size(); i++) {
            order.add(invalid.get(i));
            order.add(valid.get(i % valid.size()));
        }
        return order;
    }

    @Test
    void reports_what_a_fresh_hapi_validator_reports_when_invalid_and_valid_alternate() {
        PooledInstanceValidator pooled = new PooledInstanceValidator(hapi);
        List<Case> order = alternating();
        order.addAll(alternating());
        for (Case c : order) {
            List<Said> expected = validate(hapi, c);
            assertThat(validate(pooled, c)).as(c.name()).isEqualTo(expected);
            if (c.name().startsWith("valid/")) {
                assertThat(hasErrors(expected)).as(c.name() + " is valid").isFalse();
            } else if (c.name().startsWith("invalid/")) {
                assertThat(hasErrors(expected)).as(c.name() + " is invalid").isTrue();
            }
        }
        // One core validator did all of it: the comparison covered reuse.
        assertThat(order).hasSizeLessThan(PooledInstanceValidator.MAX_USES);
        assertThat(pooled.validatorsBuilt()).isEqualTo(1);
    }

    @Test
    void reports_what_a_fresh_hapi_validator_reports_from_four_threads_at_once() throws Exception {
        Map<String, List<Said>> expected = new LinkedHashMap<>();
        for (Case c : corpus.values()) {
            expected.put(c.name(), validate(hapi, c));
        }
        PooledInstanceValidator pooled = new PooledInstanceValidator(hapi);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                done.add(
                        threads.submit(
                                () -> {
                                    List<Case> order = new ArrayList<>();
                                    for (int round = 0; round < 2; round++) {
                                        order.addAll(corpus.values());
                                    }
                                    Collections.shuffle(order, new Random(seed));
                                    for (Case c : order) {
                                        assertThat(validate(pooled, c))
                                                .as(c.name())
                                                .isEqualTo(expected.get(c.name()));
                                    }
                                    return order.size();
                                }));
            }
            int validations = 0;
            for (Future<Integer> thread : done) {
                validations += thread.get(5, TimeUnit.MINUTES);
            }
            assertThat(pooled.validatorsBuilt()).isBetween(1, 4).isLessThan(validations);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void builds_a_fresh_core_validator_after_a_conformance_write_and_after_max_uses() {
        PooledInstanceValidator pooled = new PooledInstanceValidator(hapi);
        Case label = corpus.get("valid/image-label.json");
        validate(pooled, label);
        validate(pooled, label);
        assertThat(pooled.validatorsBuilt()).isEqualTo(1);

        pooled.resourceUpdated(new StructureDefinition(), new StructureDefinition());
        validate(pooled, label);
        assertThat(pooled.validatorsBuilt()).isEqualTo(2);

        pooled.resourceCreated(new Patient());
        for (int i = 1; i < PooledInstanceValidator.MAX_USES; i++) {
            validate(pooled, label);
        }
        assertThat(pooled.validatorsBuilt()).isEqualTo(2);
        validate(pooled, label);
        assertThat(pooled.validatorsBuilt()).isEqualTo(3);
    }
}
