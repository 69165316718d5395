package org.quorum.profiles;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.parser.IParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.StructureDefinition;

/**
 * Build step: reads the hand-written conformance resources (StructureDefinition differentials,
 * CodeSystems, ValueSets, a SearchParameter, Measures), generates each StructureDefinition's
 * snapshot, and writes a FHIR NPM package ({@code package/package.json} plus one file per resource,
 * gzipped tar) into the class output folder.
 *
 * <p>Usage: {@code FhirPackageBuilder <source dir> <class output dir> <version>}. A differential
 * that cannot be turned into a snapshot fails the build with the generator's messages.
 *
 * @see <a href="https://confluence.hl7.org/display/FHIR/NPM+Package+Specification">FHIR NPM package
 *     specification</a>
 */
public final class FhirPackageBuilder {

    /** A fixed modification time keeps the package byte-identical between builds. */
    private static final Instant FIXED_TIME = Instant.parse("2026-01-01T00:00:00Z");

    private FhirPackageBuilder() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException(
                    "usage: FhirPackageBuilder <source dir> <class output dir> <version>");
        }
        Path source = Path.of(args[0]);
        Path output = Path.of(args[1]);
        String version = args[2].replace("-SNAPSHOT", "");
        FhirContext context = FhirContext.forR4();
        List<MetadataResource> resources = readResources(context, source);
        generateSnapshots(context, resources);
        Path target = output.resolve(QuorumProfiles.PACKAGE_RESOURCE.substring(1));
        Files.createDirectories(target.getParent());
        Files.write(target, packageBytes(context, resources, version));
        System.out.printf(
                "Quorum FHIR package %s#%s: %d resources -> %s%n",
                QuorumProfiles.PACKAGE_NAME, version, resources.size(), target);
    }

    static List<MetadataResource> readResources(FhirContext context, Path source)
            throws IOException {
        IParser parser = context.newJsonParser();
        List<MetadataResource> resources = new ArrayList<>();
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                IBaseResource parsed =
                        parser.parseResource(Files.readString(file, StandardCharsets.UTF_8));
                if (!(parsed instanceof MetadataResource metadata)) {
                    throw new IllegalArgumentException(
                            file + " is not a conformance resource (" + parsed.fhirType() + ")");
                }
                resources.add(metadata);
            }
        }
        return resources;
    }

    static void generateSnapshots(FhirContext context, List<MetadataResource> resources) {
        ValidationSupportChain support = StandaloneValidationSupport.create(context, resources);
        ValidationSupportContext supportContext = new ValidationSupportContext(support);
        for (MetadataResource resource : resources) {
            if (!(resource instanceof StructureDefinition definition)) {
                continue;
            }
            StructureDefinition withSnapshot =
                    (StructureDefinition)
                            support.generateSnapshot(
                                    supportContext,
                                    definition.copy(),
                                    definition.getUrl(),
                                    QuorumProfiles.CANONICAL_BASE,
                                    definition.getName());
            if (withSnapshot == null || !withSnapshot.hasSnapshot()) {
                throw new IllegalStateException(
                        "No snapshot could be generated for " + definition.getUrl());
            }
            // HAPI's generator marks the snapshot with a tooling extension
            // (http://hl7.org/fhir/tools/StructureDefinition/snapshot-base-version) defined in
            // hl7.fhir.uv.tools, a package this one does not depend on: the HL7 validator reports
            // its URL as unresolvable. The base version is the package's fhirVersions anyway.
            withSnapshot
                    .getSnapshot()
                    .getExtension()
                    .removeIf(e -> e.getUrl().startsWith("http://hl7.org/fhir/tools/"));
            definition.setSnapshot(withSnapshot.getSnapshot());
        }
    }

    static byte[] packageBytes(
            FhirContext context, List<MetadataResource> resources, String version)
            throws IOException {
        IParser parser = context.newJsonParser().setPrettyPrint(true);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package/package.json", packageJson(version).getBytes(StandardCharsets.UTF_8));
        for (MetadataResource resource : resources) {
            String name = "package/" + resource.fhirType() + "-" + resource.getIdPart() + ".json";
            files.put(
                    name, parser.encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gzip = new GzipCompressorOutputStream(bytes);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(file.getValue().length);
                entry.setLastModifiedTime(FileTime.from(FIXED_TIME));
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String packageJson(String version) {
        // Package manifest fields per the FHIR NPM package specification.
        return """
                {
                  "name": "%s",
                  "version": "%s",
                  "description": "Quorum conformance resources: labels, annotators, review tasks, quality reports",
                  "fhirVersions": ["4.0.1"],
                  "type": "IG",
                  "canonical": "%s",
                  "url": "%s",
                  "license": "Apache-2.0",
                  "author": "Quorum",
                  "dependencies": { "hl7.fhir.r4.core": "4.0.1" }
                }
                """
                .formatted(
                        QuorumProfiles.PACKAGE_NAME,
                        version,
                        QuorumProfiles.CANONICAL_BASE,
                        QuorumProfiles.CANONICAL_BASE);
    }
}
