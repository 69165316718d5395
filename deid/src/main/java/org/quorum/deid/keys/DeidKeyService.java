package org.quorum.deid.keys;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The one keyed source of pseudonyms, date offsets, UIDs and surrogate choices for FHIR, text and
 * DICOM de-identification.
 *
 * <p>Everything is an HMAC-SHA256 of a domain-separated message under one project secret, so the
 * same input gives the same output on every node and run that holds the secret, and nothing can be
 * linked back without it. The patient key is the MRN: a patient gets the same pseudonym and the
 * same date offset wherever the MRN is known.
 *
 * <p>The secret is copied on construction and never leaves the instance: not in {@link
 * #toString()}, not in a log line, not in an exception message.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc2104">RFC 2104 HMAC</a>
 * @see <a
 *     href="https://dicom.nema.org/medical/dicom/current/output/chtml/part05/sect_B.2.html">DICOM
 *     PS3.5 §B.2 UUID-derived UIDs</a>
 */
public final class DeidKeyService {

    /** Environment variable that carries the secret for the CLI and the server. */
    public static final String SECRET_ENV = "QUORUM_DEID_SECRET";

    /**
     * NIST SP 800-107 §5.3.4: an HMAC key should carry at least as many bits as the security
     * wanted.
     */
    public static final int MIN_SECRET_BYTES = 16;

    /** Largest date shift, in days, either way. */
    public static final int MAX_DATE_OFFSET_DAYS = 365;

    private static final String HMAC = "HmacSHA256";
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final int PSEUDONYM_CHARS = 20; // 100 bits

    private final SecretKeySpec key;

    /**
     * @param secret the project secret, at least {@value #MIN_SECRET_BYTES} bytes; copied
     * @throws DeidSecretException if the secret is too short
     */
    public DeidKeyService(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new DeidSecretException(
                    "The de-identification secret is too short: use at least "
                            + MIN_SECRET_BYTES
                            + " bytes (e.g. 32 random bytes, base64-encoded).");
        }
        this.key = new SecretKeySpec(Arrays.copyOf(secret, secret.length), HMAC);
    }

    /**
     * Secret taken from the value of an environment variable, e.g. {@link #SECRET_ENV}; the value's
     * UTF-8 bytes are the key (surrounding white space removed).
     *
     * @throws DeidSecretException if the value is missing or too short
     */
    public static DeidKeyService fromEnvironmentValue(String value) {
        if (value == null || value.isBlank()) {
            throw new DeidSecretException(
                    "No de-identification secret: set " + SECRET_ENV + " or pass a secret file.");
        }
        return new DeidKeyService(value.strip().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Secret read from a key file: its bytes, less a trailing line break, are the key.
     *
     * @throws DeidSecretException if the file cannot be read or holds too short a secret
     */
    public static DeidKeyService fromKeyFile(Path keyFile) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(keyFile);
        } catch (IOException e) {
            throw new DeidSecretException(
                    "Cannot read the de-identification secret file "
                            + keyFile
                            + ": "
                            + e.getClass().getSimpleName(),
                    e);
        }
        int length = bytes.length;
        while (length > 0 && (bytes[length - 1] == '\n' || bytes[length - 1] == '\r')) {
            length--;
        }
        if (length == 0) {
            throw new DeidSecretException(
                    "The de-identification secret file " + keyFile + " is empty.");
        }
        byte[] secret = Arrays.copyOf(bytes, length);
        Arrays.fill(bytes, (byte) 0);
        return new DeidKeyService(secret);
    }

    /**
     * Stable pseudonym of an identifier: the kind's prefix, a dash and 20 base32 characters (100
     * bits of the HMAC), e.g. {@code MRN-K3V2…}. URL-safe, case-insensitive-safe.
     *
     * @param value the identifier; leading and trailing white space is ignored
     */
    public String pseudonym(IdentifierKind kind, String value) {
        byte[] mac = hmac("pseudonym", kind.name(), normalizeIdentifier(value));
        return kind.prefix() + "-" + base32(mac, PSEUDONYM_CHARS);
    }

    /**
     * Per-patient date shift in days, in [-365, -1] ∪ [1, 365]: never 0, so a shifted date never
     * equals the original.
     *
     * @param mrn the patient key (MRN); leading and trailing white space is ignored
     */
    public int dateOffsetDays(String mrn) {
        byte[] mac = hmac("date-offset", IdentifierKind.MRN.name(), normalizeIdentifier(mrn));
        int bucket = Math.floorMod(readInt(mac), 2 * MAX_DATE_OFFSET_DAYS);
        return bucket < MAX_DATE_OFFSET_DAYS ? -(bucket + 1) : bucket - MAX_DATE_OFFSET_DAYS + 1;
    }

    /**
     * A keyed pseudonym of {@code value} shaped as an RFC 4122 UUID (version 4 and variant bits
     * set, the other 122 bits from the HMAC), for identifiers that must stay UUIDs ({@code
     * urn:uuid:} values). Same secret, kind and value give the same UUID everywhere.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc4122#section-4.4">RFC 4122 §4.4</a>
     */
    public UUID pseudonymUuid(IdentifierKind kind, String value) {
        byte[] mac = hmac("uuid", kind.name(), normalizeIdentifier(value));
        mac[6] = (byte) ((mac[6] & 0x0f) | 0x40);
        mac[8] = (byte) ((mac[8] & 0x3f) | 0x80);
        return new UUID(readLong(mac), readLong(Arrays.copyOfRange(mac, 8, 16)));
    }

    /**
     * Deterministic replacement for a DICOM UID: {@code 2.25.} followed by the decimal value of 128
     * bits of the HMAC. At most 44 characters, within the 64 that PS3.5 §9.1 allows, and with no
     * leading zero in the last component.
     *
     * @see <a
     *     href="https://dicom.nema.org/medical/dicom/current/output/chtml/part05/chapter_9.html">PS3.5
     *     §9.1 UID encoding rules</a>
     */
    public String remapUid(String uid) {
        byte[] mac = hmac("uid", "DICOM", Objects.requireNonNull(uid, "uid").strip());
        BigInteger value = new BigInteger(1, Arrays.copyOf(mac, 16));
        return "2.25." + value.toString();
    }

    /**
     * Deterministic choice of one of {@code candidates} for a value, e.g. a surrogate first name
     * for a real one. The value is compared case- and space-insensitively, so "SMITH" and "Smith "
     * get the same surrogate.
     *
     * @param domain what is being replaced (keeps choices for different purposes independent)
     * @throws IllegalArgumentException if there are no candidates
     */
    public <T> T chooseSurrogate(String domain, String value, List<T> candidates) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("No surrogate candidates for domain " + domain);
        }
        return candidates.get(surrogateIndex(domain, value, candidates.size()));
    }

    /** Deterministic index in [0, bound) for a value; see {@link #chooseSurrogate}. */
    public int surrogateIndex(String domain, String value, int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive");
        }
        byte[] mac = hmac("surrogate", domain, normalizeForSurrogate(value));
        long unsigned = readLong(mac) >>> 1;
        return (int) (unsigned % bound);
    }

    /**
     * Deterministic digits to stand in for a number of the same length, e.g. a phone number. The
     * value is compared on its digits alone, so "555-810-7203" and "(555) 810 7203" agree.
     */
    public String surrogateDigits(String domain, String value, int length) {
        String digitsOnly = value.replaceAll("\\D", "");
        StringBuilder out = new StringBuilder(length);
        int counter = 0;
        while (out.length() < length) {
            byte[] mac = hmac("digits", domain + "#" + counter++, digitsOnly);
            for (byte b : mac) {
                int unsigned = b & 0xFF;
                if (unsigned < 250) { // reject 250..255 so each digit is uniform
                    out.append((char) ('0' + unsigned % 10));
                    if (out.length() == length) {
                        break;
                    }
                }
            }
        }
        return out.toString();
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "DeidKeyService[HmacSHA256, secret=<redacted>]";
    }

    private byte[] hmac(String purpose, String domain, String value) {
        Mac mac;
        try {
            mac = Mac.getInstance(HMAC);
            mac.init(key);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // Every Java SE platform must provide HmacSHA256 (JCA Standard Algorithm Names).
            throw new IllegalStateException("HmacSHA256 unavailable in this JVM", e);
        }
        // Length-prefixed fields: "a|bc" and "ab|c" can never produce the same message.
        for (String part : new String[] {purpose, domain, value}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            mac.update(intBytes(bytes.length));
            mac.update(bytes);
        }
        return mac.doFinal();
    }

    private static String normalizeIdentifier(String value) {
        return Objects.requireNonNull(value, "value").strip();
    }

    private static String normalizeForSurrogate(String value) {
        return Objects.requireNonNull(value, "value")
                .strip()
                .replaceAll("\\s+", " ")
                .toLowerCase(Locale.ROOT);
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static int readInt(byte[] b) {
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    private static long readLong(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    private static String base32(byte[] bytes, int chars) {
        StringBuilder out = new StringBuilder(chars);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5 && out.length() < chars) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
            if (out.length() == chars) {
                break;
            }
        }
        return out.toString();
    }
}
