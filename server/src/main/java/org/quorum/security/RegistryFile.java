package org.quorum.security;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A registry persisted as one JSON security document ({@link SecurityStore}: a file under {@code
 * <data-dir>/security/}, or a row in the shared database), shared by the server (reads, and
 * re-reads when the document changes) and the CLI (read-modify-write under the document's lock).
 * Layout:
 *
 * <pre>
 * { "format": "quorum-users", "version": 1, "users": [ {...}, ... ] }
 * </pre>
 *
 * @param <T> the entry type
 */
final class RegistryFile<T> {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final int VERSION = 1;

    /** How entries are read from and written to JSON. */
    interface Codec<T> {
        /**
         * @throws IllegalArgumentException saying what is wrong with the entry
         */
        T read(JsonNode node);

        ObjectNode write(T entry);

        String key(T entry);
    }

    /** The entries of one version of the file, in file order. */
    record Snapshot<T>(Map<String, T> entries, Object stamp) {}

    @FunctionalInterface
    interface Change<T> {
        /** Changes {@code entries} in place. */
        void apply(Map<String, T> entries) throws RegistryException;
    }

    private final SecurityStore.SecureDocument file;
    private final String format;
    private final String arrayName;
    private final Codec<T> codec;

    RegistryFile(
            SecurityStore.SecureDocument file, String format, String arrayName, Codec<T> codec) {
        this.file = file;
        this.format = format;
        this.arrayName = arrayName;
        this.codec = codec;
    }

    /** Where the registry is, for messages. */
    String location() {
        return file.describe();
    }

    Object stamp() throws IOException {
        return file.stamp();
    }

    /** Reads the registry; a missing document is an empty registry. */
    Snapshot<T> read() throws IOException {
        java.util.Optional<SecurityStore.SecureDocument.Version> version = file.read();
        if (version.isEmpty()) {
            return new Snapshot<>(Map.of(), file.stamp());
        }
        return parse(version.get().content(), version.get().stamp());
    }

    private Snapshot<T> parse(byte[] bytes, Object stamp) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            // Only the location: the parser's message may quote the file, which holds hashes.
            JsonLocation where = e.getLocation();
            throw invalid(
                    "is not valid JSON"
                            + (where == null
                                    ? ""
                                    : " (line "
                                            + where.getLineNr()
                                            + ", column "
                                            + where.getColumnNr()
                                            + ")"));
        }
        if (root == null || !root.isObject() || !format.equals(root.path("format").asText())) {
            throw invalid("is not a " + format + " file (\"format\": \"" + format + "\")");
        }
        if (root.path("version").asInt(-1) != VERSION) {
            throw invalid("has an unsupported version; this Quorum reads version " + VERSION);
        }
        JsonNode array = root.path(arrayName);
        if (!array.isArray()) {
            throw invalid("has no \"" + arrayName + "\" array");
        }
        Map<String, T> entries = new LinkedHashMap<>();
        int index = 0;
        for (JsonNode node : array) {
            T entry;
            try {
                entry = codec.read(node);
            } catch (IllegalArgumentException e) {
                throw invalid("entry " + index + ": " + e.getMessage());
            }
            if (entries.putIfAbsent(codec.key(entry), entry) != null) {
                throw invalid("entry " + index + " repeats '" + codec.key(entry) + "'");
            }
            index++;
        }
        return new Snapshot<>(Collections.unmodifiableMap(entries), stamp);
    }

    /**
     * Applies {@code change} to the latest content of the file and writes the result, holding the
     * lock so that two CLI invocations cannot lose each other's changes.
     */
    Snapshot<T> update(Change<T> change) throws IOException {
        SecurityStore.SecureDocument.Version written =
                file.update(
                        current -> {
                            Map<String, T> entries =
                                    new LinkedHashMap<>(
                                            current.isEmpty()
                                                    ? Map.of()
                                                    : parse(current.get(), -1L).entries());
                            change.apply(entries);
                            return serialize(entries);
                        });
        return parse(written.content(), written.stamp());
    }

    private byte[] serialize(Map<String, T> entries) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", format);
        root.put("version", VERSION);
        ArrayNode array = root.putArray(arrayName);
        for (T entry : entries.values()) {
            array.add(Objects.requireNonNull(codec.write(entry)));
        }
        return (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private RegistryException invalid(String what) {
        return new RegistryException(
                RegistryException.Code.INVALID_FILE, file.describe() + " " + what);
    }
}
