package org.quorum.ui;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.server.handlers.resource.ResourceManager;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.quorum.config.SecuritySettings;
import org.quorum.platform.Platform;
import org.quorum.security.OidcDiscovery;

/**
 * The reviewer web UI (docs/ui.md): static files packed in the server jar under {@code ui/}, served
 * at {@code /ui/} with a Content-Security-Policy that allows only this origin (no CDN, no inline
 * script). The app signs in with the authorization code flow and PKCE ({@link
 * org.quorum.security.AuthorizationCodeFlow}) and calls the FHIR and DICOMweb APIs with its token;
 * the server side holds no UI state.
 *
 * <p>For UI development, the system property {@value #DEV_DIR_PROPERTY} serves the files from a
 * directory instead (edit and reload without rebuilding the jar).
 */
public final class UiInstaller {

    /** A directory to serve the UI from instead of the jar (UI development). */
    public static final String DEV_DIR_PROPERTY = "quorum.ui.dir";

    /** The sign-in configuration the app reads ({@link UiConfiguration}). */
    static final String CONFIG = "config.json";

    /**
     * Only this origin: scripts and styles are files of the app, images are blobs the app fetched
     * with its token (rendered DICOM frames), requests go to this server.
     */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:;"
                    + " connect-src 'self'; form-action 'self'; base-uri 'none';"
                    + " frame-ancestors 'none'";

    private UiInstaller() {}

    /**
     * The policy with {@code connect-src} widened to {@code connectSources} (an external sign-in
     * provider's token endpoint, which the app calls to redeem its code).
     */
    static String contentSecurityPolicy(String connectSources) {
        return CONTENT_SECURITY_POLICY.replace(
                "connect-src 'self';", "connect-src " + connectSources + ";");
    }

    public static void install(Platform platform) {
        SecuritySettings security = platform.settings().security();
        UiConfiguration configuration =
                new UiConfiguration(
                        security,
                        UiConfiguration.browserProvider(security)
                                .map(ext -> new OidcDiscovery(ext.issuer(), platform.clock())));
        String devDir = System.getProperty(DEV_DIR_PROPERTY);
        ResourceManager files =
                devDir != null && Files.isDirectory(Path.of(devDir))
                        ? new PathResourceManager(Path.of(devDir))
                        : new ClassPathResourceManager(UiInstaller.class.getClassLoader(), "ui");
        ResourceHandler resources =
                new ResourceHandler(files)
                        .setWelcomeFiles("index.html")
                        .setDirectoryListingEnabled(false);
        HttpHandler ui =
                new HttpHandler() {
                    @Override
                    public void handleRequest(HttpServerExchange exchange) throws Exception {
                        if (exchange.getRelativePath().isEmpty()) {
                            // /ui → /ui/ (relative module and asset paths resolve under it).
                            exchange.setStatusCode(StatusCodes.FOUND);
                            exchange.getResponseHeaders().put(Headers.LOCATION, "/ui/");
                            exchange.endExchange();
                            return;
                        }
                        // The configuration and the policy may need the external provider's
                        // discovery document (fetched once an hour): not on an IO thread.
                        if (exchange.isInIoThread()) {
                            exchange.dispatch(this);
                            return;
                        }
                        if (exchange.getRelativePath().equals("/" + CONFIG)) {
                            exchange.getResponseHeaders()
                                    .put(Headers.CONTENT_TYPE, "application/json");
                            exchange.getResponseSender().send(configuration.toJson());
                            return;
                        }
                        exchange.getResponseHeaders()
                                .put(
                                        new HttpString("Content-Security-Policy"),
                                        contentSecurityPolicy(
                                                configuration.connectSources(
                                                        exchange.getRelativePath().equals("/")
                                                                || exchange.getRelativePath()
                                                                        .endsWith(".html"))));
                        resources.handleRequest(exchange);
                    }
                };
        platform.prefixRoute("/ui", servlets -> ui);
    }
}
