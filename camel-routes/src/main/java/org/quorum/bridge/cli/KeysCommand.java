package org.quorum.bridge.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.quorum.bridge.auth.ClientKeys;
import org.quorum.bridge.store.Encryptor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quorum bridge keys client|encryption}: the bridge's key files, made with mode 0600. */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = "Creates the bridge's key files.",
        subcommands = {KeysCommand.Client.class, KeysCommand.Encryption.class})
final class KeysCommand {

    @Command(
            name = "client",
            mixinStandardHelpOptions = true,
            description = {
                "Creates the bridge's SMART client key (EC P-384, ES384): a private JWK set for"
                        + " QUORUM_BRIDGE_QUORUM_KEY_FILE and its public half to register with"
                        + " 'quorum client add <id> --jwks-file PUBLIC --scope \"system/*.cru\""
                        + " --role integration'."
            })
    static final class Client implements Callable<Integer> {
        @Option(
                names = "--private",
                required = true,
                description = "Private JWK set to write (mode 0600).")
        Path privateFile;

        @Option(names = "--public", required = true, description = "Public JWK set to write.")
        Path publicFile;

        @Override
        public Integer call() {
            if (Files.exists(privateFile) || Files.exists(publicFile)) {
                System.err.println("refusing to overwrite an existing key file");
                return 1;
            }
            ClientKeys.create(privateFile, publicFile);
            System.out.println("private key: " + privateFile.toAbsolutePath());
            System.out.println("public key set: " + publicFile.toAbsolutePath());
            return 0;
        }
    }

    @Command(
            name = "encryption",
            mixinStandardHelpOptions = true,
            description =
                    "Creates the AES-256 key for QUORUM_BRIDGE_ENCRYPTION_KEY_FILE (mode 0600).")
    static final class Encryption implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "Key file to write.")
        Path out;

        @Override
        public Integer call() {
            try {
                Encryptor.create(out);
            } catch (Encryptor.KeyFileException e) {
                System.err.println(e.getMessage());
                return 1;
            }
            System.out.println("encryption key: " + out.toAbsolutePath());
            return 0;
        }
    }
}
