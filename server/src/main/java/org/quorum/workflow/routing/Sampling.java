package org.quorum.workflow.routing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic sampling: whether a case falls in a sample of a given fraction, decided by a hash
 * of the project and the case, so that the same case is always in or out (on every node, after
 * every restart) and the decision cannot be steered by the order in which cases arrive.
 */
public final class Sampling {

    private Sampling() {}

    /**
     * Whether {@code key} is in a sample of {@code fraction} for {@code purpose} (different
     * purposes sample independently).
     */
    public static boolean selected(String purpose, String key, double fraction) {
        if (fraction <= 0) {
            return false;
        }
        if (fraction >= 1) {
            return true;
        }
        return position(purpose + "\n" + key) < fraction;
    }

    /** A number in [0, 1) from the first 64 bits of SHA-256 of {@code text}. */
    static double position(String text) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            long bits = ByteBuffer.wrap(hash).getLong() >>> 11;
            return bits / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
