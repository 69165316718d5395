package org.quorum.security.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.quorum.config.ConfigException;
import org.quorum.config.TransportSettings;

/** Builds the HTTPS listener's TLS context from a PKCS#12 keystore. */
public final class TlsContexts {

    private TlsContexts() {}

    public static SSLContext fromKeystore(Path keystore, String password) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            KeyManagerFactory keys =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            // The JDK says what is wrong (bad password, not PKCS#12) without echoing the password.
            throw new ConfigException(
                    TransportSettings.HTTPS_KEYSTORE,
                    "'" + keystore + "' cannot be used: " + e.getMessage());
        }
    }
}
