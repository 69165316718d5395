package org.quorum.security.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code quorum user}: users of Quorum's own authorization server. */
@Command(
        name = "user",
        mixinStandardHelpOptions = true,
        synopsisSubcommandLabel = "COMMAND",
        description = "Manage users of Quorum's own authorization server.",
        subcommands = {UserAddCommand.class, UserTokenCommand.class})
public final class UserCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: add or token");
    }
}
