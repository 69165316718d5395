package org.quorum.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * The FHIR packages the HL7 validator loads, laid out as its package cache ({@code
 * <home>/.fhir/packages/<id>#<version>/package/...}) from what Maven Central serves, so that it
 * runs with no network:
 *
 * <ul>
 *   <li>{@code hl7.fhir.r4.core#4.0.1}: assembled from HAPI's {@code
 *       hapi-fhir-validation-resources-r4} (the R4 definitions as Bundles: types, resources,
 *       profiles, extensions, value sets, code systems, search parameters), one JSON file per
 *       resource, narratives left out;
 *   <li>{@code hl7.terminology#5.1.0} and {@code hl7.fhir.uv.extensions} 1.0.0: the packages HAPI's
 *       {@code hapi-fhir-validation-resources-r5} carries (the extensions pack is its {@code .r5}
 *       edition, which is what validator 6.4.4 itself loads for R4 under the plain name);
 *   <li>{@code hl7.fhir.xver-extensions#0.1.0}: a stub with no content. The validator always loads
 *       it (cross-version extensions, {@code http://hl7.org/fhir/5.0/StructureDefinition/...}) and
 *       no Maven artifact has it; Quorum emits none of those extensions.
 * </ul>
 *
 * Also writes {@code <home>/.fhir/fhir-settings.json} with network access prohibited. Assembly
 * takes ~25 s and is kept under the build directory: a second run reuses it.
 */
final class ValidatorPackages {

    static final String CORE = "hl7.fhir.r4.core#4.0.1";
    static final String TERMINOLOGY = "hl7.terminology#5.1.0";
    static final String EXTENSIONS = "hl7.fhir.uv.extensions#1.0.0";
    static final String XVER = "hl7.fhir.xver-extensions#0.1.0";

    private static final String R4 = "org/hl7/fhir/r4/model/";
    private static final List<String> R4_BUNDLES =
            List.of(
                    "profile/profiles-types.xml",
                    "profile/profiles-resources.xml",
                    "profile/profiles-others.xml",
                    "extension/extension-definitions.xml",
                    "valueset/valuesets.xml",
                    "valueset/v2-tables.xml",
                    "valueset/v3-codesystems.xml",
                    "sp/search-parameters.json");
    private static final Map<String, String> R5_PACKAGES =
            Map.of(
                    TERMINOLOGY, "org/hl7/fhir/r5/packages/hl7.terminology-5.1.0.tgz",
                    EXTENSIONS, "org/hl7/fhir/r5/packages/hl7.fhir.uv.extensions.r5-1.0.0.tgz");

    private ValidatorPackages() {}

    /** Lays out the packages and settings under {@code home} (the validator's user.home). */
    static void prepare(Path home, FhirContext fhir) {
        Path cache = home.resolve(".fhir").resolve("packages");
        try {
            Files.createDirectories(cache);
            Files.writeString(
                    home.resolve(".fhir").resolve("fhir-settings.json"),
                    "{\"prohibitNetworkAccess\": true, \"ignoreDefaultPackageServers\": true}\n");
            if (!complete(cache, CORE)) {
                assembleCore(cache.resolve(CORE), fhir);
            }
            for (Map.Entry<String, String> r5 : R5_PACKAGES.entrySet()) {
                if (!complete(cache, r5.getKey())) {
                    untar(r5.getValue(), cache.resolve(r5.getKey()));
                }
            }
            if (!complete(cache, XVER)) {
                Path dir = cache.resolve(XVER).resolve("package");
                Files.createDirectories(dir);
                Files.writeString(
                        dir.resolve("package.json"),
                        "{\"name\": \"hl7.fhir.xver-extensions\", \"version\": \"0.1.0\","
                                + " \"type\": \"IG\", \"fhirVersions\": [\"5.0.0\"],"
                                + " \"description\": \"Quorum's empty stand-in: no Maven artifact"
                                + " carries this package\", \"dependencies\": {}}\n");
                markComplete(cache, XVER);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot lay out the validator's packages in " + cache, e);
        }
    }

    private static boolean complete(Path cache, String id) {
        return Files.isRegularFile(cache.resolve(id + ".quorum-complete"));
    }

    private static void markComplete(Path cache, String id) throws IOException {
        Files.writeString(cache.resolve(id + ".quorum-complete"), "");
    }

    private static void assembleCore(Path dir, FhirContext fhir) throws IOException {
        Path packageDir = dir.resolve("package");
        Files.createDirectories(packageDir);
        IParser json = fhir.newJsonParser().setSuppressNarratives(true);
        for (String name : R4_BUNDLES) {
            try (InputStream in = resource(R4 + name)) {
                InputStreamReader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
                IParser parser =
                        name.endsWith(".json") ? fhir.newJsonParser() : fhir.newXmlParser();
                Bundle bundle = parser.parseResource(Bundle.class, reader);
                for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                    Resource resource = entry.getResource();
                    if (resource == null || !resource.hasIdElement()) {
                        continue;
                    }
                    Files.writeString(
                            packageDir.resolve(
                                    resource.fhirType()
                                            + "-"
                                            + resource.getIdElement().getIdPart()
                                            + ".json"),
                            json.encodeResourceToString(resource));
                }
            }
        }
        Files.writeString(
                packageDir.resolve("package.json"),
                "{\"name\": \"hl7.fhir.r4.core\", \"version\": \"4.0.1\", \"type\": \"Core\","
                        + " \"fhirVersions\": [\"4.0.1\"], \"canonical\": \"http://hl7.org/fhir\","
                        + " \"url\": \"http://hl7.org/fhir/R4\", \"title\": \"FHIR R4 definitions,"
                        + " assembled from hapi-fhir-validation-resources-r4\","
                        + " \"license\": \"CC0-1.0\", \"dependencies\": {}}\n");
        markComplete(dir.getParent(), CORE);
    }

    private static void untar(String resourceName, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (InputStream in = resource(resourceName);
                TarArchiveInputStream tar =
                        new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path target = dir.resolve(entry.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("Entry outside the package: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        markComplete(dir.getParent(), dir.getFileName().toString());
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = ValidatorPackages.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(
                    name
                            + " is not on the class path (hapi-fhir-validation-resources-r4/-r5"
                            + " test dependencies)");
        }
        return in;
    }
}
