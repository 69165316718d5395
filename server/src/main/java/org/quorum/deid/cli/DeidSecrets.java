package org.quorum.deid.cli;

import java.nio.file.Path;
import java.util.Map;
import org.quorum.config.DeidSettings;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.DeidSecretException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The project secret for the {@code quorum deid} commands (a picocli mixin): {@code --secret-file},
 * else {@value DeidKeyService#SECRET_ENV}, else a file named by {@value DeidSettings#SECRET_FILE}
 * (the same two variables the server reads). A missing or unusable secret is a usage error (exit 2)
 * whose message never contains the secret.
 */
final class DeidSecrets {

    @Option(
            names = "--secret-file",
            paramLabel = "FILE",
            description =
                    "File holding the de-identification secret; default: environment variable "
                            + DeidKeyService.SECRET_ENV
                            + " (or a file named by "
                            + DeidSettings.SECRET_FILE
                            + ").")
    private Path secretFile;

    DeidKeyService load(Map<String, String> environment, CommandSpec spec) {
        try {
            if (secretFile != null) {
                return DeidKeyService.fromKeyFile(secretFile);
            }
            String value = environment.get(DeidKeyService.SECRET_ENV);
            String file = environment.get(DeidSettings.SECRET_FILE);
            boolean hasValue = value != null && !value.isBlank();
            boolean hasFile = file != null && !file.isBlank();
            if (hasValue && hasFile) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Set either "
                                + DeidKeyService.SECRET_ENV
                                + " or "
                                + DeidSettings.SECRET_FILE
                                + ", not both.");
            }
            if (hasFile) {
                return DeidKeyService.fromKeyFile(Path.of(file.strip()));
            }
            if (!hasValue) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Missing de-identification secret: set "
                                + DeidKeyService.SECRET_ENV
                                + " or pass --secret-file FILE.");
            }
            return DeidKeyService.fromEnvironmentValue(value);
        } catch (DeidSecretException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
