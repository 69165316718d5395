package org.quorum.security.cli;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.quorum.security.ClientRegistry;
import org.quorum.security.RegisteredClient;
import org.quorum.security.RegistryException;
import org.quorum.security.Role;
import org.quorum.security.ScopeSet;
import org.quorum.security.SecurityStore;
import org.quorum.security.UserRegistry;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quorum client add <id> (--jwks-file <file> | --jwks-url <url>) --scope "system/*.rs"
 * [--role integration] [--project <id>]}: registers a backend service for SMART Backend Services in
 * {@code <data-dir>/security/clients.json}. The file must hold public keys only.
 */
@Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description = "Register a backend service (SMART Backend Services, private_key_jwt).",
        footer = {"", "Exit codes: 0 registered, 2 invalid input or client exists, 1 file error."})
public final class ClientAddCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin DataDirOption dataDir;

    @Parameters(
            index = "0",
            paramLabel = "<id>",
            description = "Client id (iss and sub of its assertions).")
    String clientId;

    static final class Keys {
        @Option(
                names = "--jwks-file",
                paramLabel = "<file>",
                description = "File with the client's public JWK Set (or one public JWK).")
        Path jwksFile;

        @Option(
                names = "--jwks-url",
                paramLabel = "<url>",
                description = "https URL where the client publishes its public JWK Set.")
        String jwksUrl;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Keys keys;

    @Option(
            names = "--scope",
            required = true,
            paramLabel = "<scopes>",
            description =
                    "Space-separated system/ scopes the client may request, e.g. system/*.rs.")
    String scope;

    @Option(
            names = "--role",
            split = ",",
            paramLabel = "<role>",
            description = "Role of the client's tokens; repeatable (default: integration).")
    List<String> roles = new ArrayList<>(List.of(Role.INTEGRATION.wireName()));

    @Option(
            names = "--project",
            split = ",",
            paramLabel = "<id>",
            description = "Project (ResearchStudy id) the client belongs to; repeatable.")
    List<String> projects = new ArrayList<>();

    @Override
    public Integer call() {
        RegisteredClient client;
        try {
            Set<Role> parsedRoles = new LinkedHashSet<>();
            for (String role : roles) {
                parsedRoles.add(Role.parse(role));
            }
            ScopeSet allowed = ScopeSet.parse(scope);
            Set<String> projectIds = new LinkedHashSet<>(projects);
            if (keys.jwksFile != null) {
                Optional<JWKSet> jwks = readJwks(keys.jwksFile);
                if (jwks.isEmpty()) {
                    return Cli.fail(
                            spec,
                            Cli.EXIT_INVALID_INPUT,
                            keys.jwksFile + " is not a JWK Set or JWK (RFC 7517)");
                }
                client =
                        RegisteredClient.withJwks(
                                clientId, jwks.get(), allowed, parsedRoles, projectIds);
            } else {
                client =
                        RegisteredClient.withJwksUri(
                                clientId, new URI(keys.jwksUrl), allowed, parsedRoles, projectIds);
            }
        } catch (NoSuchFileException e) {
            return Cli.fail(spec, Cli.EXIT_INVALID_INPUT, "no such file: " + keys.jwksFile);
        } catch (IOException e) {
            return Cli.ioFailure(spec, e);
        } catch (URISyntaxException e) {
            return Cli.fail(spec, Cli.EXIT_INVALID_INPUT, "--jwks-url is not a URL");
        } catch (IllegalArgumentException e) {
            return Cli.fail(spec, Cli.EXIT_INVALID_INPUT, e.getMessage());
        }
        try (SecurityStore store = dataDir.openStore()) {
            UserRegistry users = new UserRegistry(store);
            if (Cli.idTakenByUser(users, clientId)) {
                return Cli.fail(
                        spec,
                        Cli.EXIT_INVALID_INPUT,
                        "'"
                                + clientId
                                + "' is a user name; client ids and user names must differ"
                                + " because both become a token's sub");
            }
            new ClientRegistry(store).add(client);
        } catch (RegistryException e) {
            return e.code() == RegistryException.Code.ALREADY_EXISTS
                    ? Cli.fail(spec, Cli.EXIT_INVALID_INPUT, e.getMessage())
                    : Cli.ioFailure(spec, e);
        } catch (IOException e) {
            return Cli.ioFailure(spec, e);
        }
        spec.commandLine()
                .getOut()
                .println(
                        "registered client '"
                                + client.clientId()
                                + "': keys "
                                + client.jwks()
                                        .map(
                                                s ->
                                                        s.getKeys().stream()
                                                                .map(JWK::getKeyID)
                                                                .collect(Collectors.joining(", ")))
                                        .orElseGet(() -> client.jwksUri().orElseThrow().toString())
                                + "; scope "
                                + client.allowedScopes()
                                + "; roles "
                                + client.roles().stream()
                                        .map(Role::wireName)
                                        .sorted()
                                        .collect(Collectors.joining(", ")));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** A JWK Set, or a single JWK wrapped in one; empty when the file is neither. */
    private static Optional<JWKSet> readJwks(Path file) throws IOException {
        String json = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return Optional.of(JWKSet.parse(json));
        } catch (ParseException notASet) {
            try {
                return Optional.of(new JWKSet(JWK.parse(json)));
            } catch (ParseException notAKey) {
                // Neither: the caller reports it without echoing the content (it may be private).
                return Optional.empty();
            }
        }
    }
}
