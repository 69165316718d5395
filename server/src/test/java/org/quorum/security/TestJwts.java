package org.quorum.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

/** Keys and hand-made JWTs for tests, including ones Quorum must refuse. */
final class TestJwts {

    private TestJwts() {}

    static ECKey ecKey(Curve curve, String kid) {
        try {
            return new ECKeyGenerator(curve).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs {@code claims} with {@code key} (private) under {@code alg}, naming {@code kid}. */
    static String sign(
            JWK key, JWSAlgorithm alg, String kid, JOSEObjectType type, JWTClaimsSet claims) {
        try {
            JWSSigner signer =
                    key instanceof RSAKey
                            ? new RSASSASigner((RSAKey) key)
                            : new ECDSASigner((ECKey) key);
            JWSHeader.Builder header = new JWSHeader.Builder(alg).keyID(kid);
            if (type != null) {
                header.type(type);
            }
            SignedJWT jwt = new SignedJWT(header.build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWT with header {@code {"alg":"none"}} and no signature (RFC 7519 §6). */
    static String unsigned(JWTClaimsSet claims) {
        return Base64URL.encode("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "."
                + Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8))
                + ".";
    }

    static JWTClaimsSet claimsOf(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet();
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    static Date at(Instant instant) {
        return Date.from(instant);
    }
}
