package org.quorum.security.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.quorum.security.ClientRegistry;
import org.quorum.security.PasswordHasher;
import org.quorum.security.RegistryException;
import org.quorum.security.Role;
import org.quorum.security.SecurityStore;
import org.quorum.security.User;
import org.quorum.security.UserRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quorum user add <name> --role <role> [--project <id>] [--fhir-user <ref>]
 * [--password-stdin]}: adds a user to {@code <data-dir>/security/users.json}. The running server
 * sees the user at its next {@link UserRegistry#reloadIfChanged()}.
 *
 * <p>The password, if any, is read from the first line of standard input, never from the command
 * line (where it would stay in shell history and the process list).
 */
@Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description = "Add a user of Quorum's own authorization server.",
        footer = {
            "",
            "Roles: annotator, reviewer, adjudicator, project-admin, integration, auditor,"
                    + " deid-admin.",
            "Exit codes: 0 added, 2 invalid input or user exists, 1 file error."
        })
public final class UserAddCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin DataDirOption dataDir;

    @Parameters(index = "0", paramLabel = "<name>", description = "User name (the token's sub).")
    String name;

    @Option(
            names = "--role",
            required = true,
            split = ",",
            paramLabel = "<role>",
            description = "Role; repeat or separate with commas.")
    List<String> roles = new ArrayList<>();

    @Option(
            names = "--project",
            split = ",",
            paramLabel = "<id>",
            description = "Project (ResearchStudy id) the user is a member of; repeatable.")
    List<String> projects = new ArrayList<>();

    @Option(
            names = "--fhir-user",
            paramLabel = "<reference>",
            description = "FHIR resource representing the user, e.g. PractitionerRole/123.")
    String fhirUser;

    @Option(
            names = "--password-stdin",
            description =
                    "Read a password (8+ characters) from the first line of standard input, for"
                            + " the password grant. Without it the user gets tokens from"
                            + " 'quorum user token' only.")
    boolean passwordStdin;

    private final InputStream stdin;

    public UserAddCommand() {
        this(System.in);
    }

    /**
     * @param stdin where {@code --password-stdin} reads from
     */
    public UserAddCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        Set<Role> parsedRoles = new LinkedHashSet<>();
        User user;
        try {
            for (String role : roles) {
                parsedRoles.add(Role.parse(role));
            }
            user =
                    new User(
                            name,
                            parsedRoles,
                            new LinkedHashSet<>(projects),
                            Optional.ofNullable(fhirUser),
                            Optional.empty());
        } catch (IllegalArgumentException e) {
            return Cli.fail(spec, Cli.EXIT_INVALID_INPUT, e.getMessage());
        }
        char[] password = null;
        try (SecurityStore store = dataDir.openStore()) {
            UserRegistry users = new UserRegistry(store);
            ClientRegistry clients = new ClientRegistry(store);
            if (Cli.nameTakenByClient(clients, name)) {
                return Cli.fail(
                        spec,
                        Cli.EXIT_INVALID_INPUT,
                        "'"
                                + name
                                + "' is a registered client id; user names and client ids must"
                                + " differ because both become a token's sub");
            }
            if (passwordStdin) {
                password = readLine(stdin);
                if (password.length == 0) {
                    return Cli.fail(
                            spec,
                            Cli.EXIT_INVALID_INPUT,
                            "--password-stdin: no password on standard input");
                }
                user = user.withPassword(users.hasher().hash(password));
            }
            users.add(user);
        } catch (RegistryException e) {
            return e.code() == RegistryException.Code.ALREADY_EXISTS
                    ? Cli.fail(spec, Cli.EXIT_INVALID_INPUT, e.getMessage())
                    : Cli.ioFailure(spec, e);
        } catch (IOException e) {
            return Cli.ioFailure(spec, e);
        } catch (IllegalArgumentException e) {
            // The password is too short or long; the message does not contain it.
            return Cli.fail(spec, Cli.EXIT_INVALID_INPUT, e.getMessage());
        } finally {
            PasswordHasher.clear(password);
        }
        spec.commandLine()
                .getOut()
                .println(
                        "added user '"
                                + user.name()
                                + "': roles "
                                + user.roles().stream()
                                        .map(Role::wireName)
                                        .sorted()
                                        .collect(Collectors.joining(", "))
                                + "; projects "
                                + (user.projects().isEmpty()
                                        ? "none"
                                        : String.join(
                                                ", ", user.projects().stream().sorted().toList()))
                                + "; fhirUser "
                                + user.fhirUser().orElse("none")
                                + "; password "
                                + (user.password().isPresent() ? "set" : "none"));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The first line of {@code in}, without its line end, as characters (no String copy). */
    private static char[] readLine(InputStream in) throws IOException {
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        char[] buffer = new char[64];
        int length = 0;
        int c;
        while ((c = reader.read()) != -1 && c != '\n') {
            if (length == buffer.length) {
                char[] bigger = Arrays.copyOf(buffer, buffer.length * 2);
                Arrays.fill(buffer, '\0');
                buffer = bigger;
            }
            buffer[length++] = (char) c;
        }
        if (length > 0 && buffer[length - 1] == '\r') {
            length--;
        }
        char[] line = Arrays.copyOf(buffer, length);
        Arrays.fill(buffer, '\0');
        return line;
    }
}
