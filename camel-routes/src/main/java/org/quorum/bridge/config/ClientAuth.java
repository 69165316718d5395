package org.quorum.bridge.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;

/** How the bridge authenticates to a FHIR server (the EHR or Quorum). Secrets come from files. */
public sealed interface ClientAuth {

    /** No credentials (an EHR on a protected network segment). */
    record None() implements ClientAuth {}

    /**
     * SMART Backend Services: client credentials with a private_key_jwt client assertion (RFC
     * 7523), signed with the private key in {@code keyFile} (a JWK set).
     *
     * @param tokenUrl the token endpoint; discovered from {@code .well-known/smart-configuration}
     *     when empty
     */
    record Smart(String clientId, Path keyFile, Optional<URI> tokenUrl, String scope)
            implements ClientAuth {}

    /** A static bearer token read from a file (re-read when the server answers 401). */
    record Bearer(Path tokenFile) implements ClientAuth {}

    /** HTTP basic authentication; the password is read from a file. */
    record Basic(String username, Path passwordFile) implements ClientAuth {}

    /** The keys of one peer: {@code <prefix>AUTH}, {@code <prefix>CLIENT_ID}, ... */
    static Set<String> keys(String prefix) {
        return Set.of(
                prefix + "AUTH",
                prefix + "CLIENT_ID",
                prefix + "KEY_FILE",
                prefix + "TOKEN_URL",
                prefix + "SCOPE",
                prefix + "TOKEN_FILE",
                prefix + "USERNAME",
                prefix + "PASSWORD_FILE");
    }

    static ClientAuth from(
            ConfigSource source, String prefix, Set<String> methods, String defaultScope) {
        String method = source.oneOf(prefix + "AUTH", methods.iterator().next(), methods);
        return switch (method) {
            case "none" -> new None();
            case "smart" ->
                    new Smart(
                            source.required(
                                    prefix + "CLIENT_ID",
                                    "the client id registered for the bridge (quorum client add"
                                            + " <id> --jwks-file ...)"),
                            readableFile(
                                    source,
                                    prefix + "KEY_FILE",
                                    "the bridge's private JWK set (quorum bridge keys client)"),
                            source.httpUrl(prefix + "TOKEN_URL"),
                            source.get(prefix + "SCOPE").orElse(defaultScope));
            case "bearer" ->
                    new Bearer(
                            readableFile(
                                    source, prefix + "TOKEN_FILE", "a file holding the token"));
            case "basic" ->
                    new Basic(
                            source.required(prefix + "USERNAME", "the user name"),
                            readableFile(
                                    source,
                                    prefix + "PASSWORD_FILE",
                                    "a file holding the password"));
            default -> throw new IllegalStateException(method);
        };
    }

    static Path readableFile(ConfigSource source, String key, String what) {
        Path file = Path.of(source.required(key, what)).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(key, "'" + file + "' is not a readable file: " + what);
        }
        return file;
    }
}
