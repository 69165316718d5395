package org.quorum.bridge.auth;

import ca.uhn.fhir.rest.client.api.IClientInterceptor;
import ca.uhn.fhir.rest.client.api.IHttpRequest;
import ca.uhn.fhir.rest.client.api.IHttpResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import org.quorum.bridge.config.ClientAuth;
import org.quorum.bridge.resilience.ResilientEndpoint;

/**
 * Adds the configured credentials to each request of a HAPI FHIR client, and drops cached ones when
 * the server answers 401 ({@link #refresh()}, called by {@link ResilientEndpoint}).
 */
public final class AccessTokens
        implements IClientInterceptor, ResilientEndpoint.CredentialsRefresher {

    private final ClientAuth auth;
    private final SmartTokenClient smart;
    private volatile String cachedStatic;

    public AccessTokens(ClientAuth auth, SmartTokenClient smart) {
        this.auth = auth;
        this.smart = smart;
    }

    /** The Authorization header value, or null without credentials. */
    public String authorization() {
        if (auth instanceof ClientAuth.Smart) {
            return "Bearer " + smart.accessToken();
        }
        if (auth instanceof ClientAuth.Bearer bearer) {
            return "Bearer " + readStatic(bearer.tokenFile());
        }
        if (auth instanceof ClientAuth.Basic basic) {
            return "Basic "
                    + Base64.getEncoder()
                            .encodeToString(
                                    (basic.username() + ":" + readStatic(basic.passwordFile()))
                                            .getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    private String readStatic(java.nio.file.Path file) {
        String value = cachedStatic;
        if (value == null) {
            try {
                value = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException(
                        "Cannot read the credentials file " + file + ": " + e.getMessage(), e);
            }
            cachedStatic = value;
        }
        return value;
    }

    @Override
    public void refresh() {
        cachedStatic = null; // a rotated file is read again
        if (smart != null) {
            smart.invalidate();
        }
    }

    @Override
    public void interceptRequest(IHttpRequest request) {
        String value = authorization();
        if (value != null) {
            request.removeHeaders("Authorization");
            request.addHeader("Authorization", value);
        }
    }

    @Override
    public void interceptResponse(IHttpResponse response) {
        // nothing: a 401 surfaces as an exception that the endpoint's retry handles
    }
}
