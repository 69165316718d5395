package org.quorum.bridge.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.client.apache.ApacheRestfulClientFactory;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.quorum.bridge.auth.AccessTokens;
import org.quorum.bridge.resilience.ResilientEndpoint;

/**
 * A FHIR server the bridge talks to (the EHR or Quorum): HAPI's generic client with its own connect
 * and read time-outs and credentials, every call made through the endpoint's retries and circuit
 * breaker.
 */
public final class FhirPeer {

    private final URI base;
    private final IGenericClient client;
    private final ResilientEndpoint endpoint;
    private final AccessTokens credentials;

    public FhirPeer(
            FhirContext fhir,
            URI base,
            Duration connectTimeout,
            Duration readTimeout,
            AccessTokens credentials,
            ResilientEndpoint endpoint) {
        this.base = base;
        this.endpoint = endpoint;
        this.credentials = credentials;
        // One factory per peer: the time-outs differ, and FhirContext holds only one factory.
        ApacheRestfulClientFactory factory = new ApacheRestfulClientFactory(fhir);
        factory.setConnectTimeout((int) connectTimeout.toMillis());
        factory.setConnectionRequestTimeout((int) connectTimeout.toMillis());
        factory.setSocketTimeout((int) readTimeout.toMillis());
        factory.setServerValidationMode(ServerValidationModeEnum.NEVER);
        factory.setPoolMaxTotal(8);
        factory.setPoolMaxPerRoute(8);
        this.client = factory.newGenericClient(base.toString().replaceAll("/+$", ""));
        this.client.setEncoding(EncodingEnum.JSON);
        this.client.registerInterceptor(credentials);
    }

    public URI base() {
        return base;
    }

    public IGenericClient client() {
        return client;
    }

    public ResilientEndpoint endpoint() {
        return endpoint;
    }

    /** Runs a client call with retries and the circuit breaker. */
    public <T> T call(String what, Callable<T> call) {
        return endpoint.call(what, credentials, call);
    }
}
