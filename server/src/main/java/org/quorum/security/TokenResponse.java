package org.quorum.security;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;

/**
 * What the token endpoint answers: a token (RFC 6749 §5.1) or an error (§5.2). The servlet writes
 * {@link #httpStatus()}, {@link #headers()} and {@link #toJson()}, nothing else.
 */
public sealed interface TokenResponse {

    /** 200, or the status of the error. */
    int httpStatus();

    /** The JSON body. */
    String toJson();

    /**
     * The response headers. RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on
     * every response that carries a token, and harmless on errors.
     */
    default Map<String, String> headers() {
        return Map.of(
                "Content-Type", "application/json;charset=UTF-8",
                "Cache-Control", "no-store",
                "Pragma", "no-cache");
    }

    /** 503: the security state cannot be read now (the database is away); retry shortly. */
    static TokenResponse unavailable() {
        return new Failure(
                OAuthError.TEMPORARILY_UNAVAILABLE,
                "the server cannot reach its database right now; retry in a few seconds");
    }

    /**
     * An issued token, with a refresh token for the authorization code flow. {@link #toString()}
     * shows neither.
     */
    record Success(IssuedToken token, java.util.Optional<String> refreshToken)
            implements TokenResponse {
        public Success {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(refreshToken, "refreshToken");
        }

        public Success(IssuedToken token) {
            this(token, java.util.Optional.empty());
        }

        @Override
        public String toString() {
            return "Success[" + token + (refreshToken.isPresent() ? ", refresh token" : "") + "]";
        }

        @Override
        public int httpStatus() {
            return 200;
        }

        @Override
        public String toJson() {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("access_token", token.accessToken());
            body.put("token_type", "Bearer"); // RFC 6750 §4
            body.put("expires_in", token.lifetimeSeconds());
            body.put("scope", token.scope().toString());
            refreshToken.ifPresent(refresh -> body.put("refresh_token", refresh));
            return Json.write(body);
        }
    }

    /**
     * A refused request.
     *
     * @param error the RFC 6749 §5.2 error code
     * @param description the {@code error_description}: what was wrong and what to do
     */
    record Failure(OAuthError error, String description) implements TokenResponse {
        public Failure {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(description, "description");
        }

        @Override
        public int httpStatus() {
            return error.httpStatus();
        }

        @Override
        public Map<String, String> headers() {
            if (error != OAuthError.TEMPORARILY_UNAVAILABLE) {
                return TokenResponse.super.headers();
            }
            return Map.of(
                    "Content-Type", "application/json;charset=UTF-8",
                    "Cache-Control", "no-store",
                    "Pragma", "no-cache",
                    "Retry-After", "5");
        }

        @Override
        public String toJson() {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("error", error.code());
            // RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
            body.put(
                    "error_description",
                    description.replaceAll("[^\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]", "?"));
            return Json.write(body);
        }
    }
}
