package org.quorum.bridge.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest for what the bridge keeps that is PHI: crosswalk originals, HL7 messages
 * waiting in the inbox, dead-letter payloads. AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV
 * per value and the value's context (table and key) as associated data, so a ciphertext copied to
 * another row does not decrypt. Keyed digests (HMAC-SHA256 under a key derived from the same file)
 * let the crosswalk find an original without decrypting every row.
 *
 * <p>The key file holds 32 random bytes, base64-encoded; it must be readable by its owner only
 * (mode 0600), like an SSH private key.
 */
public final class Encryptor {

    private static final int VERSION = 1;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rw-------");

    private final SecretKeySpec key;
    private final SecretKeySpec digestKey;
    private final SecureRandom random = new SecureRandom();

    Encryptor(byte[] keyBytes) {
        if (keyBytes.length != 32) {
            throw new IllegalArgumentException("AES-256 needs a 32-byte key");
        }
        this.key = new SecretKeySpec(keyBytes, "AES");
        this.digestKey = new SecretKeySpec(hmac(keyBytes, "quorum-bridge-digest"), "HmacSHA256");
    }

    /**
     * Reads the key file, or creates it (mode 0600) when {@code createIfMissing} and it does not
     * exist.
     *
     * @throws KeyFileException when the file is missing, malformed or readable by others
     */
    public static Encryptor fromKeyFile(Path file, boolean createIfMissing) {
        if (!Files.exists(file)) {
            if (!createIfMissing) {
                throw new KeyFileException(file + " does not exist");
            }
            create(file);
        }
        try {
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                if (!OWNER_ONLY.containsAll(permissions)) {
                    throw new KeyFileException(
                            file
                                    + " is readable by others (mode "
                                    + PosixFilePermissions.toString(permissions)
                                    + "); run: chmod 600 "
                                    + file);
                }
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw new KeyFileException(file + " does not hold a base64-encoded key");
            }
            if (bytes.length != 32) {
                throw new KeyFileException(
                        file + " holds " + bytes.length + " bytes; an AES-256 key has 32");
            }
            Encryptor encryptor = new Encryptor(bytes);
            Arrays.fill(bytes, (byte) 0);
            return encryptor;
        } catch (IOException e) {
            throw new KeyFileException(file + " cannot be read: " + e.getMessage());
        }
    }

    /** Writes a new random key to {@code file} with mode 0600; refuses to overwrite one. */
    public static void create(Path file) {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createFile(file);
            }
            Files.writeString(
                    file,
                    Base64.getEncoder().encodeToString(bytes) + "\n",
                    StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException(file + " already exists; it is not overwritten");
        } catch (IOException e) {
            throw new KeyFileException(file + " cannot be created: " + e.getMessage());
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Encrypts {@code plain}, bound to {@code context} (e.g. "inbox:hl7:FAC|123"). */
    public byte[] encrypt(byte[] plain, String context) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = new byte[1 + IV_BYTES + sealed.length];
            out[0] = VERSION;
            System.arraycopy(iv, 0, out, 1, IV_BYTES);
            System.arraycopy(sealed, 0, out, 1 + IV_BYTES, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    public byte[] encrypt(String plain, String context) {
        return encrypt(plain.getBytes(StandardCharsets.UTF_8), context);
    }

    /**
     * Decrypts what {@link #encrypt} made for the same context.
     *
     * @throws TamperedException when the value was changed, moved to another context, or made with
     *     another key
     */
    public byte[] decrypt(byte[] sealed, String context) {
        if (sealed.length < 1 + IV_BYTES + TAG_BITS / 8 || sealed[0] != VERSION) {
            throw new TamperedException("not a value this bridge encrypted (" + context + ")");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    key,
                    new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(sealed, 1, 1 + IV_BYTES)));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed, 1 + IV_BYTES, sealed.length - 1 - IV_BYTES);
        } catch (AEADBadTagException e) {
            throw new TamperedException(
                    "authentication failed for " + context + " (another key, or altered data)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    public String decryptString(byte[] sealed, String context) {
        return new String(decrypt(sealed, context), StandardCharsets.UTF_8);
    }

    /** Keyed digest (hex HMAC-SHA256) of a value, for equality look-ups of encrypted values. */
    public String digest(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(digestKey);
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static byte[] hmac(byte[] keyBytes, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keyBytes, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "Encryptor[AES-256-GCM]";
    }

    /** The key file is missing, malformed or too open. */
    public static final class KeyFileException extends RuntimeException {
        public KeyFileException(String message) {
            super(message);
        }
    }

    /** A stored value failed authentication. */
    public static final class TamperedException extends RuntimeException {
        public TamperedException(String message) {
            super(message);
        }
    }
}
