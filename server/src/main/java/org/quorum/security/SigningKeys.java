package org.quorum.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Quorum's own token signing key: EC P-256 for ES256 (RFC 7518 §3.4), generated on first use and
 * kept in {@code <data-dir>/security/}{@value #FILE_NAME}, readable by the owner only.
 *
 * <p><b>File format.</b> A JWK Set (RFC 7517 §5): the first key is the current private key, the
 * others are previous public keys, kept after a {@link #rotate()} so that tokens signed before it
 * stay valid until they expire. Each key's {@code kid} is its RFC 7638 JWK thumbprint (SHA-256,
 * base64url), so a key id never names two keys.
 *
 * <p>The server and the CLI ({@code quorum user token}) are separate processes sharing this file;
 * the file is replaced by atomic rename, and {@link #reloadIfChanged()} picks up a rotation done by
 * the other process.
 *
 * <p>The private key never leaves this class: {@link #toString()} names key ids only, and {@link
 * #publicJwks()} holds public keys only.
 */
public final class SigningKeys {

    /** The key file's name under {@code <data-dir>/security/}. */
    public static final String FILE_NAME = "signing-keys.jwks.json";

    /** How many previous public keys a rotation keeps in the JWKS. */
    public static final int PREVIOUS_KEYS_KEPT = 1;

    private final SecurityStore.SecureDocument file; // null: in memory only
    private volatile State state;

    private record State(ECKey current, List<ECKey> previous, Object stamp) {
        JWKSet publicSet() {
            List<JWK> keys = new ArrayList<>();
            keys.add(current.toPublicJWK());
            keys.addAll(previous);
            return new JWKSet(keys);
        }

        JWKSet fileContent() {
            List<JWK> keys = new ArrayList<>();
            keys.add(current);
            keys.addAll(previous);
            return new JWKSet(keys);
        }
    }

    private SigningKeys(SecurityStore.SecureDocument file, State state) {
        this.file = file;
        this.state = state;
    }

    /**
     * Loads the signing key from {@code dataDir/security/}{@value #FILE_NAME}, generating and
     * saving a new one when there is none.
     *
     * @throws IOException when the file cannot be read or written, is not a valid key file, or is
     *     readable by other users (the message says which and how to fix it)
     */
    public static SigningKeys loadOrCreate(Path dataDir) throws IOException {
        return loadOrCreate(SecurityStore.files(dataDir));
    }

    /**
     * Loads the signing key from the store, generating and saving a new one when there is none.
     * Several processes or nodes may start at once: the first to create the key wins, the others
     * use it.
     *
     * @throws IOException when the key cannot be read or written or is not valid (the message says
     *     which and how to fix it)
     */
    public static SigningKeys loadOrCreate(SecurityStore store) throws IOException {
        SecurityStore.SecureDocument file =
                store.document(FILE_NAME, SecurityStore.Sensitivity.SECRET);
        Optional<SecurityStore.SecureDocument.Version> existing = file.read();
        if (existing.isEmpty()) {
            State fresh = new State(generate(), List.of(), -1L);
            // If another process created one meanwhile, use that one.
            file.createIfAbsent(serialize(fresh));
            existing = file.read();
        }
        return new SigningKeys(file, parse(file, existing.orElseThrow()));
    }

    /** A key that lives in memory only, for tests and throw-away servers. */
    public static SigningKeys ephemeral() {
        return new SigningKeys(null, new State(generate(), List.of(), -1L));
    }

    /** The {@code kid} of the current signing key (its RFC 7638 thumbprint). */
    public String currentKeyId() {
        return state.current().getKeyID();
    }

    /** The public keys, current first: the document to serve at the {@code jwks_uri}. */
    public JWKSet publicJwks() {
        return state.publicSet();
    }

    /**
     * {@link #publicJwks()} as JSON (RFC 7517 §5), content type {@code application/jwk-set+json}.
     */
    public String publicJwksJson() {
        return state.publicSet().toString(true);
    }

    /**
     * Replaces the signing key by a new one; the old public key stays in the JWKS ({@value
     * #PREVIOUS_KEYS_KEPT} kept) so that tokens it signed verify until they expire.
     */
    public void rotate() throws IOException {
        if (file == null) {
            synchronized (this) {
                state = rotated(state);
            }
            return;
        }
        SecurityStore.SecureDocument.Version written =
                file.update(
                        current -> {
                            if (current.isEmpty()) {
                                throw new IOException(file.describe() + " has disappeared");
                            }
                            return serialize(
                                    rotated(
                                            parse(
                                                    file,
                                                    new SecurityStore.SecureDocument.Version(
                                                            current.get(), -1L))));
                        });
        state = parse(file, written);
    }

    private static State rotated(State old) {
        List<ECKey> previous = new ArrayList<>();
        previous.add(old.current().toPublicJWK());
        previous.addAll(old.previous());
        return new State(
                generate(),
                List.copyOf(previous.subList(0, Math.min(PREVIOUS_KEYS_KEPT, previous.size()))),
                old.stamp());
    }

    /**
     * Re-reads the key file if another process replaced it (e.g. rotated the key).
     *
     * @return whether the keys changed
     */
    public boolean reloadIfChanged() throws IOException {
        if (file == null) {
            return false;
        }
        if (file.stamp().equals(state.stamp())) {
            return false;
        }
        synchronized (this) {
            Optional<SecurityStore.SecureDocument.Version> latest = file.read();
            if (latest.isEmpty()) {
                throw new IOException(file.describe() + " has disappeared");
            }
            State next = parse(file, latest.get());
            boolean changed = !next.publicSet().equals(state.publicSet());
            state = next;
            return changed;
        }
    }

    /** The public key with this {@code kid}, current or previous. */
    Optional<ECKey> publicKey(String kid) {
        State current = state;
        if (current.current().getKeyID().equals(kid)) {
            return Optional.of(current.current().toPublicJWK());
        }
        return current.previous().stream().filter(k -> k.getKeyID().equals(kid)).findFirst();
    }

    /** Signs {@code claims} with the current key, adding {@code alg} ES256 and {@code kid}. */
    SignedJWT sign(JWSHeader.Builder header, JWTClaimsSet claims) {
        ECKey key = state.current();
        SignedJWT jwt = new SignedJWT(header.keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            // A P-256 key generated or checked by this class always signs ES256.
            throw new IllegalStateException("ES256 signing failed", e);
        }
        return jwt;
    }

    static JWSHeader.Builder es256Header() {
        return new JWSHeader.Builder(JWSAlgorithm.ES256);
    }

    private static ECKey generate() {
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .keyIDFromThumbprint(true) // RFC 7638
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("this JDK cannot generate EC P-256 keys", e);
        }
    }

    private static byte[] serialize(State state) {
        return (state.fileContent().toString(false) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static State parse(
            SecurityStore.SecureDocument source, SecurityStore.SecureDocument.Version version)
            throws IOException {
        Object stamp = version.stamp();
        String file = source.describe();
        String json = new String(version.content(), StandardCharsets.UTF_8);
        // Parse errors are not chained: their messages may quote the private key.
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IOException(
                    file
                            + " is not a JWK Set (RFC 7517 §5); restore it or delete it"
                            + " to generate a new key (tokens signed with the old key become invalid)");
        }
        List<JWK> keys = set.getKeys();
        if (keys.isEmpty()
                || !(keys.get(0) instanceof ECKey)
                || !keys.get(0).isPrivate()
                || !Curve.P_256.equals(((ECKey) keys.get(0)).getCurve())) {
            throw new IOException(
                    file + ": the first key must be the current private EC P-256 signing key");
        }
        List<ECKey> previous = new ArrayList<>();
        for (JWK key : keys.subList(1, keys.size())) {
            if (!(key instanceof ECKey) || key.getKeyID() == null) {
                throw new IOException(file + ": previous keys must be EC keys with a kid");
            }
            previous.add(((ECKey) key).toPublicJWK());
        }
        ECKey current = (ECKey) keys.get(0);
        if (current.getKeyID() == null) {
            throw new IOException(file + ": the current key has no kid");
        }
        return new State(current, List.copyOf(previous), stamp);
    }

    @Override
    public String toString() {
        State current = state;
        return "SigningKeys[kid="
                + current.current().getKeyID()
                + ", previous="
                + current.previous().stream().map(JWK::getKeyID).toList()
                + (file == null ? ", in memory" : ", in " + file.describe())
                + "]";
    }
}
