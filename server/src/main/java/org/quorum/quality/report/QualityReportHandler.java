package org.quorum.quality.report;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.UUID;
import java.util.regex.Pattern;
import org.quorum.quality.QualityException;
import org.quorum.quality.QualityService;
import org.quorum.quality.agreement.AgreementOptions;
import org.quorum.quality.balance.ClassBalanceOptions;
import org.quorum.quality.balance.ClassBalanceReport;
import org.quorum.quality.bias.BiasOptions;
import org.quorum.security.AccessPolicy;
import org.quorum.security.QuorumPrincipal;
import org.quorum.security.http.BearerAuthHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /quality/report/{projectId}}: the quality report of a project as an HTML page with
 * inline SVG figures ({@link QualityReportPage}), computed with the operations' defaults. {@code
 * ?download=1} sends the same page as an attachment ({@code quorum-quality-report-{id}.html}).
 *
 * <p>The page needs no script and loads nothing: its Content-Security-Policy allows only inline
 * styles ({@code default-src 'none'; style-src 'unsafe-inline'}), so that a label or project title
 * that slipped through escaping could still not run code.
 */
public final class QualityReportHandler implements HttpHandler {

    /** The path prefix this handler is mounted on. */
    public static final String PATH = "/quality/report";

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

    private static final Logger LOG = LoggerFactory.getLogger(QualityReportHandler.class);
    private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

    private final QualityService quality;
    private final AccessPolicy policy;

    public QualityReportHandler(QualityService quality, AccessPolicy policy) {
        this.quality = quality;
        this.policy = policy;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            // The report reads the database and computes bootstrap intervals: not on an I/O thread.
            exchange.dispatch(this);
            return;
        }
        securityHeaders(exchange);
        if (!exchange.getRequestMethod().equals(Methods.GET)
                && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            plain(exchange, 405, "Use GET.");
            return;
        }
        String id = exchange.getRelativePath().replaceFirst("^/", "");
        if (!FHIR_ID.matcher(id).matches()) {
            plain(
                    exchange,
                    404,
                    "Give a project id: GET "
                            + PATH
                            + "/{ResearchStudy id}, e.g. "
                            + PATH
                            + "/42 (optionally ?download=1).");
            return;
        }
        // The same rule as the quality operations ($agreement): role and project membership.
        QuorumPrincipal principal = exchange.getAttachment(BearerAuthHandler.PRINCIPAL);
        AccessPolicy.Decision decision =
                principal == null ? null : policy.decideProjectQuality(principal, id);
        if (decision == null || !decision.allowed()) {
            plain(
                    exchange,
                    403,
                    "Access denied: "
                            + (decision == null
                                    ? "the request is not authenticated"
                                    : decision.reason()));
            return;
        }
        try {
            String page = QualityReportPage.render(report(id));
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
            if (download(exchange)) {
                exchange.getResponseHeaders()
                        .put(
                                Headers.CONTENT_DISPOSITION,
                                "attachment; filename=\"quorum-quality-report-" + id + ".html\"");
            }
            exchange.getResponseSender().send(page, StandardCharsets.UTF_8);
        } catch (QualityException e) {
            plain(exchange, e.problem().httpStatus(), e.getMessage());
        } catch (RuntimeException e) {
            String reference = UUID.randomUUID().toString();
            LOG.error("Quality report {} for project {} failed", reference, id, e);
            plain(
                    exchange,
                    500,
                    "Internal server error (reference "
                            + reference
                            + "); the server log holds the details.");
        }
    }

    private QualityReport report(String id) {
        ClassBalanceReport balance = quality.classBalance(id, ClassBalanceOptions.defaults());
        return new QualityReport(
                balance.project(),
                quality.clock().instant(),
                quality.agreement(id, AgreementOptions.defaults()),
                quality.biasReport(id, BiasOptions.defaults(quality.today())),
                balance);
    }

    private static boolean download(HttpServerExchange exchange) {
        Deque<String> values = exchange.getQueryParameters().get("download");
        return values != null
                && values.stream().anyMatch(v -> v.equals("1") || v.equalsIgnoreCase("true"));
    }

    private static void securityHeaders(HttpServerExchange exchange) {
        exchange.getResponseHeaders()
                .put(new HttpString("Content-Security-Policy"), CONTENT_SECURITY_POLICY)
                .put(new HttpString("X-Content-Type-Options"), "nosniff")
                .put(new HttpString("X-Frame-Options"), "DENY")
                .put(new HttpString("Referrer-Policy"), "no-referrer")
                .put(Headers.CACHE_CONTROL, "no-store");
    }

    private static void plain(HttpServerExchange exchange, int status, String message) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(message + "\n", StandardCharsets.UTF_8);
    }
}
