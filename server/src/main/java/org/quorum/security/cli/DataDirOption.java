package org.quorum.security.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir}: the data directory the CLI shares with the server. */
public final class DataDirOption {

    @Option(
            names = "--data-dir",
            paramLabel = "<dir>",
            defaultValue = "${env:QUORUM_DATA_DIR:-./data}",
            description =
                    "Data directory shared with the server; security files live in"
                            + " <dir>/security (default: $QUORUM_DATA_DIR or ./data).")
    Path dataDir;

    /** The data directory, absolute. */
    public Path dataDir() {
        return dataDir.toAbsolutePath().normalize();
    }
}
