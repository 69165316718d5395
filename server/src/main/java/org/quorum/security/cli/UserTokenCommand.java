package org.quorum.security.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.quorum.security.InvalidScopeException;
import org.quorum.security.IssuedToken;
import org.quorum.security.ScopeSet;
import org.quorum.security.SecurityStore;
import org.quorum.security.SigningKeys;
import org.quorum.security.TokenIssuer;
import org.quorum.security.User;
import org.quorum.security.UserRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quorum user token <name> [--scope "<scopes>"] [--lifetime 8h]}: signs an access token for
 * a user with the server's key (from the shared data directory) and prints it as the <em>last
 * line</em> of standard output, after lines starting with {@code #} that describe it:
 *
 * <pre>
 * TOKEN=$(quorum user token alice | tail -n 1)
 * curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/fhir/Observation
 * </pre>
 *
 * <p>The token's {@code client_id} is {@value #CLIENT_ID}. The issuer and audience must be what the
 * server verifies (defaults: {@code $QUORUM_PUBLIC_BASE_URL} or {@code http://127.0.0.1:8080}, and
 * that plus {@code /fhir}).
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Print an access token for a user (the last line of the output).",
        footer = {
            "",
            "Exit codes: 0 printed, 2 unknown user or invalid scope/lifetime, 1 file error."
        })
public final class UserTokenCommand implements Callable<Integer> {

    /** The {@code client_id} of tokens made by this command. */
    public static final String CLIENT_ID = "quorum-cli";

    @Spec CommandSpec spec;

    @Mixin DataDirOption dataDir;

    @Mixin IssuerOptions issuerOptions;

    @Parameters(index = "0", paramLabel = "<name>", description = "User name.")
    String name;

    @Option(
            names = "--scope",
            paramLabel = "<scopes>",
            description = "Space-separated SMART scopes (default: user/*.cruds fhirUser).")
    String scope;

    @Option(
            names = "--lifetime",
            paramLabel = "<duration>",
            converter = Cli.DurationConverter.class,
            description = "Token lifetime, e.g. 30m, 8h, PT1H (default: 60m, at most 24h).")
    Duration lifetime = TokenIssuer.DEFAULT_USER_TOKEN_LIFETIME;

    @Override
    public Integer call() {
        ScopeSet requested;
        try {
            requested = scope == null ? User.DEFAULT_SCOPE : ScopeSet.parse(scope);
        } catch (InvalidScopeException e) {
            return Cli.fail(spec, Cli.EXIT_INVALID_INPUT, e.getMessage());
        }
        ScopeSet granted = requested.intersect(User.SCOPE_CEILING);
        if (granted.isEmpty()) {
            return Cli.fail(
                    spec,
                    Cli.EXIT_INVALID_INPUT,
                    "none of the requested scopes can be granted to a user; users may have "
                            + User.SCOPE_CEILING);
        }
        IssuedToken token;
        String issuerUrl;
        String audienceUrl;
        try (SecurityStore store = dataDir.openStore()) {
            UserRegistry users = new UserRegistry(store);
            Optional<User> user = users.find(name);
            if (user.isEmpty()) {
                return Cli.fail(
                        spec,
                        Cli.EXIT_INVALID_INPUT,
                        "no user '"
                                + name
                                + "' in "
                                + users.location()
                                + "; add one with: quorum user add "
                                + name
                                + " --role <role>");
            }
            SigningKeys keys = SigningKeys.loadOrCreate(store);
            issuerUrl = issuerOptions.issuer(store);
            audienceUrl = issuerOptions.audience(store);
            TokenIssuer issuer = new TokenIssuer(keys, issuerUrl, audienceUrl, Clock.systemUTC());
            token = issuer.issueForUser(user.get(), CLIENT_ID, granted, lifetime);
        } catch (IOException e) {
            return Cli.ioFailure(spec, e);
        } catch (IllegalArgumentException e) {
            return Cli.fail(spec, Cli.EXIT_INVALID_INPUT, e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(
                "# access token for user '"
                        + name
                        + "', issuer "
                        + issuerUrl
                        + ", audience "
                        + audienceUrl);
        out.println("# scope: " + token.scope() + "; expires " + token.expiresAt());
        out.println(token.accessToken());
        out.flush();
        return 0;
    }
}
