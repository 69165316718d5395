package org.quorum.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Authentication: the issuer and audience of Quorum's own tokens, their lifetime, the password
 * grant, and optionally one external OpenID Connect issuer whose tokens are accepted too.
 *
 * <p>The issuer must be the same string for the server and for {@code quorum user token} (the CLI
 * signs with the same key): both derive it with {@link #defaultIssuer(Map)} from the same
 * configuration.
 */
public record SecuritySettings(
        String issuer,
        String audience,
        Duration userTokenLifetime,
        boolean passwordGrant,
        Optional<ExternalIssuerSettings> external) {

    public static final String ISSUER = "QUORUM_AUTH_ISSUER";
    public static final String AUDIENCE = "QUORUM_AUTH_AUDIENCE";
    public static final String USER_TOKEN_MINUTES = "QUORUM_AUTH_USER_TOKEN_MINUTES";
    public static final String PASSWORD_GRANT = "QUORUM_AUTH_PASSWORD_GRANT";
    public static final String EXTERNAL_ISSUER = "QUORUM_AUTH_EXTERNAL_ISSUER";
    public static final String EXTERNAL_JWKS_URL = "QUORUM_AUTH_EXTERNAL_JWKS_URL";
    public static final String EXTERNAL_AUDIENCE = "QUORUM_AUTH_EXTERNAL_AUDIENCE";
    public static final String EXTERNAL_ROLES_CLAIM = "QUORUM_AUTH_EXTERNAL_ROLES_CLAIM";
    public static final String EXTERNAL_CLIENT_ID = "QUORUM_AUTH_EXTERNAL_CLIENT_ID";
    public static final String EXTERNAL_NAME = "QUORUM_AUTH_EXTERNAL_NAME";
    public static final String EXTERNAL_SCOPE = "QUORUM_AUTH_EXTERNAL_SCOPE";

    /** What the reviewer UI asks an external provider for, unless configured otherwise. */
    public static final String DEFAULT_EXTERNAL_SCOPE =
            "openid fhirUser user/*.cruds offline_access";

    static final Set<String> KEYS =
            Set.of(
                    ISSUER,
                    AUDIENCE,
                    USER_TOKEN_MINUTES,
                    PASSWORD_GRANT,
                    EXTERNAL_ISSUER,
                    EXTERNAL_JWKS_URL,
                    EXTERNAL_AUDIENCE,
                    EXTERNAL_ROLES_CLAIM,
                    EXTERNAL_CLIENT_ID,
                    EXTERNAL_NAME,
                    EXTERNAL_SCOPE);

    /**
     * An external OpenID Connect issuer (Keycloak, an EHR's SMART server).
     *
     * @param uiClientId the public client the reviewer UI signs in as at this provider
     *     (authorization code with PKCE); empty: the UI offers Quorum's own sign-in only
     * @param name what the UI's sign-in choice calls the provider
     * @param uiScope the scopes the UI asks the provider for
     */
    public record ExternalIssuerSettings(
            String issuer,
            URI jwksUrl,
            String audience,
            String rolesClaim,
            Optional<String> uiClientId,
            String name,
            String uiScope) {

        /** Only the token-verification side (no browser sign-in through this provider). */
        public ExternalIssuerSettings(
                String issuer, URI jwksUrl, String audience, String rolesClaim) {
            this(
                    issuer,
                    jwksUrl,
                    audience,
                    rolesClaim,
                    Optional.empty(),
                    URI.create(issuer).getHost(),
                    DEFAULT_EXTERNAL_SCOPE);
        }
    }

    static SecuritySettings from(ConfigSource source) {
        String issuer = defaultIssuer(source.asMap());
        String audience = source.get(AUDIENCE).orElse(issuer + "/fhir");
        int minutes = source.intValue(USER_TOKEN_MINUTES, 60, 1, 24 * 60);
        boolean password =
                source.oneOf(PASSWORD_GRANT, "false", Set.of("true", "false")).equals("true");
        Optional<ExternalIssuerSettings> external =
                source.get(EXTERNAL_ISSUER)
                        .map(
                                ext -> {
                                    URI jwks =
                                            source.get(EXTERNAL_JWKS_URL)
                                                    .map(raw -> absoluteUrl(EXTERNAL_JWKS_URL, raw))
                                                    .orElseThrow(
                                                            () ->
                                                                    new ConfigException(
                                                                            EXTERNAL_JWKS_URL,
                                                                            "is required with QUORUM_AUTH_EXTERNAL_ISSUER (the issuer's JWKS URL, https)"));
                                    URI issuerUrl = absoluteUrl(EXTERNAL_ISSUER, ext);
                                    return new ExternalIssuerSettings(
                                            ext,
                                            jwks,
                                            source.get(EXTERNAL_AUDIENCE).orElse(audience),
                                            source.get(EXTERNAL_ROLES_CLAIM).orElse("roles"),
                                            source.get(EXTERNAL_CLIENT_ID)
                                                    .filter(v -> !v.isBlank()),
                                            source.get(EXTERNAL_NAME)
                                                    .filter(v -> !v.isBlank())
                                                    .orElse(issuerUrl.getHost()),
                                            source.get(EXTERNAL_SCOPE)
                                                    .filter(v -> !v.isBlank())
                                                    .orElse(DEFAULT_EXTERNAL_SCOPE));
                                });
        return new SecuritySettings(
                issuer, audience, Duration.ofMinutes(minutes), password, external);
    }

    /**
     * The issuer of Quorum's own tokens: {@value #ISSUER}, else {@code QUORUM_PUBLIC_BASE_URL},
     * else {@code http://127.0.0.1:<QUORUM_HTTP_PORT>}; never with a trailing slash.
     */
    public static String defaultIssuer(Map<String, String> config) {
        String issuer =
                Optional.ofNullable(config.get(ISSUER))
                        .filter(v -> !v.isBlank())
                        .or(
                                () ->
                                        Optional.ofNullable(
                                                        config.get(HttpSettings.PUBLIC_BASE_URL))
                                                .filter(v -> !v.isBlank()))
                        .orElseGet(
                                () ->
                                        "http://127.0.0.1:"
                                                + Optional.ofNullable(config.get(HttpSettings.PORT))
                                                        .filter(v -> !v.isBlank())
                                                        .orElse("8080"));
        absoluteUrl(ISSUER, issuer.trim());
        return issuer.trim().replaceAll("/+$", "");
    }

    private static URI absoluteUrl(String key, String raw) {
        try {
            URI uri = new URI(raw);
            if (uri.getScheme() == null
                    || !Set.of("http", "https").contains(uri.getScheme())
                    || uri.getHost() == null) {
                throw new java.net.URISyntaxException(raw, "not absolute http(s)");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(key, "'" + raw + "' is not an absolute http(s) URL");
        }
    }
}
