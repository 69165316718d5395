package org.quorum.security.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code quorum client}: backend services registered for SMART Backend Services. */
@Command(
        name = "client",
        mixinStandardHelpOptions = true,
        synopsisSubcommandLabel = "COMMAND",
        description = "Manage backend services registered for SMART Backend Services.",
        subcommands = {ClientAddCommand.class})
public final class ClientCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: add");
    }
}
