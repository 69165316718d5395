package org.quorum.bridge.config;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.quorum.config.ConfigException;
import org.quorum.config.ConfigSource;

/**
 * Where the bridge delivers: Quorum's FHIR base, as a SMART backend-services client registered with
 * {@code quorum client add <id> --jwks-file F --scope "system/*.cru" --role integration}, and the
 * annotation project (a ResearchStudy in Quorum) the delivered sources are linked to.
 *
 * @param dicomWebRoot Quorum's DICOMweb root (STOW-RS of de-identified images); by default the FHIR
 *     base with its last path segment {@code fhir} replaced by {@code dicomweb}
 * @param project the ResearchStudy id; every delivered resource carries the tag {@code
 *     https://quorum.dev/fhir/CodeSystem/quorum-project|<project>}
 */
public record QuorumSettings(
        URI fhirBase,
        URI dicomWebRoot,
        ClientAuth.Smart auth,
        String project,
        Duration connectTimeout,
        Duration readTimeout) {

    public static final String URL = "QUORUM_BRIDGE_QUORUM_URL";
    public static final String DICOMWEB_URL = "QUORUM_BRIDGE_QUORUM_DICOMWEB_URL";
    public static final String PROJECT = "QUORUM_BRIDGE_PROJECT";
    public static final String CONNECT_TIMEOUT = "QUORUM_BRIDGE_QUORUM_CONNECT_TIMEOUT";
    public static final String READ_TIMEOUT = "QUORUM_BRIDGE_QUORUM_READ_TIMEOUT";
    static final String AUTH_PREFIX = "QUORUM_BRIDGE_QUORUM_";
    static final Set<String> KEYS;

    static {
        Set<String> keys =
                new HashSet<>(Set.of(URL, DICOMWEB_URL, PROJECT, CONNECT_TIMEOUT, READ_TIMEOUT));
        keys.addAll(ClientAuth.keys(AUTH_PREFIX));
        KEYS = Set.copyOf(keys);
    }

    // FHIR R4 §2.24.0.1 id: [A-Za-z0-9\-\.]{1,64}
    private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

    static QuorumSettings from(ConfigSource source) {
        URI base =
                source.httpUrl(URL)
                        .orElseThrow(
                                () ->
                                        new ConfigException(
                                                URL,
                                                "is required: Quorum's FHIR base URL, e.g."
                                                        + " https://quorum.example.org/fhir"));
        String fhirPath = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        URI dicomWeb =
                source.httpUrl(DICOMWEB_URL)
                        .map(uri -> URI.create(uri.toString().replaceAll("/+$", "")))
                        .orElse(
                                base.resolve(
                                        fhirPath.endsWith("/fhir")
                                                ? fhirPath.substring(0, fhirPath.length() - 5)
                                                        + "/dicomweb"
                                                : fhirPath + "/../dicomweb"));
        ClientAuth auth = ClientAuth.from(source, AUTH_PREFIX, Set.of("smart"), "system/*.cru");
        String project =
                source.required(
                        PROJECT, "the id of the project's ResearchStudy in Quorum, e.g. study-7");
        if (project.startsWith("ResearchStudy/")) {
            project = project.substring("ResearchStudy/".length());
        }
        if (!FHIR_ID.matcher(project).matches()) {
            throw new ConfigException(
                    PROJECT,
                    "'"
                            + project
                            + "' is not a FHIR id (letters, digits, '-' and '.', at most 64)");
        }
        Duration connect =
                source.duration(
                        CONNECT_TIMEOUT,
                        Duration.ofSeconds(10),
                        Duration.ofMillis(100),
                        Duration.ofMinutes(5));
        Duration read =
                source.duration(
                        READ_TIMEOUT,
                        Duration.ofSeconds(120),
                        Duration.ofMillis(100),
                        Duration.ofMinutes(30));
        return new QuorumSettings(
                base, dicomWeb.normalize(), (ClientAuth.Smart) auth, project, connect, read);
    }
}
