package org.quorum.bridge.resilience;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.rest.client.exceptions.FhirClientConnectionException;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a failed call to a peer means for the caller: try again (after a backoff, or after the
 * server's {@code Retry-After}), refresh the credentials once, or give up on this record.
 *
 * @param status the HTTP status, 0 when there was no answer
 * @param retryAfter the server's {@code Retry-After} (RFC 9110 §10.2.3), when it sent one
 */
public record Failure(Kind kind, int status, Optional<Duration> retryAfter, String description) {

    /** How to react. */
    public enum Kind {
        /** 5xx, 408, 409, 429, time-outs, refused connections, unreadable answers: retry. */
        TRANSIENT,
        /** 401: the token expired or was revoked; get a new one and retry once. */
        UNAUTHORIZED,
        /** Any other 4xx: the request itself is wrong; retrying cannot help. */
        PERMANENT
    }

    public boolean isTransient() {
        return kind != Kind.PERMANENT;
    }

    /** Classifies an exception thrown by a HAPI FHIR client call or a token request. */
    public static Failure of(Throwable error, Clock clock) {
        if (error instanceof BaseServerResponseException response) {
            int status = response.getStatusCode();
            Optional<Duration> retryAfter = retryAfter(response.getResponseHeaders(), clock);
            String text = "HTTP " + status + ": " + brief(response.getMessage());
            if (status == 401) {
                return new Failure(Kind.UNAUTHORIZED, status, Optional.empty(), text);
            }
            if (status >= 500 || status == 408 || status == 409 || status == 429) {
                return new Failure(Kind.TRANSIENT, status, retryAfter, text);
            }
            return new Failure(Kind.PERMANENT, status, Optional.empty(), text);
        }
        if (error instanceof HttpStatusException http) {
            int status = http.status();
            Kind kind =
                    status == 401
                            ? Kind.UNAUTHORIZED
                            : status >= 500 || status == 408 || status == 429
                                    ? Kind.TRANSIENT
                                    : Kind.PERMANENT;
            return new Failure(kind, status, http.retryAfter(), brief(http.getMessage()));
        }
        if (error instanceof FhirClientConnectionException
                || error instanceof IOException
                || error instanceof java.io.UncheckedIOException) {
            return new Failure(
                    Kind.TRANSIENT, 0, Optional.empty(), "no answer: " + brief(rootMessage(error)));
        }
        if (error instanceof DataFormatException) {
            // A proxy that cut the body, a half-written page: the next try usually reads fine.
            return new Failure(
                    Kind.TRANSIENT,
                    0,
                    Optional.empty(),
                    "unreadable answer: " + brief(error.getMessage()));
        }
        return new Failure(
                Kind.PERMANENT,
                0,
                Optional.empty(),
                error.getClass().getSimpleName() + ": " + brief(error.getMessage()));
    }

    static Optional<Duration> retryAfter(Map<String, List<String>> headers, Clock clock) {
        if (headers == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey() != null
                    && header.getKey().equalsIgnoreCase("Retry-After")
                    && !header.getValue().isEmpty()) {
                return parseRetryAfter(header.getValue().get(0), clock);
            }
        }
        return Optional.empty();
    }

    /** {@code Retry-After}: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
    public static Optional<Duration> parseRetryAfter(String value, Clock clock) {
        String text = value.strip();
        if (text.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
        }
        try {
            Instant when =
                    ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration delay = Duration.between(clock.instant(), when);
            return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static String brief(String message) {
        if (message == null) {
            return "";
        }
        String line = message.strip().replaceAll("\\s+", " ");
        return line.length() > 300 ? line.substring(0, 297) + "..." : line;
    }
}
