package org.quorum.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The issuer and audience the server verifies, recorded at start-up in the security store ({@code
 * issuer.json}), so that {@code quorum user token} on the same installation issues tokens that
 * server accepts without repeating the server's environment (its port, public base URL or issuer
 * setting).
 */
public record IssuerRecord(String issuer, String audience) {

    static final String FILE = "issuer.json";

    /** Records what the server verifies. */
    public static void write(SecurityStore store, String issuer, String audience)
            throws IOException {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("issuer", issuer);
        node.put("audience", audience);
        store.document(FILE, SecurityStore.Sensitivity.ORDINARY)
                .write(Json.write(node).getBytes(StandardCharsets.UTF_8));
    }

    /** What a server on this installation last verified, if one started there. */
    public static Optional<IssuerRecord> read(SecurityStore store) throws IOException {
        Optional<SecurityStore.SecureDocument.Version> version =
                store.document(FILE, SecurityStore.Sensitivity.ORDINARY).read();
        if (version.isEmpty()) {
            return Optional.empty();
        }
        JsonNode node =
                Json.MAPPER.readTree(new String(version.get().content(), StandardCharsets.UTF_8));
        if (!node.hasNonNull("issuer") || !node.hasNonNull("audience")) {
            return Optional.empty();
        }
        return Optional.of(
                new IssuerRecord(node.get("issuer").asText(), node.get("audience").asText()));
    }
}
