package org.quorum.cli;

import org.quorum.fhir.QuorumVersion;
import org.quorum.ops.backup.cli.BackupCommand;
import org.quorum.ops.backup.cli.RestoreCommand;
import org.quorum.quality.cli.AgreementCommand;
import org.quorum.security.cli.ClientCommand;
import org.quorum.security.cli.UserCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code quorum} command line; each capability adds its subcommands here. */
@Command(
        name = "quorum",
        mixinStandardHelpOptions = true,
        versionProvider = QuorumCommand.Version.class,
        description = "Quorum: trustworthy, interoperable clinical AI training labels.",
        subcommands = {
            ServeCommand.class,
            UserCommand.class,
            ClientCommand.class,
            AgreementCommand.class,
            DeidCommand.class,
            BackupCommand.class,
            RestoreCommand.class,
            CommandLine.HelpCommand.class
        })
public final class QuorumCommand {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        // One-line usage errors ("error: ... (see 'quorum agreement --help')"), exit status 2.
        return new CommandLine(new QuorumCommand())
                .setParameterExceptionHandler(AgreementCommand::reportUsageError);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Quorum " + QuorumVersion.get()};
        }
    }
}
