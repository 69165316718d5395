package org.quorum.bridge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;

/**
 * The bridge's SMART client key: a private JWK set the bridge signs client assertions with, and its
 * public half that an EHR or Quorum registers ({@code quorum client add <id> --jwks-file
 * public.jwks.json}).
 */
public final class ClientKeys {

    private ClientKeys() {}

    /** The signing key and the JWS algorithm that goes with it. */
    public record SigningKey(JWK key, JWSAlgorithm algorithm) {}

    /**
     * Creates an EC P-384 key (ES384, which SMART Backend Services names first) and writes the
     * private set (mode 0600) and the public set.
     */
    public static void create(Path privateFile, Path publicFile) {
        try {
            ECKey key =
                    new ECKeyGenerator(Curve.P_384)
                            .keyUse(KeyUse.SIGNATURE)
                            .algorithm(JWSAlgorithm.ES384)
                            .keyIDFromThumbprint(true)
                            .generate();
            if (privateFile.getParent() != null) {
                Files.createDirectories(privateFile.getParent());
            }
            if (privateFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(
                        privateFile,
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(privateFile);
            }
            Files.writeString(
                    privateFile, new JWKSet(key).toString(false) + "\n", StandardCharsets.UTF_8);
            Files.writeString(
                    publicFile,
                    new JWKSet(key.toPublicJWK()).toString() + "\n",
                    StandardCharsets.UTF_8);
        } catch (JOSEException | IOException e) {
            throw new IllegalStateException("Cannot create the client key: " + e.getMessage(), e);
        }
    }

    /** Reads the first private key of a JWK set file. */
    public static SigningKey load(Path privateFile) {
        JWKSet set;
        try {
            set = JWKSet.load(privateFile.toFile());
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException(
                    privateFile + " is not a JWK set: " + e.getMessage(), e);
        }
        for (JWK key : set.getKeys()) {
            if (key.isPrivate()) {
                return new SigningKey(key, algorithmOf(key));
            }
        }
        throw new IllegalArgumentException(
                privateFile
                        + " holds no private key (it must be the private JWK set, not the public one)");
    }

    private static JWSAlgorithm algorithmOf(JWK key) {
        if (key.getAlgorithm() != null) {
            return JWSAlgorithm.parse(key.getAlgorithm().getName());
        }
        if (key instanceof ECKey ec) {
            return Curve.P_256.equals(ec.getCurve()) ? JWSAlgorithm.ES256 : JWSAlgorithm.ES384;
        }
        if (key instanceof RSAKey) {
            return JWSAlgorithm.RS384;
        }
        throw new IllegalArgumentException("unsupported key type " + key.getKeyType());
    }
}
