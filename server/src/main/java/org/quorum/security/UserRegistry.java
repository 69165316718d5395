package org.quorum.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The users of Quorum's own authorization server: those given by configuration and those kept in
 * {@code <data-dir>/security/}{@value #FILE_NAME} (written by {@code quorum user add}).
 *
 * <p><b>File format</b> (owner-only permissions, replaced atomically on every change):
 *
 * <pre>
 * {
 *   "format": "quorum-users", "version": 1,
 *   "users": [
 *     { "name": "alice", "roles": ["annotator"], "projects": ["study-1"],
 *       "fhir_user": "PractitionerRole/123",
 *       "password_hash": "pbkdf2-sha256$600000$&lt;salt&gt;$&lt;hash&gt;" }
 *   ]
 * }
 * </pre>
 *
 * {@code fhir_user} and {@code password_hash} are optional; a user without a password gets tokens
 * from the CLI only.
 *
 * <p><b>Sharing with the CLI.</b> The CLI and the server are separate processes. Changes hold a
 * lock file and replace the file by atomic rename; the server calls {@link #reloadIfChanged()} (one
 * {@code stat}, cheap enough for every token request) to see them. A configured user shadows a file
 * user of the same name.
 *
 * <p>Thread-safe.
 */
public final class UserRegistry {

    /** The file's name under {@code <data-dir>/security/}. */
    public static final String FILE_NAME = "users.json";

    private static final String FORMAT = "quorum-users";

    private final RegistryFile<User> file;
    private final Map<String, User> configured;
    private final PasswordHasher hasher;
    private volatile RegistryFile.Snapshot<User> snapshot;

    /**
     * @param store where the registry is kept
     * @param configuredUsers users defined by configuration (not written to the file)
     * @param hasher hashes and checks passwords
     * @throws IOException when the file cannot be read or is not valid
     */
    public UserRegistry(SecurityStore store, List<User> configuredUsers, PasswordHasher hasher)
            throws IOException {
        this.file =
                new RegistryFile<>(
                        store.document(FILE_NAME, SecurityStore.Sensitivity.ORDINARY),
                        FORMAT,
                        "users",
                        new Codec());
        Map<String, User> byName = new LinkedHashMap<>();
        for (User user : configuredUsers) {
            if (byName.put(user.name(), user) != null) {
                throw new IllegalArgumentException(
                        "user '" + user.name() + "' is configured twice");
            }
        }
        this.configured = Map.copyOf(byName);
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        this.snapshot = file.read();
    }

    /** Users from the store only, default password hashing. */
    public UserRegistry(SecurityStore store) throws IOException {
        this(store, List.of(), new PasswordHasher());
    }

    /** Users from the files under {@code <dataDir>/security}. */
    public UserRegistry(Path dataDir, List<User> configuredUsers, PasswordHasher hasher)
            throws IOException {
        this(SecurityStore.files(dataDir), configuredUsers, hasher);
    }

    /** Users from the files under {@code <dataDir>/security}, default password hashing. */
    public UserRegistry(Path dataDir) throws IOException {
        this(SecurityStore.files(dataDir));
    }

    /** The user with this name, configured or from the file. */
    public Optional<User> find(String name) {
        User user = configured.get(name);
        return user != null ? Optional.of(user) : Optional.ofNullable(snapshot.entries().get(name));
    }

    /** All users, configured ones first. */
    public List<User> users() {
        List<User> all = new ArrayList<>(configured.values());
        snapshot.entries().values().stream()
                .filter(u -> !configured.containsKey(u.name()))
                .forEach(all::add);
        return all;
    }

    /**
     * Adds a user to the file.
     *
     * @throws RegistryException {@code ALREADY_EXISTS} when the name is taken
     */
    public void add(User user) throws IOException {
        Objects.requireNonNull(user, "user");
        if (configured.containsKey(user.name())) {
            throw exists(user.name());
        }
        snapshot =
                file.update(
                        users -> {
                            if (users.containsKey(user.name())) {
                                throw exists(user.name());
                            }
                            users.put(user.name(), user);
                        });
    }

    /**
     * Sets (or replaces) the password of a file user. The array is cleared.
     *
     * @throws RegistryException {@code NOT_FOUND} for an unknown or configured user
     */
    public void setPassword(String name, char[] password) throws IOException {
        try {
            PasswordHash hash = hasher.hash(password);
            snapshot =
                    file.update(
                            users -> {
                                User user = users.get(name);
                                if (user == null) {
                                    throw new RegistryException(
                                            RegistryException.Code.NOT_FOUND,
                                            "no user '" + name + "' in " + file.location());
                                }
                                users.put(name, user.withPassword(hash));
                            });
        } finally {
            PasswordHasher.clear(password);
        }
    }

    /**
     * Removes a user from the file.
     *
     * @throws RegistryException {@code NOT_FOUND} when the file has no such user
     */
    public void remove(String name) throws IOException {
        snapshot =
                file.update(
                        users -> {
                            if (users.remove(name) == null) {
                                throw new RegistryException(
                                        RegistryException.Code.NOT_FOUND,
                                        "no user '" + name + "' in " + file.location());
                            }
                        });
    }

    /**
     * Checks a user name and password. Unknown users, users without a password and wrong passwords
     * take the same time and give the same answer, so that the answer does not tell which names
     * exist.
     *
     * @return the user, when the password is right
     */
    public Optional<User> authenticate(String name, char[] password) {
        Optional<User> user = name == null ? Optional.empty() : find(name);
        Optional<PasswordHash> hash = user.flatMap(User::password);
        if (hash.isEmpty()) {
            hasher.verifyNothing(password);
            return Optional.empty();
        }
        return hasher.verify(password, hash.get()) ? user : Optional.empty();
    }

    /**
     * Re-reads the file if another process changed it since the last read. On error the users read
     * before stay in effect.
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

    public PasswordHasher hasher() {
        return hasher;
    }

    /** Where the registry is (a file's path, or its row in the database). */
    public String location() {
        return file.location();
    }

    private RegistryException exists(String name) {
        return new RegistryException(
                RegistryException.Code.ALREADY_EXISTS, "user '" + name + "' already exists");
    }

    @Override
    public String toString() {
        return "UserRegistry[" + file.location() + ", " + users().size() + " users]";
    }

    private static final class Codec implements RegistryFile.Codec<User> {
        @Override
        public User read(JsonNode node) {
            if (!node.isObject()) {
                throw new IllegalArgumentException("a user must be a JSON object");
            }
            return new User(
                    JsonFields.requiredText(node, "name"),
                    JsonFields.roles(node, "roles"),
                    JsonFields.textSet(node, "projects"),
                    JsonFields.optionalText(node, "fhir_user"),
                    JsonFields.optionalText(node, "password_hash").map(PasswordHash::parse));
        }

        @Override
        public ObjectNode write(User user) {
            ObjectNode node = RegistryFile.JSON.createObjectNode();
            node.put("name", user.name());
            JsonFields.putRoles(node, "roles", user.roles());
            JsonFields.putSorted(node, "projects", user.projects());
            user.fhirUser().ifPresent(f -> node.put("fhir_user", f));
            user.password().ifPresent(p -> node.put("password_hash", p.encoded()));
            return node;
        }

        @Override
        public String key(User user) {
            return user.name();
        }
    }
}
