package org.quorum.ops.backup.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import org.quorum.config.StorageSettings;
import org.quorum.ops.backup.BackupRestorer;
import org.quorum.security.cli.DataDirOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quorum restore --in FILE}: restores a {@code quorum backup} archive into an empty data
 * directory, checking every entry's checksum, then the restored database's counts and every DICOM
 * file against its index. Start the server on the directory afterwards.
 */
@Command(
        name = "restore",
        mixinStandardHelpOptions = true,
        description = "Restore a backup archive into an empty data directory.",
        footer = {"", "Exit codes: 0 restored and verified, 2 invalid use, 1 failure."})
public final class RestoreCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin DataDirOption dataDir;

    @Option(
            names = "--in",
            required = true,
            paramLabel = "<file>",
            description = "The archive written by quorum backup.")
    Path in;

    @Override
    public Integer call() {
        StorageSettings storage;
        try {
            storage = dataDir.storage();
        } catch (RuntimeException e) {
            return fail(2, e.getMessage());
        }
        if (storage.database() != StorageSettings.Database.H2) {
            return fail(
                    2,
                    "this installation uses PostgreSQL: restore it with pg_restore or point-in-time"
                            + " recovery (docs/operations.md)");
        }
        if (!Files.isRegularFile(in)) {
            return fail(2, "no such file: " + in);
        }
        try {
            BackupRestorer.Restored restored =
                    BackupRestorer.restore(in, storage.dataDir(), storage.dicomDir());
            spec.commandLine()
                    .getOut()
                    .printf(
                            "restored %s into %s (backup of %s): %d FHIR resources, %d DICOM"
                                    + " instances, %d files; counts and checksums verified%n",
                            in,
                            storage.dataDir(),
                            restored.manifest().created(),
                            restored.manifest().fhirTotal(),
                            restored.counts().dicomInstances(),
                            restored.manifest().entries().size());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (IOException | SQLException e) {
            return fail(1, "restore failed: " + e.getMessage());
        }
    }

    private int fail(int code, String message) {
        spec.commandLine().getErr().println("error: " + message);
        spec.commandLine().getErr().flush();
        return code;
    }
}
