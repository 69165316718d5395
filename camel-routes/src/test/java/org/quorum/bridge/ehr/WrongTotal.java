package org.quorum.bridge.ehr;

import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/** WireMock: a search page whose Bundle.total lies (3), as some EHRs' estimates do. */
public final class WrongTotal implements ResponseTransformerV2 {

    public static final String NAME = "wrong-total";

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
        String body = response.getBodyAsString();
        return Response.Builder.like(response)
                .but()
                .body(body.replaceFirst("\"total\"\\s*:\\s*\\d+", "\"total\": 3"))
                .build();
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
