package org.quorum.security;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random secrets that one Quorum installation makes for itself and keeps in its security store
 * (owner-only files, or encrypted rows shared by every node), created once and shared by the
 * server, the CLI and every node, for keyed values that need no operator-chosen secret: e.g. the
 * pseudonymous observer IDs in Quorum's DICOM SRs when no de-identification secret is configured
 * (every node must give an annotator the same pseudonym).
 */
public final class LocalSecrets {

    /** The local secret behind annotator pseudonyms in DICOM SRs. */
    public static final String SR_OBSERVER_KEY = "sr-observer.key";

    private static final int SECRET_BYTES = 32;

    private LocalSecrets() {}

    /**
     * The secret named {@code name} (such as {@code sr-observer.key}), made from 32 random bytes
     * the first time it is asked for: its base64 text.
     */
    public static byte[] loadOrCreate(SecurityStore store, String name) throws IOException {
        SecurityStore.SecureDocument document =
                store.document(name, SecurityStore.Sensitivity.SECRET);
        byte[] random = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(random);
        document.createIfAbsent(Base64.getEncoder().encode(random));
        byte[] secret =
                document.read()
                        .map(SecurityStore.SecureDocument.Version::content)
                        .orElseThrow(() -> new IOException(document.describe() + " is missing"));
        int length = secret.length;
        while (length > 0 && (secret[length - 1] == '\n' || secret[length - 1] == '\r')) {
            length--;
        }
        if (length == 0) {
            throw new IOException("The local secret " + document.describe() + " is empty.");
        }
        return java.util.Arrays.copyOf(secret, length);
    }
}
