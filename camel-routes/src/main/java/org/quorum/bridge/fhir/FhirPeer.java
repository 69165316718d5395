package org.quorum.bridge.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.client.apache.ApacheRestfulClientFactory;
import ca.uhn.fhir.rest.client.api.IClientInterceptor;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.IHttpRequest;
import ca.uhn.fhir.rest.client.api.IHttpResponse;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
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
    private final RetryAfterCapture retryAfter = new RetryAfterCapture();

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
        this.client.registerInterceptor(retryAfter);
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
        return endpoint.call(what, credentials, () -> retryAfter.around(call));
    }

    /**
     * HAPI's client turns an error status into an exception without the response's headers: this
     * interceptor keeps {@code Retry-After} (RFC 9110 §10.2.3) of a 429 or 503 and puts it on the
     * exception, where the retry policy reads it.
     */
    static final class RetryAfterCapture implements IClientInterceptor {
        private final ThreadLocal<String> last = new ThreadLocal<>();

        @Override
        public void interceptRequest(IHttpRequest request) {
            last.remove();
        }

        @Override
        public void interceptResponse(IHttpResponse response) {
            if (response.getStatus() == 429 || response.getStatus() == 503) {
                List<String> values = response.getHeaders("Retry-After");
                if (values != null && !values.isEmpty()) {
                    last.set(values.get(0));
                }
            }
        }

        <T> T around(Callable<T> call) throws Exception {
            try {
                return call.call();
            } catch (BaseServerResponseException e) {
                String value = last.get();
                if (value != null
                        && (e.getResponseHeaders() == null
                                || !e.getResponseHeaders().containsKey("Retry-After"))) {
                    e.addResponseHeader("Retry-After", value);
                }
                throw e;
            } finally {
                last.remove();
            }
        }
    }
}
