package org.quorum.deid.cli;

import java.nio.file.Path;
import java.util.Map;
import org.quorum.deid.keys.DeidKeyService;
import org.quorum.deid.keys.DeidSecretException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The project secret for the {@code quorum deid} commands: {@code --secret-file}, else {@value
 * DeidKeyService#SECRET_ENV}. A missing or unusable secret is a usage error (exit 2) whose message
 * never contains the secret.
 */
final class DeidSecrets {

    private DeidSecrets() {}

    static DeidKeyService load(Path secretFile, Map<String, String> environment, CommandSpec spec) {
        try {
            if (secretFile != null) {
                return DeidKeyService.fromKeyFile(secretFile);
            }
            String value = environment.get(DeidKeyService.SECRET_ENV);
            if (value == null || value.isBlank()) {
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
