package org.quorum.ops.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a backup archive holds ({@code manifest.json}, its last entry): when and by which Quorum it
 * was made, what the database snapshot counts (current FHIR resources per type, DICOM instances),
 * and every other entry with its size and SHA-256, so that a restore (or {@code quorum backup}
 * itself, after writing) can prove the archive whole.
 */
public record BackupManifest(
        Instant created,
        String quorumVersion,
        Map<String, Long> fhirResources,
        long dicomInstances,
        List<Entry> entries) {

    static final String NAME = "manifest.json";
    static final String FORMAT = "quorum-backup";
    static final int VERSION = 1;

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One archive entry. */
    public record Entry(String name, long size, String sha256) {}

    /** All current FHIR resources, of every type. */
    public long fhirTotal() {
        return fhirResources.values().stream().mapToLong(Long::longValue).sum();
    }

    byte[] toJson() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("created", created.toString());
        root.put("quorum_version", quorumVersion);
        root.put("database", "h2");
        ObjectNode counts = root.putObject("counts");
        ObjectNode fhir = counts.putObject("fhir_resources");
        new TreeMap<>(fhirResources).forEach(fhir::put);
        counts.put("dicom_instances", dicomInstances);
        ArrayNode list = root.putArray("entries");
        for (Entry entry : entries) {
            list.addObject()
                    .put("name", entry.name())
                    .put("size", entry.size())
                    .put("sha256", entry.sha256());
        }
        return JSON.writeValueAsBytes(root);
    }

    static BackupManifest parse(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        if (root == null
                || !FORMAT.equals(root.path("format").asText())
                || root.path("version").asInt() != VERSION) {
            throw new IOException(
                    "not a Quorum backup (manifest format " + FORMAT + " version " + VERSION + ")");
        }
        Map<String, Long> fhir = new TreeMap<>();
        root.path("counts")
                .path("fhir_resources")
                .fields()
                .forEachRemaining(f -> fhir.put(f.getKey(), f.getValue().asLong()));
        List<Entry> entries = new ArrayList<>();
        for (JsonNode entry : root.path("entries")) {
            entries.add(
                    new Entry(
                            entry.path("name").asText(),
                            entry.path("size").asLong(),
                            entry.path("sha256").asText()));
        }
        return new BackupManifest(
                Instant.parse(root.path("created").asText()),
                root.path("quorum_version").asText(),
                fhir,
                root.path("counts").path("dicom_instances").asLong(),
                entries);
    }
}
