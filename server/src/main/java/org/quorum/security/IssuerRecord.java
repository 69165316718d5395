package org.quorum.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The issuer and audience the server verifies, recorded at start-up in {@code <data
 * dir>/security/issuer.json}, so that {@code quorum user token} on the same data directory issues
 * tokens that server accepts without repeating the server's environment (its port, public base URL
 * or issuer setting).
 */
public record IssuerRecord(String issuer, String audience) {

    static final String FILE = "issuer.json";

    /** Records what the server verifies. */
    public static void write(Path dataDir, String issuer, String audience) throws IOException {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("issuer", issuer);
        node.put("audience", audience);
        SecureFiles.writeAtomically(
                SecureFiles.securityDir(dataDir).resolve(FILE),
                Json.write(node).getBytes(StandardCharsets.UTF_8));
    }

    /** What a server on this data directory last verified, if one started there. */
    public static Optional<IssuerRecord> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve("security").resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode node = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
        if (!node.hasNonNull("issuer") || !node.hasNonNull("audience")) {
            return Optional.empty();
        }
        return Optional.of(
                new IssuerRecord(node.get("issuer").asText(), node.get("audience").asText()));
    }
}
