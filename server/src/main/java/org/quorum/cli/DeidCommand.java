package org.quorum.cli;

import org.quorum.deid.cli.DeidDicomCommand;
import org.quorum.deid.cli.DeidFhirCommand;
import org.quorum.deid.cli.DeidTextCommand;
import picocli.CommandLine.Command;

/** {@code quorum deid}: de-identification commands (HIPAA Safe Harbor). */
@Command(
        name = "deid",
        mixinStandardHelpOptions = true,
        description = "De-identify clinical data before annotators see it.",
        subcommands = {DeidTextCommand.class, DeidFhirCommand.class, DeidDicomCommand.class})
public final class DeidCommand {}
