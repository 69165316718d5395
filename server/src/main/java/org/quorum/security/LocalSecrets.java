package org.quorum.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random secrets that one Quorum installation makes for itself and keeps under {@code
 * <data>/security} (owner-only files, created once, shared by the server and the CLI), for keyed
 * values that need no operator-chosen secret: e.g. the pseudonymous observer IDs in Quorum's DICOM
 * SRs when no de-identification secret is configured.
 */
public final class LocalSecrets {

    private static final int SECRET_BYTES = 32;

    private LocalSecrets() {}

    /**
     * The secret named {@code name} (a file name such as {@code sr-observer.key}), made from 32
     * random bytes the first time it is asked for. The content is base64 text.
     */
    public static Path loadOrCreate(Path dataDir, String name) throws IOException {
        Path file = SecureFiles.securityDir(dataDir).resolve(name);
        byte[] random = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(random);
        SecureFiles.createIfAbsent(file, Base64.getEncoder().encode(random));
        if (Files.size(file) == 0) {
            throw new IOException("The local secret file " + file + " is empty.");
        }
        return file;
    }
}
