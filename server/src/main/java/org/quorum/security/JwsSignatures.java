package org.quorum.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.util.List;
import java.util.Set;

/**
 * Signature checks shared by the token verifier and the client assertion verifier. Only asymmetric
 * algorithms are ever accepted: with an HMAC algorithm an attacker who knows a public key could use
 * it as the shared secret, and {@code none} has no signature at all (RFC 8725 §2.1, §3.1).
 */
final class JwsSignatures {

    /**
     * RSA keys shorter than this are refused (RFC 7518 §3.3: "2048 bits or larger MUST be used").
     */
    static final int MIN_RSA_BITS = 2048;

    private JwsSignatures() {}

    /** Keys that may have signed a JWS with {@code header}: by {@code kid}, else all compatible. */
    static List<JWK> candidates(JWKSet keys, JWSHeader header) {
        String kid = header.getKeyID();
        return keys.getKeys().stream()
                .filter(k -> kid == null || kid.equals(k.getKeyID()))
                .filter(k -> compatible(k, header.getAlgorithm()))
                .toList();
    }

    /** Whether any key in {@code keys} has this {@code kid}, whatever its type. */
    static boolean hasKeyId(JWKSet keys, String kid) {
        return kid != null && keys.getKeyByKeyId(kid) != null;
    }

    /**
     * Whether {@code key} may verify {@code alg}: RFC 7517 §4.2 {@code use} and §4.4 {@code alg},
     * when present, must allow it, and the key type and curve must match the algorithm.
     */
    static boolean compatible(JWK key, JWSAlgorithm alg) {
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return false;
        }
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
            return false;
        }
        if (JWSAlgorithm.Family.RSA.contains(alg) && !alg.getName().startsWith("PS")) {
            return key instanceof RSAKey && key.size() >= MIN_RSA_BITS;
        }
        if (JWSAlgorithm.ES256.equals(alg)) {
            return key instanceof ECKey && Curve.P_256.equals(((ECKey) key).getCurve());
        }
        if (JWSAlgorithm.ES384.equals(alg)) {
            return key instanceof ECKey && Curve.P_384.equals(((ECKey) key).getCurve());
        }
        return false;
    }

    /** Verifies the signature of {@code jwt} with {@code key} (already {@link #compatible}). */
    static boolean verify(SignedJWT jwt, JWK key) throws JOSEException {
        if (jwt.getSignature() == null || jwt.getSignature().toString().isEmpty()) {
            return false;
        }
        if (key instanceof RSAKey) {
            // Critical header parameters are refused: Quorum understands none (RFC 7515 §4.1.11).
            return jwt.verify(new RSASSAVerifier(((RSAKey) key).toRSAPublicKey(), Set.of()));
        }
        if (key instanceof ECKey) {
            return jwt.verify(new ECDSAVerifier(((ECKey) key).toECPublicKey(), Set.of()));
        }
        return false;
    }
}
