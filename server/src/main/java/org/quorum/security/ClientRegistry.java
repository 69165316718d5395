package org.quorum.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The backend services registered for SMART Backend Services, kept in {@code
 * <data-dir>/security/}{@value #FILE_NAME} (written by {@code quorum client add}).
 *
 * <p><b>File format</b> (owner-only permissions, replaced atomically on every change; public keys
 * only):
 *
 * <pre>
 * {
 *   "format": "quorum-clients", "version": 1,
 *   "clients": [
 *     { "client_id": "ehr-bridge",
 *       "jwks": { "keys": [ { "kty": "EC", "crv": "P-384", "kid": "...", "x": "...", "y": "..." } ] },
 *       "scope": "system/*.rs", "roles": ["integration"], "projects": ["study-1"] },
 *     { "client_id": "pacs", "jwks_uri": "https://pacs.example.org/jwks.json", ... }
 *   ]
 * }
 * </pre>
 *
 * <p>As with {@link UserRegistry}, the server calls {@link #reloadIfChanged()} to see changes the
 * CLI made. Thread-safe.
 */
public final class ClientRegistry {

    /** The file's name under {@code <data-dir>/security/}. */
    public static final String FILE_NAME = "clients.json";

    private static final String FORMAT = "quorum-clients";

    private final RegistryFile<RegisteredClient> file;
    private volatile RegistryFile.Snapshot<RegisteredClient> snapshot;

    /**
     * @param store where the registry is kept
     * @throws IOException when the document cannot be read or is not valid
     */
    public ClientRegistry(SecurityStore store) throws IOException {
        this.file =
                new RegistryFile<>(
                        store.document(FILE_NAME, SecurityStore.Sensitivity.ORDINARY),
                        FORMAT,
                        "clients",
                        new Codec());
        this.snapshot = file.read();
    }

    /** The clients of the files under {@code <dataDir>/security}. */
    public ClientRegistry(Path dataDir) throws IOException {
        this(SecurityStore.files(dataDir));
    }

    public Optional<RegisteredClient> find(String clientId) {
        return Optional.ofNullable(clientId).map(id -> snapshot.entries().get(id));
    }

    public List<RegisteredClient> clients() {
        return List.copyOf(snapshot.entries().values());
    }

    /**
     * Registers a client.
     *
     * @throws RegistryException {@code ALREADY_EXISTS} when the id is taken
     */
    public void add(RegisteredClient client) throws IOException {
        Objects.requireNonNull(client, "client");
        snapshot =
                file.update(
                        clients -> {
                            if (clients.containsKey(client.clientId())) {
                                throw new RegistryException(
                                        RegistryException.Code.ALREADY_EXISTS,
                                        "client '" + client.clientId() + "' is already registered");
                            }
                            clients.put(client.clientId(), client);
                        });
    }

    /**
     * Replaces a registered client (e.g. new keys or scopes).
     *
     * @throws RegistryException {@code NOT_FOUND} when it is not registered
     */
    public void replace(RegisteredClient client) throws IOException {
        snapshot =
                file.update(
                        clients -> {
                            if (!clients.containsKey(client.clientId())) {
                                throw notFound(client.clientId());
                            }
                            clients.put(client.clientId(), client);
                        });
    }

    /**
     * Removes a client; its tokens stay valid until they expire.
     *
     * @throws RegistryException {@code NOT_FOUND} when it is not registered
     */
    public void remove(String clientId) throws IOException {
        snapshot =
                file.update(
                        clients -> {
                            if (clients.remove(clientId) == null) {
                                throw notFound(clientId);
                            }
                        });
    }

    /**
     * Re-reads the file if another process changed it since the last read. On error the clients
     * read before stay in effect.
     *
     * @return whether the file was re-read
     */
    public boolean reloadIfChanged() throws IOException {
        if (file.stamp().equals(snapshot.stamp())) {
            return false;
        }
        synchronized (this) {
            snapshot = file.read();
        }
        return true;
    }

    /** Where the registry is (a file's path, or its row in the database). */
    public String location() {
        return file.location();
    }

    private RegistryException notFound(String clientId) {
        return new RegistryException(
                RegistryException.Code.NOT_FOUND, "no client '" + clientId + "' is registered");
    }

    @Override
    public String toString() {
        return "ClientRegistry[" + file.location() + ", " + snapshot.entries().size() + " clients]";
    }

    private static final class Codec implements RegistryFile.Codec<RegisteredClient> {
        @Override
        public RegisteredClient read(JsonNode node) {
            if (!node.isObject()) {
                throw new IllegalArgumentException("a client must be a JSON object");
            }
            String clientId = JsonFields.requiredText(node, "client_id");
            Optional<JWKSet> jwks = Optional.empty();
            JsonNode jwksNode = node.get("jwks");
            if (jwksNode != null && !jwksNode.isNull()) {
                try {
                    jwks =
                            Optional.of(
                                    JWKSet.parse(RegistryFile.JSON.writeValueAsString(jwksNode)));
                } catch (ParseException | JsonProcessingException e) {
                    throw new IllegalArgumentException(
                            "\"jwks\" of client '" + clientId + "' is not a JWK Set");
                }
            }
            Optional<URI> jwksUri = Optional.empty();
            Optional<String> uri = JsonFields.optionalText(node, "jwks_uri");
            if (uri.isPresent()) {
                try {
                    jwksUri = Optional.of(new URI(uri.get()));
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException(
                            "\"jwks_uri\" of client '" + clientId + "' is not a URL");
                }
            }
            return new RegisteredClient(
                    clientId,
                    jwks,
                    jwksUri,
                    ScopeSet.parse(JsonFields.requiredText(node, "scope")),
                    JsonFields.roles(node, "roles"),
                    JsonFields.textSet(node, "projects"));
        }

        @Override
        public ObjectNode write(RegisteredClient client) {
            ObjectNode node = RegistryFile.JSON.createObjectNode();
            node.put("client_id", client.clientId());
            if (client.jwks().isPresent()) {
                try {
                    // toString(true): public members only.
                    node.set(
                            "jwks", RegistryFile.JSON.readTree(client.jwks().get().toString(true)));
                } catch (JsonProcessingException e) {
                    throw new UncheckedIOException("Nimbus wrote a JWK Set Jackson cannot read", e);
                }
            }
            client.jwksUri().ifPresent(u -> node.put("jwks_uri", u.toString()));
            node.put("scope", client.allowedScopes().toString());
            JsonFields.putRoles(node, "roles", client.roles());
            JsonFields.putSorted(node, "projects", client.projects());
            return node;
        }

        @Override
        public String key(RegisteredClient client) {
            return client.clientId();
        }
    }
}
